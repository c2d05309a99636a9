import { forwardToBackend } from '@/app/lib/api-forwarder';

// Never prerendered or cached: every call goes to the backend named by BACKEND_URL at that moment.
export const dynamic = 'force-dynamic';

function handler(request: Request): Promise<Response> {
  return forwardToBackend(request);
}

export {
  handler as GET,
  handler as POST,
  handler as PUT,
  handler as PATCH,
  handler as DELETE,
  handler as HEAD,
  handler as OPTIONS,
};
