import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { freePort, waitFor, waitUntilAnswers } from './index.ts';

const listen = async (server: Server | ReturnType<typeof createServer>, port = 0) => {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
};

describe('freePort', () => {
  test('a port nothing listens on, which a server can then take', async () => {
    const port = await freePort();
    const server = createServer();
    assert.equal(await listen(server, port), port);
    server.close();
  });

  test('within a range, and an error when every port of it is taken', async () => {
    const port = await freePort();
    assert.equal(await freePort({ range: [port, port] }), port);
    const taken = createServer();
    await listen(taken, port);
    after(() => taken.close());
    await assert.rejects(freePort({ range: [port, port] }), new RegExp(`no free port in ${port}-${port}`));
  });
});

describe('waitFor', () => {
  test('resolves with the first truthy value; a throwing check is "not yet"', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls += 1;
        if (calls === 1) throw new Error('not ready');
        return calls === 3 && 'ready';
      },
      { what: 'the third call', timeoutMs: 10_000, intervalMs: 1 },
    );
    assert.equal(value, 'ready');
    assert.equal(calls, 3);
  });

  test('a timeout names what was awaited and the last error', async () => {
    await assert.rejects(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { what: 'the database', timeoutMs: 20, intervalMs: 1 },
      ),
      /timed out after 20 ms waiting for the database: connection refused/,
    );
  });

  test('failWhen ends the wait at once, without another check', async () => {
    let calls = 0;
    await assert.rejects(
      waitFor(
        () => {
          calls += 1;
          return false;
        },
        { what: 'a pod', timeoutMs: 60_000, intervalMs: 1, failWhen: () => (calls >= 2 ? 'it crashed' : undefined) },
      ),
      /it crashed while waiting for a pod/,
    );
    assert.equal(calls, 2);
  });
});

describe('waitUntilAnswers', () => {
  test('waits through refused connections and 5xx answers until a 2xx', async () => {
    const port = await freePort();
    let requests = 0;
    const server = createHttpServer((_req, res) => {
      requests += 1;
      res.writeHead(requests < 3 ? 503 : 200).end();
    });
    after(() => server.close());
    // Nothing listens yet: the first attempts are refused.
    const waiting = waitUntilAnswers(`http://127.0.0.1:${port}/ready`, { timeoutMs: 30_000, intervalMs: 5 });
    setTimeout(() => server.listen(port, '127.0.0.1'), 30);
    await waiting;
    assert.equal(requests, 3);
  });

  test('a server process that exits ends the wait, with its output', async () => {
    const child = spawn(process.execPath, ['-e', 'console.error("EADDRINUSE"); process.exit(3)']);
    let output = '';
    child.stderr.on('data', (chunk) => (output += chunk));
    await once(child, 'exit');
    await assert.rejects(
      waitUntilAnswers(`http://127.0.0.1:${await freePort()}/`, {
        process: child,
        output: () => output,
        timeoutMs: 60_000,
      }),
      /the server exited \(3\) while waiting for .* to answer 2xx; its output:\nEADDRINUSE/,
    );
  });

  test('times out when nothing answers', async () => {
    const url = `http://127.0.0.1:${await freePort()}/health`;
    await assert.rejects(
      waitUntilAnswers(url, { timeoutMs: 50, intervalMs: 5, what: 'the backend' }),
      /timed out after 50 ms waiting for the backend/,
    );
  });
});
