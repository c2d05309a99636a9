import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { stackApps } from '../stack.mjs';

// The backend trusts exactly the hop in front of it wherever the frontend's /api forwarder is that hop: with no
// trusted hop every browser shares the forwarder's budget (one client locks out all others), with two a browser
// could name its own address in X-Forwarded-For.
describe('the backend trusts exactly one proxy hop behind the frontend', () => {
  it('npm start passes TRUST_PROXY_HOPS=1 to the backend, whatever the caller set', () => {
    for (const env of [{}, { TRUST_PROXY_HOPS: '0' }, { TRUST_PROXY_HOPS: '3' }]) {
      const backend = stackApps(env).apps.find((app) => app.name === 'backend');
      assert.equal(backend.env.TRUST_PROXY_HOPS, '1');
      // The forwarder is that hop: the frontend gets the backend's address.
      const frontend = stackApps(env).apps.find((app) => app.name === 'frontend');
      assert.equal(frontend.env.BACKEND_URL, 'http://127.0.0.1:8000');
      assert.equal(backend.host, '127.0.0.1');
    }
  });

  it('compose sets TRUST_PROXY_HOPS=1 on the backend, and the browser reaches it only through the frontend', async () => {
    const compose = parse(await readFile(new URL('../../../compose.yaml', import.meta.url), 'utf8'), { merge: true });
    assert.equal(String(compose.services.backend.environment.TRUST_PROXY_HOPS), '1');
    assert.equal(compose.services.frontend.environment.BACKEND_URL, 'http://backend:8000');
    // Published on loopback only: nothing outside the machine talks to the backend without the forwarder.
    assert.deepEqual(
      compose.services.backend.ports.map((port) => String(port).split(':')[0]),
      ['127.0.0.1'],
    );
  });
});
