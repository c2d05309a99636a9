/** What the proxy (`src/proxy.ts`) and the signed-in layout share; small on purpose, the proxy bundles it. */

/** Better Auth's session cookie: `better-auth.session_token`, `__Secure-` prefixed over https. */
export function isSessionCookie(name: string): boolean {
  return name.endsWith('better-auth.session_token');
}

/** The request header through which the signed-in layout learns the page asked for (layouts are not told). */
export const REQUEST_PATH_HEADER = 'x-todo-request-path';
