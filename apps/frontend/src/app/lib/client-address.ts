/**
 * The address of the peer that sent this request to the frontend. The standalone server keeps a client-supplied
 * X-Forwarded-For and only fills it in when it is missing, so `scripts/peer-address.cjs` (preloaded by the image and
 * `nx start`) sets it to the socket's remote address before Next reads the request. The backend trusts exactly one
 * hop (this one) and reads the right-most entry, so every call the frontend makes for a browser (the /api forwarder,
 * server reads, Server Actions) sends that one address and nothing the client wrote: were the frontend ever put
 * behind another proxy, it would have to append instead and the backend trust two hops.
 */
export function peerAddress(headers: Headers): string | null {
  const entries = (headers.get('x-forwarded-for') ?? '').split(',');
  return entries.at(-1)?.trim() || null;
}
