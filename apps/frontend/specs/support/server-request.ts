/**
 * The request a server read or Server Action runs in, for tests in Node: its cookies and headers as `next/headers`
 * gives them, and the paths the code revalidated. Use with
 * `jest.mock('next/headers', () => serverRequest.headersModule())` and `jest.mock('next/cache', ...)`.
 */
export const serverRequest = {
  cookies: [] as { name: string; value: string }[],
  headers: new Headers(),
  revalidated: [] as string[],
  /** A signed-in browser at `address` (through peer-address.cjs, X-Forwarded-For is the socket's address). */
  signedIn(address = '203.0.113.7') {
    this.cookies = [{ name: 'better-auth.session_token', value: 'token.sig' }];
    this.headers = new Headers({ 'x-forwarded-for': address });
    this.revalidated = [];
  },
  anonymous() {
    this.cookies = [];
    this.headers = new Headers();
    this.revalidated = [];
  },
};
