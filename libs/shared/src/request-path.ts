/**
 * Why one path segment, as a client encoded it, is not in canonical form, or `undefined` when it is. Canonical: no
 * backslash, a valid percent-encoding, and once decoded not `.` or `..`, not ending with a dot, holding no `/`, `\` or
 * `%` (an encoded separator, or an escape left after one decoding: `%252e`). Such segments are what a normalising hop
 * (the WHATWG URL parser, a proxy, a file server) reads as another path than the router matched, so the backend's
 * router and the frontend's `/api` forwarder refuse them alike. Empty segments are each caller's rule.
 */
export function pathSegmentProblem(raw: string): string | undefined {
  if (raw.includes('\\')) return 'backslashes are not allowed in the path';
  let segment: string;
  try {
    segment = decodeURIComponent(raw);
  } catch {
    return 'the path has a malformed percent-encoding';
  }
  if (segment === '.' || segment === '..') return 'dot segments ("." or "..") are not allowed in the path';
  if (segment.endsWith('.')) return 'path segments may not end with a dot';
  if (/[/\\%]/.test(segment)) return 'encoded "/", "\\" or "%" is not allowed in the path';
  return undefined;
}
