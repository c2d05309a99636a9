/**
 * Where the backend is: runtime configuration (BACKEND_URL, read on every call, never baked in at build time), so
 * one build runs in every environment. Used by the /api forwarder and the server components' data reads.
 */
export const DEFAULT_BACKEND_URL = 'http://127.0.0.1:8000';

export function backendUrl(env: Record<string, string | undefined> = process.env): string {
  return (env['BACKEND_URL'] || DEFAULT_BACKEND_URL).replace(/\/+$/, '');
}
