// A stand-in for minikube, docker, kubectl and helm in the deploy executor's end-to-end test.
//   node fake-tool.mjs <tool> ARGS...
// Appends [tool, ...ARGS] as one JSON line to $FAKE_LOG, keeps its state in $FAKE_STATE, and behaves like the real
// tool as far as the deploy needs: a Minikube profile that starts and holds images, Docker images with tags, a Helm
// release whose Deployments get a new generation only when their pod template inputs change (Kubernetes' rule:
// an unchanged pod template is no rollout). With FAKE_REAL_HELM=<path>, `helm template` runs the real helm.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const [tool, ...args] = process.argv.slice(2);
const state = process.env.FAKE_STATE;
appendFileSync(process.env.FAKE_LOG, `${JSON.stringify([tool, ...args])}\n`);
mkdirSync(state, { recursive: true });

const file = (name) => path.join(state, name);
const readJson = (name, fallback) => (existsSync(file(name)) ? JSON.parse(readFileSync(file(name), 'utf8')) : fallback);
const writeJson = (name, value) => writeFileSync(file(name), JSON.stringify(value));
const out = (text) => process.stdout.write(text);
const fail = (message, code = 1) => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};
/** The value after FLAG (or of FLAG=value). */
const flag = (name) => {
  const at = args.indexOf(name);
  if (at >= 0) return args[at + 1];
  return args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
};
const all = (name) => args.flatMap((arg, i) => (arg === name ? [args[i + 1]] : []));

function docker() {
  if (args[0] === 'info')
    return out(
      `${readJson('docker-resources.json', { cpus: 8, memory: 16 * 1024 ** 3 }).cpus} ${readJson('docker-resources.json', { cpus: 8, memory: 16 * 1024 ** 3 }).memory}\n`,
    );
  if (args[0] === 'image' && args[1] === 'inspect') {
    const tags = readJson('docker-images.json', {})[args.at(-1)];
    if (!tags) fail(`Error: No such image: ${args.at(-1)}`);
    return out(`${JSON.stringify(tags)}\n`);
  }
  fail(`fake docker: unexpected ${args.join(' ')}`, 2);
}

function minikube() {
  if (args[0] !== '-p') fail('fake minikube: expected -p PROFILE first', 2);
  const profile = args[1];
  const [command, ...rest] = args.slice(2);
  const running = readJson('minikube.json', {})[profile];
  const save = (value) =>
    writeJson('minikube.json', {
      ...readJson('minikube.json', {}),
      [profile]: value,
    });
  switch (command) {
    case 'status':
      if (!running) fail(`Profile "${profile}" not found.`, 85);
      if (running.stopped) {
        out('Stopped Stopped\n');
        process.exit(7);
      }
      return out('Running Running\n');
    case 'start': {
      if (running) return save({ ...running, stopped: false });
      const addons = rest.filter((arg) => arg.startsWith('--addons=')).map((arg) => arg.slice('--addons='.length));
      save({ addons, images: running?.images ?? [] });
      return out(`Done! kubectl is now configured to use "${profile}" cluster\n`);
    }
    case 'addons':
      if (!running) fail(`Profile "${profile}" not found.`, 85);
      if (rest[0] === 'list') {
        const list = Object.fromEntries(
          ['ingress', 'metrics-server', 'dashboard'].map((name) => [
            name,
            {
              Profile: profile,
              Status: running.addons.includes(name) ? 'enabled' : 'disabled',
            },
          ]),
        );
        return out(`${JSON.stringify(list)}\n`);
      }
      if (rest[0] === 'enable') return save({ ...running, addons: [...running.addons, rest[1]] });
      break;
    case 'image':
      if (!running) fail(`Profile "${profile}" not found.`, 85);
      if (rest[0] === 'ls') return out(running.images.map((ref) => `docker.io/library/${ref}\n`).join(''));
      if (rest[0] === 'load') {
        const known = Object.values(readJson('docker-images.json', {})).flat();
        if (!known.includes(rest[1]))
          fail(`X Exiting due to GUEST_IMAGE_LOAD: ${rest[1]} not found in the local Docker daemon`);
        return save({ ...running, images: [...running.images, rest[1]] });
      }
      break;
    case 'ip':
      return out('192.168.49.2\n');
    case 'stop':
      if (!running) fail(`Profile "${profile}" not found.`, 85);
      return save({ ...running, stopped: true });
    case 'delete': {
      const profiles = readJson('minikube.json', {});
      delete profiles[profile];
      return writeJson('minikube.json', profiles);
    }
    case 'tunnel':
      return out('Tunnel successfully started\n');
  }
  fail(`fake minikube: unexpected ${args.join(' ')}`, 2);
}

function kubectl() {
  if (args.includes('port-forward')) return out('Forwarding from 127.0.0.1:8080 -> 3000\n');
  if (args[0] === 'config' && args[1] === 'current-context') {
    if (!process.env.FAKE_CURRENT_CONTEXT) fail('error: current-context is not set');
    return out(`${process.env.FAKE_CURRENT_CONTEXT}\n`);
  }
  if (args.includes('get') && args.includes('deployments')) {
    const release = readJson(`release-${flag('--context')}-${flag('--namespace')}.json`, null);
    if (!release) fail(`Error from server (NotFound): namespaces "${flag('--namespace')}" not found`);
    return out(
      JSON.stringify({
        items: Object.entries(release.apps).map(([app, { generation, image }]) => ({
          metadata: { name: `${release.name}-${app}`, generation },
          spec: { template: { spec: { containers: [{ image }] } } },
        })),
      }),
    );
  }
  fail(`fake kubectl: unexpected ${args.join(' ')}`, 2);
}

function helm() {
  const sets = all('--set');
  const valueFiles = all('-f').map((name) => readFileSync(name, 'utf8'));
  const image = (app) => {
    const get = (key) => sets.findLast((pair) => pair.startsWith(`${app}.image.${key}=`))?.split('=')[1];
    return `${get('repository')}:${get('tag')}`;
  };
  if (args[0] === 'upgrade') {
    const [, , name] = args;
    const key = `release-${flag('--kube-context')}-${flag('--namespace')}.json`;
    const release = readJson(key, { name, revision: 0, apps: {} });
    release.revision += 1;
    for (const app of ['backend', 'frontend']) {
      // What goes into this app's pod template: its image, its own --set keys, the values files and global keys.
      const podInputs = JSON.stringify({
        image: image(app),
        sets: sets.filter((pair) => !/^(backend|frontend)\./.test(pair) || pair.startsWith(`${app}.`)),
        valueFiles,
      });
      const previous = release.apps[app];
      release.apps[app] = {
        image: image(app),
        podInputs,
        generation: !previous ? 1 : previous.podInputs === podInputs ? previous.generation : previous.generation + 1,
      };
    }
    writeJson(key, release);
    return out(`Release "${name}" has been upgraded. Happy Helming!\nREVISION: ${release.revision}\n`);
  }
  if (args[0] === 'test') return out(`NAME: ${args[1]}\nPhase: Succeeded\n`);
  if (args[0] === 'template' && process.env.FAKE_REAL_HELM) {
    // Rendering changes nothing: hand it to the real helm, so the executor's arguments meet the real chart.
    const real = spawnSync(process.env.FAKE_REAL_HELM, args, {
      stdio: 'inherit',
    });
    process.exit(real.status ?? 1);
  }
  if (args[0] === 'template') {
    return out(
      ['backend', 'frontend']
        .map(
          (app) =>
            `---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${args[1]}-${app}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${app}\n          image: "${image(app)}"\n`,
        )
        .join(''),
    );
  }
  fail(`fake helm: unexpected ${args.join(' ')}`, 2);
}

({ docker, minikube, kubectl, helm })[tool]();
