import http from 'node:http';
import https from 'node:https';

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any JSON shape: each suite asserts on its fields
  json: () => any;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
  connectTo?: string;
  ca?: string;
  agent?: http.Agent | false;
  localAddress?: string;
}

/**
 * One HTTP(S) request with node:http and a hard timeout (undici's fetch can be left pending with nothing keeping the
 * event loop alive when docker-proxy accepts a connection the container does not serve yet).
 * - `agent`: false (the default) opens a new connection per request, so a request never rides a connection to a
 *   container or pod that is gone and kube-proxy balances each one; pass a keep-alive `http.Agent` to reuse one, as
 *   browsers and proxies do.
 * - `connectTo` sends the request to another address than the URL's host, with the URL's host name in the Host
 *   header and TLS SNI (what `curl --resolve host:port:address` does); `ca` trusts that certificate for HTTPS.
 * - `localAddress`: the address of this machine the connection comes from (`curl --interface`).
 */
export function request(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
    timeoutMs = 5_000,
    connectTo,
    ca,
    agent = false,
    localAddress,
  }: RequestOptions = {},
): Promise<Response> {
  const target = new URL(url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method,
        agent,
        timeout: timeoutMs,
        ...(connectTo ? { host: connectTo, hostname: connectTo, servername: target.hostname } : {}),
        ...(ca ? { ca } : {}),
        ...(localAddress ? { localAddress } : {}),
        headers: {
          host: target.host,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
