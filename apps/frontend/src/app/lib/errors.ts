import { ApiError } from '@todo-stack/shared';

/** 401: no session, or it expired. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

/** A sentence to show the user for any failed call. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 502 || error.status === 503 || error.status === 504) {
      return 'The server is unavailable right now. Try again in a moment.';
    }
    if (error.status === 429) return 'Too many attempts. Wait a minute and try again.';
    if (error.status >= 500) return 'Something went wrong on the server. Try again.';
    return error.message;
  }
  // fetch rejects (TypeError) when the server cannot be reached.
  return 'Cannot reach the server. Check your connection and try again.';
}

/** Validation problems by field name (`title`, `email`...), for showing next to inputs. */
export function fieldErrors(error: unknown): Record<string, string> {
  return error instanceof ApiError && error.status === 422 ? error.fieldErrors : {};
}

/**
 * The same sentence for a call the frontend's server made to the backend (a server read or a Server Action): there a
 * failed fetch means the backend is down, not the user's connection.
 */
export function serverErrorMessage(error: unknown): string {
  return error instanceof ApiError ? errorMessage(error) : errorMessage(new ApiError(503, 'unreachable'));
}
