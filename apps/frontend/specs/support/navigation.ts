/** What next/navigation returns in component tests; each test can set the URL and read where the app navigated. */
export const navigation = {
  router: {
    replace: jest.fn(),
    push: jest.fn(),
    refresh: jest.fn(),
    back: jest.fn(),
    forward: jest.fn(),
    prefetch: jest.fn(),
  },
  pathname: '/tasks',
  searchParams: new URLSearchParams(),
  reset() {
    for (const fn of Object.values(this.router)) fn.mockReset();
    this.pathname = '/tasks';
    this.searchParams = new URLSearchParams();
  },
};

/** What `redirect()` throws in tests (Next's own throws an error the framework catches). */
export class Redirect extends Error {
  constructor(readonly url: string) {
    super(`redirect to ${url}`);
  }
}
