/** Where the app goes after signing in when `?next=` names nothing usable. */
export const DEFAULT_NEXT_PATH = '/tasks';

// Any origin of ours would do: a path can only change the origin it is resolved against by leaving the site.
const SITE = 'https://todo-stack.invalid';

/**
 * The page to go to after signing in, from `?next=` (already URL-decoded): only a path on this site. It is resolved
 * against an origin the way the browser resolves it (`\` as `/`, tabs and newlines removed) and refused unless the
 * origin is still the same, which turns away `//evil`, `/\evil`, `/<tab>/evil`, `https://evil` and `javascript:`.
 * What is returned is the parsed path, so the app navigates exactly where it checked.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith('/')) return DEFAULT_NEXT_PATH;
  let url: URL;
  try {
    url = new URL(next, SITE);
  } catch {
    return DEFAULT_NEXT_PATH;
  }
  // The sign-in and sign-up pages are not destinations: a signed-in user would be sent straight on again.
  if (url.origin !== SITE || url.pathname.startsWith('/sign-')) return DEFAULT_NEXT_PATH;
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * The sign-in page, saying why the user is there (`expired`: the session ended; `signed-out`: they asked) and,
 * except after signing out, where to go back to afterwards.
 */
export function signInPath(reason: 'expired' | 'signed-out' | undefined, next?: string): string {
  if (reason === 'signed-out') return '/sign-in?signed-out=1';
  const params = new URLSearchParams();
  if (reason === 'expired') params.set('expired', '1');
  if (next) params.set('next', next);
  return `/sign-in${params.size > 0 ? `?${params}` : ''}`;
}
