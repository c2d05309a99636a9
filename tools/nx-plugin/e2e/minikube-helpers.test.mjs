// The minikube/*.sh helpers on their own, with the fake minikube, docker and kubectl of fakes/fake-tool.mjs on PATH
// (and no real ones): start, reuse, status, stop, delete, tunnel/port-forward, and the advice when a tool is missing.
//   node --test 'tools/nx-plugin/e2e/*.test.mjs'        (npx nx e2e nx-plugin)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const SYSTEM = ['bash', 'dirname', 'cat', 'grep', 'tr', 'sed', 'cksum', 'cut', 'mkdir', 'mv'];

let work;
before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'minikube-helpers-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

function setup(name, tools = ['minikube', 'docker', 'kubectl']) {
  const dir = path.join(work, name);
  const bin = path.join(dir, 'bin');
  mkdirSync(path.join(dir, 'state'), { recursive: true });
  mkdirSync(bin);
  for (const system of SYSTEM) {
    const found = spawnSync('sh', ['-c', `command -v ${system}`], {
      encoding: 'utf8',
    }).stdout.trim();
    if (found) symlinkSync(found, path.join(bin, system));
  }
  for (const tool of tools) {
    writeFileSync(
      path.join(bin, tool),
      `#!/bin/sh\nexec "${process.execPath}" "${path.join(here, 'fakes/fake-tool.mjs')}" ${tool} "$@"\n`,
    );
    chmodSync(path.join(bin, tool), 0o755);
  }
  const log = path.join(dir, 'calls.log');
  return {
    dir,
    /** What the fake helm leaves after `npx nx run deploy:minikube`: the release, so kubectl finds its Services. */
    deployed() {
      writeFileSync(
        path.join(dir, 'state/release-todo-stack-todo.json'),
        JSON.stringify({ name: 'todo-stack', apps: {} }),
      );
    },
    /** Runs minikube/<script>; returns { code, output, calls } for this run only. */
    run(script, args = [], env = {}) {
      const start = existsSync(log) ? readFileSync(log, 'utf8').length : 0;
      const result = spawnSync(path.join(bin, 'bash'), [path.join(root, 'minikube', script), ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: bin,
          FAKE_LOG: log,
          MINIKUBE_CALLS_LOG: process.env.MINIKUBE_CALLS_LOG,
          FAKE_STATE: path.join(dir, 'state'),
          TODO_STACK_CACHE: path.join(dir, 'cache'),
          ...env,
        },
      });
      const calls = existsSync(log)
        ? readFileSync(log, 'utf8')
            .slice(start)
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line).join(' '))
        : [];
      return {
        code: result.status,
        output: result.stdout + result.stderr,
        calls,
      };
    },
  };
}

describe('minikube/ helpers', () => {
  it('status, start, reuse, stop, start again, delete', () => {
    const h = setup('lifecycle');
    assert.equal(h.run('status.sh', ['--quiet']).code, 1);

    const start = h.run('start.sh');
    assert.equal(start.code, 0, start.output);
    // A new profile: the workspace mounted in the node for live update (the docker driver mounts only at creation).
    const cni = start.calls
      .map((call) =>
        /^minikube -p todo-stack start --driver=docker --cpus=4 --memory=8192 --disk-size=20g --kubernetes-version=v1\.35\.4 --cni=(\S+) --addons=metrics-server --mount-string=(\S+)$/.exec(
          call,
        ),
      )
      .find(Boolean);
    assert.equal(cni?.[2], `${root}:/todo-stack`, start.calls.join('\n'));
    // The profile's CNI: minikube/kube-router.yaml with KUBE_ROUTER_IMAGE, in the cache (minikube applies it again at
    // every start).
    assert.ok(cni[1].startsWith(`${path.join(h.dir, 'cache', 'minikube')}/kube-router-`), cni[1]);
    assert.equal(
      readFileSync(cni[1], 'utf8'),
      readFileSync(path.join(root, 'minikube/kube-router.yaml'), 'utf8'),
      'the profile’s image is the one the manifest names',
    );
    assert.equal(h.run('status.sh', ['--quiet']).code, 0);

    const before = h.run('status.sh');
    assert.equal(before.code, 0, before.output);
    assert.match(before.output, /node address: 192\.168\.49\.2/);
    assert.match(before.output, /addons:\n {2}metrics-server: enabled\n/);
    assert.match(before.output, /release todo-stack is not deployed in namespace todo: npx nx run deploy:minikube/);
    h.deployed();
    const status = h.run('status.sh');
    assert.match(status.output, /http:\/\/192\.168\.49\.2:30080\/ {3}\(NodePort of svc\/todo-stack-frontend\)/);

    const again = h.run('start.sh');
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /profile todo-stack is running: reusing it/);
    assert.equal(again.calls.filter((call) => call.includes(' start ')).length, 0);

    assert.equal(h.run('stop.sh').code, 0);
    assert.equal(h.run('status.sh', ['--quiet']).code, 1);
    const resumed = h.run('start.sh');
    assert.equal(resumed.code, 0, resumed.output);
    assert.ok(resumed.calls.some((call) => call.startsWith('minikube -p todo-stack start ')));
    // An existing profile keeps the mounts it was created with (a new one would be an error).
    assert.ok(!resumed.calls.some((call) => call.includes('--mount-string')), resumed.calls.join('\n'));
    assert.equal(h.run('status.sh', ['--quiet']).code, 0);

    const refused = h.run('delete.sh');
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /run minikube\/delete\.sh --yes/);
    assert.equal(refused.calls.filter((call) => call.includes('delete')).length, 0);
    const deleted = h.run('delete.sh', ['--yes']);
    assert.equal(deleted.code, 0, deleted.output);
    assert.deepEqual(deleted.calls, ['minikube -p todo-stack delete']);
    assert.equal(h.run('status.sh', ['--quiet']).code, 1);
  });

  it('the environment overrides profile.env', () => {
    const h = setup('override');
    const start = h.run('start.sh', [], {
      MINIKUBE_PROFILE: 'small',
      MINIKUBE_MEMORY: '4096',
      MINIKUBE_CPUS: '2',
    });
    assert.equal(start.code, 0, start.output);
    assert.ok(
      start.calls.some((call) => call.startsWith('minikube -p small start --driver=docker --cpus=2 --memory=4096 ')),
      start.calls.join('\n'),
    );
  });

  it('KUBE_ROUTER_IMAGE names the CNI manifest’s image (CI: its own build); MINIKUBE_CNI picks another CNI', () => {
    const h = setup('cni');
    const ci = h.run('start.sh', [], { KUBE_ROUTER_IMAGE: 'localhost/todo-stack/kube-router:v2.1.0' });
    assert.equal(ci.code, 0, ci.output);
    const manifest = / --cni=(\S+) /.exec(ci.calls.find((call) => call.includes(' start ')) ?? '')?.[1];
    assert.ok(manifest, ci.calls.join('\n'));
    const images = [...readFileSync(manifest, 'utf8').matchAll(/^ *image: (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(images, ['localhost/todo-stack/kube-router:v2.1.0', 'localhost/todo-stack/kube-router:v2.1.0']);
    h.run('delete.sh', ['--yes']);
    const bridge = h.run('start.sh', [], { MINIKUBE_CNI: 'bridge' });
    assert.equal(bridge.code, 0, bridge.output);
    assert.ok(
      bridge.calls.some((call) => call.includes(' start ') && / --cni=bridge /.test(call)),
      bridge.calls.join('\n'),
    );
  });

  it('MINIKUBE_START_ARGS adds flags to minikube start (CI: the offline node image)', () => {
    const h = setup('start-args');
    const start = h.run('start.sh', [], { MINIKUBE_START_ARGS: '--container-runtime=containerd  --preload=false' });
    assert.equal(start.code, 0, start.output);
    assert.ok(
      start.calls.some(
        (call) =>
          call.startsWith('minikube -p todo-stack start --driver=docker ') &&
          call.endsWith(
            ` --addons=metrics-server --container-runtime=containerd --preload=false --mount-string=${root}:/todo-stack`,
          ),
      ),
      start.calls.join('\n'),
    );
  });

  it('refuses to start with fewer CPUs than the profile asks for', () => {
    const h = setup('cpus');
    writeFileSync(
      path.join(work, 'cpus/state/docker-resources.json'),
      JSON.stringify({ cpus: 2, memory: 16 * 1024 ** 3 }),
    );
    const start = h.run('start.sh');
    assert.notEqual(start.code, 0);
    assert.match(start.output, /not enough CPUs: the profile wants 4 but Docker has 2.*MINIKUBE_CPUS=2/);
  });

  it('tunnel.sh runs minikube tunnel, --port-forward the frontend Service', () => {
    const h = setup('tunnel');
    assert.notEqual(h.run('tunnel.sh').code, 0, 'no profile yet');
    h.run('start.sh');
    assert.deepEqual(h.run('tunnel.sh').calls.slice(-1), ['minikube -p todo-stack tunnel']);
    assert.match(h.run('tunnel.sh', ['--port-forward']).output, /release todo-stack has no frontend Service/);
    h.deployed();
    assert.deepEqual(h.run('tunnel.sh', ['--port-forward', '9090']).calls.slice(-1), [
      'kubectl --context todo-stack --namespace todo port-forward svc/todo-stack-frontend 9090:3000',
    ]);
  });

  for (const script of ['start.sh', 'stop.sh', 'delete.sh', 'status.sh', 'tunnel.sh']) {
    it(`${script} without minikube: install advice, exit 127`, () => {
      const h = setup(`no-minikube-${script}`, ['docker', 'kubectl']);
      const result = h.run(script, ['--yes']);
      assert.equal(result.code, 127, result.output);
      assert.match(result.output, /minikube is not installed: see https:\/\/minikube\.sigs\.k8s\.io/);
    });
  }

  it('start.sh without docker: install advice, exit 127', () => {
    const h = setup('no-docker', ['minikube', 'kubectl']);
    const result = h.run('start.sh');
    assert.equal(result.code, 127, result.output);
    assert.match(result.output, /docker is not installed: .*Docker Desktop/);
  });
});
