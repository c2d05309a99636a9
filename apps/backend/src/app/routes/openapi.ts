import { ErrorBody } from '@todo-stack/shared';

/** OpenAPI `security` of routes that need a signed-in caller: a bearer token or the session cookie. */
export const signedIn: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

/** What any route under /api/{user_id} may answer besides its own: 401/403 (user-scope), 404, 422 (validation). */
export const userRouteErrors = { 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody };
