import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { setupTestApp } from '../helper.js';

/**
 * Timeouts on the listener, with short limits set through the config: a client sending its headers or its body a
 * few bytes at a time (slowloris) is answered 408 and disconnected long before it is done, and an idle keep-alive
 * connection is closed. Each slow client would go on for STEPS × STEP_MS, far past the limits; the assertion is that
 * the server, not the client, ended the conversation.
 */
const STEPS = 100;
const STEP_MS = 100;

interface Conversation {
  /** What the server sent. */
  received: string;
  /** Whether the server closed the connection before the client had sent everything. */
  closedByServer: boolean;
  /** Pieces the client managed to send before the connection closed. */
  sent: number;
}

/** Opens a raw connection, writes `head`, then `pieces` one every STEP_MS; resolves when either side is done. */
async function trickle(port: number, head: string, pieces: string[]): Promise<Conversation> {
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => undefined); // a write after the server's close: EPIPE/ECONNRESET
  const closing = new Promise<void>((resolve) => socket.on('close', () => ((closed = true), resolve())));
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(head);
  let sent = 0;
  for (const piece of pieces) {
    await sleep(STEP_MS);
    if (closed) break;
    socket.write(piece);
    sent += 1;
  }
  const closedByServer = closed;
  socket.destroy();
  await closing;
  return { received, closedByServer, sent };
}

describe('listener timeouts', () => {
  const ctx = setupTestApp({
    HTTP_HEADERS_TIMEOUT_MS: '300',
    HTTP_REQUEST_TIMEOUT_MS: '600',
    HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
    HTTP_IDLE_TIMEOUT_MS: '10000',
  });
  let port: number;
  beforeAll(async () => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    port = (ctx.app.server.address() as { port: number }).port;
  });

  it('answers 408 and disconnects a client that sends its headers too slowly', async () => {
    const lines = Array.from({ length: STEPS }, (_, i) => `x-slow-${i}: ${i}\r\n`);
    const { received, closedByServer, sent } = await trickle(port, 'GET /health HTTP/1.1\r\nHost: api\r\n', lines);
    expect(closedByServer).toBe(true);
    expect(sent).toBeLessThan(STEPS);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toContain('{"detail":"The request took too long to arrive: send it again."}');
  });

  it('disconnects a client that sends its body too slowly', async () => {
    const body = JSON.stringify({ email: 'slow@example.test', password: 'x'.repeat(STEPS * 3) });
    const head =
      'POST /api/auth/sign-in/email HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const pieces = body.match(/[^]{1,3}/g) ?? [];
    expect(pieces.length).toBeGreaterThan(STEPS);
    const { closedByServer, sent } = await trickle(port, head, pieces.slice(0, STEPS));
    expect(closedByServer).toBe(true);
    expect(sent).toBeLessThan(STEPS);
  });

  it('closes an idle keep-alive connection after its response', async () => {
    const idle = Array.from({ length: STEPS }, () => '');
    const { received, closedByServer } = await trickle(
      port,
      'GET /health HTTP/1.1\r\nHost: api\r\nConnection: keep-alive\r\n\r\n',
      idle,
    );
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received.toLowerCase()).toContain('keep-alive');
    expect(closedByServer).toBe(true);
  });

  it('still serves a client that sends at a normal pace', async () => {
    // Refused by the route's schema (no password), so the answer does not wait for a password hash.
    const body = JSON.stringify({ email: 'pace@example.test', remember: 'the answer is quick' });
    const head =
      'POST /api/auth/sign-in/email HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nConnection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    // The body in two halves, one step apart: well within the limits.
    const half = body.length / 2;
    const { received } = await trickle(port, head, [body.slice(0, half), body.slice(half), ...Array(STEPS).fill('')]);
    expect(received).toMatch(/^HTTP\/1\.1 422 /);
  });
});
