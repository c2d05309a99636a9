// A stand-in for minikube, docker, kubectl and helm in the deploy executor's end-to-end test.
//   node fake-tool.mjs <tool> ARGS...
// Appends [tool, ...ARGS] as one JSON line to $FAKE_LOG, keeps its state in $FAKE_STATE, and behaves like the real
// tool as far as the deploy needs: a Minikube profile that starts and holds images, Docker images with tags, a Helm
// release whose Deployments get a new generation only when their pod template inputs change (Kubernetes' rule:
// an unchanged pod template is no rollout) and whose latest revision keeps its `--labels` for `helm list --selector`.
// minikube is strict: only the subcommands and flags minikube v1.38.1 defines, printed in its formats (see
// MINIKUBE_CLI below). With FAKE_REAL_HELM=<path>, `helm template` runs the real helm. With MINIKUBE_CALLS_LOG=<file>,
// every minikube command line is also appended there, for tools/nx-plugin/real-minikube (the real CLI must accept it).
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const [tool, ...args] = process.argv.slice(2);
const state = process.env.FAKE_STATE;
appendFileSync(process.env.FAKE_LOG, `${JSON.stringify([tool, ...args])}\n`);
if (tool === 'minikube' && process.env.MINIKUBE_CALLS_LOG)
  appendFileSync(process.env.MINIKUBE_CALLS_LOG, `${JSON.stringify(args)}\n`);
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
    // docker image inspect --format {{json .RepoTags}} ID…: a line per image it has, in order; an error per other.
    const images = readJson('docker-images.json', {});
    const ids = args.slice(args.indexOf('--format') + 2);
    for (const id of ids) if (images[id]) out(`${JSON.stringify(images[id])}\n`);
    const missing = ids.filter((id) => !images[id]);
    if (missing.length) fail(missing.map((id) => `Error: No such image: ${id}`).join('\n'));
    return;
  }
  if (args[0] === 'tag') {
    // docker tag SOURCE TARGET: TARGET names the same image.
    const images = readJson('docker-images.json', {});
    const id = Object.keys(images).find((key) => images[key].includes(args[1]));
    if (!id) fail(`Error response from daemon: No such image: ${args[1]}`);
    images[id] = [...new Set([...images[id], args[2]])];
    return writeJson('docker-images.json', images);
  }
  if (args[0] === 'push') {
    // docker push NAME:TAG: the registry's host is the name's first part; the fake registry records the refs.
    const known = Object.values(readJson('docker-images.json', {})).flat();
    if (!known.includes(args[1]))
      fail(`An image does not exist locally with the tag: ${args[1].replace(/:[^:/]*$/, '')}`);
    writeJson('registry.json', [...readJson('registry.json', []), args[1]]);
    return out(`The push refers to repository [${args[1].replace(/:[^:/]*$/, '')}]\n`);
  }
  fail(`fake docker: unexpected ${args.join(' ')}`, 2);
}

/**
 * minikube's command line at the version minikube/profile.env pins (MINIKUBE_VERSION), from its source: the flags
 * of each subcommand the scripts use and the global ones (minikube-cli.json, written by extract-minikube-cli.mjs
 * from cmd/minikube/cmd/{root,start_flags,status,ip,stop,delete,tunnel,image}.go and
 * cmd/minikube/cmd/config/{addons_list,enable,profile_list}.go). Anything else is refused the way cobra does
 * (exit 14, reason.ExProgramUsage in cmd/minikube/cmd/root.go's Execute), and the e2e test fails on it.
 */
const MINIKUBE_CLI = JSON.parse(readFileSync(new URL('./minikube-cli.json', import.meta.url), 'utf8'));
const usage = (message) => fail(`Error: ${message}\nSee 'minikube --help' for usage.`, 14);

/** Splits minikube ARGS into the subcommand path, its flags (long name → values) and positional arguments. */
function parseMinikube(argv) {
  const words = argv.filter((arg, i) => !arg.startsWith('-') && !takesValue(argv, i - 1));
  const command = MINIKUBE_CLI.commands[words.slice(0, 2).join(' ')] ? words.slice(0, 2).join(' ') : words[0];
  const spec = MINIKUBE_CLI.commands[command];
  if (!spec) usage(`unknown command "${words[0] ?? ''}" for "minikube"`);
  const known = { ...MINIKUBE_CLI.global, ...spec.flags };
  const flags = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const [raw, inline] = arg.replace(/^--?/, '').split(/=(.*)/s);
    const name = long ? raw : Object.keys(known).find((key) => known[key].shorthand === raw);
    if (!name || !known[name]) usage(long ? `unknown flag: --${raw}` : `unknown shorthand flag: '${raw}' in ${arg}`);
    let value = inline;
    if (value === undefined) value = known[name].value ? argv[++i] : 'true';
    if (value === undefined) usage(`flag needs an argument: ${arg}`);
    (flags[name] ??= []).push(value);
  }
  return { command, flags, positional: positional.slice(command.split(' ').length) };
}
function takesValue(argv, i) {
  const arg = argv[i];
  if (!arg?.startsWith('-') || arg.includes('=')) return false;
  const raw = arg.replace(/^--?/, '');
  const all = {
    ...MINIKUBE_CLI.global,
    ...Object.assign({}, ...Object.values(MINIKUBE_CLI.commands).map((c) => c.flags)),
  };
  const spec = arg.startsWith('--') ? all[raw] : Object.values(all).find((f) => f.shorthand === raw);
  return !!spec?.value;
}

/** `status` fields as cluster.Status has them (pkg/minikube/cluster/status.go), in its JSON field order. */
const clusterStatus = (profile, running) => {
  const state = running ? 'Running' : 'Stopped';
  return {
    Name: profile,
    Host: state,
    Kubelet: state,
    APIServer: state,
    Kubeconfig: running ? 'Configured' : 'Stopped',
    Worker: false,
  };
};
/** defaultStatusFormat of cmd/minikube/cmd/status.go. */
const STATUS_TEXT = (s) =>
  `${s.Name}\ntype: Control Plane\nhost: ${s.Host}\nkubelet: ${s.Kubelet}\napiserver: ${s.APIServer}\nkubeconfig: ${s.Kubeconfig}\n\n`;
/** The addons minikube ships include these (pkg/minikube/assets/addons.go); the lists print them sorted. */
const ADDONS = {
  dashboard: 'Kubernetes',
  ingress: 'Kubernetes',
  'metrics-server': 'Kubernetes',
  registry: 'minikube',
};

/** `addons list` as tablewriter v1.1.3 renders it (cmd/minikube/cmd/config/addons_list.go printAddonsList). */
function addonsTable(profile, enabled) {
  const green = (cell, on) => (on ? `\u001b[32m${cell}\u001b[0m` : cell);
  const rows = Object.entries(ADDONS).map(([name, maintainer]) => {
    const on = enabled.includes(name);
    return [name, profile, on ? 'enabled ✅' : 'disabled', maintainer].map((cell) => ({ cell, on }));
  });
  const header = ['ADDON NAME', 'PROFILE', 'STATUS', 'MAINTAINER'];
  const width = header.map((h, c) =>
    Math.max(h.length, ...rows.map((r) => [...r[c].cell].length + (r[c].cell.includes('✅') ? 1 : 0))),
  );
  const line = (l, m, r) => `${l}${width.map((w) => '─'.repeat(w + 2)).join(m)}${r}\n`;
  const pad = (text, w, center) => {
    const gap = w - [...text].length - (text.includes('✅') ? 1 : 0);
    return center
      ? `${' '.repeat(Math.floor(gap / 2))}${text}${' '.repeat(Math.ceil(gap / 2))}`
      : `${text}${' '.repeat(gap)}`;
  };
  return (
    line('┌', '┬', '┐') +
    `│ ${header.map((h, c) => pad(h, width[c], true)).join(' │ ')} │\n` +
    line('├', '┼', '┤') +
    // printAddonsList colours the values of enabled rows before tablewriter pads them.
    rows
      .map((r) => `│ ${r.map(({ cell, on }, c) => pad(cell, width[c]).replace(cell, green(cell, on))).join(' │ ')} │\n`)
      .join('') +
    line('└', '┴', '┘')
  );
}

/** The profile's directory in minikube's state: MINIKUBE_HOME's .minikube (localpath.MiniPath), profiles/<name>. */
const profileDir = (name) => {
  const home = process.env.MINIKUBE_HOME;
  return path.join(path.basename(home) === '.minikube' ? home : path.join(home, '.minikube'), 'profiles', name);
};
/**
 * The profile's saved config as minikube writes it (config.ClusterConfig in profiles/<name>/config.json): the addons
 * and the node's address, what the deploy reads of it. Only under MINIKUBE_HOME: the fake never writes ~/.minikube.
 */
function saveConfig(name, profile) {
  if (!process.env.MINIKUBE_HOME) return;
  mkdirSync(profileDir(name), { recursive: true });
  const config = {
    Name: name,
    Driver: profile.flags?.driver?.at(-1) ?? 'docker',
    Addons: Object.fromEntries(profile.addons.map((addon) => [addon, true])),
    Nodes: [{ Name: '', IP: '192.168.49.2', Port: 8443, ControlPlane: true, Worker: true }],
  };
  writeFileSync(path.join(profileDir(name), 'config.json'), JSON.stringify(config));
}

function minikube() {
  const { command, flags, positional } = parseMinikube(args);
  const one = (name, fallback) => flags[name]?.at(-1) ?? fallback;
  const profile = one('profile', 'minikube');
  const profiles = readJson('minikube.json', {});
  const running = profiles[profile];
  const save = (value) => {
    writeJson('minikube.json', { ...readJson('minikube.json', {}), [profile]: value });
    saveConfig(profile, value);
  };
  // mustload.Partial/Running (pkg/minikube/mustload/mustload.go): an unknown profile ends every command but start.
  // On stdout, as out.Styled prints it: a caller must read the exit code, not whether stdout is empty.
  const notFound = () => {
    out(
      `🤷  Profile "${profile}" not found. Run "minikube profile list" to view all profiles.\n👉  To start a cluster, run: "minikube start -p ${profile}"\n`,
    );
    process.exit(85);
  };
  // `image` subcommands load the profile themselves and end with reason.Usage (exit 14) when it is missing
  // (cmd/minikube/cmd/image.go); tools/nx-plugin/real-minikube checks these answers against the real CLI.
  const noCluster = () => fail(`❌  Exiting due to MK_USAGE: loading profile: cluster "${profile}" does not exist`, 14);
  switch (command) {
    case 'status': {
      if (!running) notFound();
      const status = clusterStatus(profile, !running.stopped);
      const output = one('output', 'text');
      if (output === 'json') out(`${JSON.stringify(status)}\n`);
      else if (flags.format)
        out(one('format').replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, field) => String(status[field] ?? '<no value>')));
      else out(STATUS_TEXT(status));
      return process.exit(running.stopped ? 7 : 0); // exitCode(): host 1 + cluster 2 + kubernetes 4
    }
    case 'start': {
      if (running) return save({ ...running, stopped: false });
      save({ addons: (flags.addons ?? []).flatMap((a) => a.split(',')), images: [], flags });
      return out(
        `🏄  Done! kubectl is now configured to use "${profile}" cluster and "default" namespace by default\n`,
      );
    }
    case 'addons list': {
      // No such profile: every addon without a status, exit 0 (addons_list.go printAddonsJSON with a nil config).
      if (one('output', 'list') === 'json') {
        const list = Object.fromEntries(
          Object.keys(ADDONS).map((name) => [
            name,
            running ? { Profile: profile, Status: running.addons.includes(name) ? 'enabled' : 'disabled' } : {},
          ]),
        );
        return out(`${JSON.stringify(list)}\n`);
      }
      if (!running) notFound(); // the fake plays the table only for a profile that exists
      return out(addonsTable(profile, running.addons));
    }
    case 'addons enable':
      if (!running) notFound();
      save({ ...running, addons: [...running.addons, positional[0]] });
      return out(`🌟  The '${positional[0]}' addon is enabled\n`);
    case 'image ls':
    case 'image list':
      if (!running) noCluster();
      // The default "short" format: every repo tag, reverse-sorted (pkg/minikube/machine/cache_images.go ListImages).
      return out(
        `${running.images
          .map((ref) => `docker.io/library/${ref}`)
          .sort()
          .reverse()
          .join('\n')}\n`,
      );
    case 'image load': {
      if (!running) noCluster();
      const known = Object.values(readJson('docker-images.json', {})).flat();
      if (!known.includes(positional[0]))
        fail(
          `❌  Exiting due to GUEST_IMAGE_LOAD: Failed to load image: ${positional[0]} not found in the local Docker daemon`,
          80,
        );
      return save({ ...running, images: [...running.images, positional[0]] });
    }
    case 'profile list': {
      const valid = Object.entries(profiles).map(([name, p]) => ({
        Name: name,
        Status: p.stopped ? 'Stopped' : 'OK', // cluster.State StatusName (pkg/minikube/cluster/status.go)
        Config: {
          Name: name,
          Driver: p.flags?.driver?.at(-1) ?? 'docker',
          KubernetesConfig: { KubernetesVersion: p.flags?.['kubernetes-version']?.at(-1) ?? '' },
        },
        Active: name === profile,
        ActiveKubeContext: name === profile,
      }));
      if (one('output', 'table') !== 'json') usage('fake minikube: profile list prints only -o json here');
      return out(JSON.stringify({ invalid: [], valid })); // printProfilesJSON writes no newline
    }
    case 'ip':
      if (!running) notFound();
      return out('192.168.49.2\n'); // out.Ln(n.IP), cmd/minikube/cmd/ip.go
    case 'stop':
      if (!running) notFound();
      save({ ...running, stopped: true });
      return out(`✋  Stopping node "${profile}"  ...\n🛑  1 node stopped.\n`);
    case 'delete': {
      delete profiles[profile];
      writeJson('minikube.json', profiles);
      if (process.env.MINIKUBE_HOME) rmSync(profileDir(profile), { recursive: true, force: true });
      return out(`🔥  Deleting "${profile}" in docker ...\n💀  Removed all traces of the "${profile}" cluster.\n`);
    }
    case 'tunnel':
      if (!running) notFound();
      return out('✅  Tunnel successfully started\n');
  }
  usage(`fake minikube: "${command}" is a real subcommand the fake does not play`);
}

/** The release the fake helm installed in the context and namespace of this command (kubectl or helm flags). */
const releaseKey = () =>
  `release-${flag('--context') ?? flag('--kube-context')}-${flag('--namespace') ?? flag('-n')}.json`;

function kubectl() {
  if (args.includes('port-forward')) return out('Forwarding from 127.0.0.1:8080 -> 3000\n');
  // The API server of a Minikube profile's context (named after the profile) answers while the profile runs.
  if (args.includes('--raw') && flag('--raw') === '/readyz') {
    const context = flag('--context');
    const profile = readJson('minikube.json', {})[context];
    if (!profile) fail(`error: context "${context}" does not exist`);
    if (profile.stopped) fail('Unable to connect to the server: dial tcp 192.168.49.2:8443: connect: no route to host');
    return out('ok');
  }
  if (args[0] === 'config' && args[1] === 'current-context') {
    if (!process.env.FAKE_CURRENT_CONTEXT) fail('error: current-context is not set');
    return out(`${process.env.FAKE_CURRENT_CONTEXT}\n`);
  }
  // The front door (Gateway API CRDs, Traefik): applied objects are recorded by file, as the cluster would keep them.
  if (args.includes('apply')) {
    const source = flag('-f');
    const text = /^https?:/.test(source) ? `# ${source}\n` : readFileSync(source, 'utf8');
    writeJson('applied.json', { ...readJson('applied.json', {}), [source]: text });
    return out(`applied ${source}\n`);
  }
  if (args.includes('wait') || (args.includes('rollout') && args.includes('status'))) return out('');
  const release = readJson(releaseKey(), null);
  if (args.includes('get') && args.includes('deployments')) {
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
  if (args.includes('get') && args.includes('services')) {
    // minikube/lib.sh frontend_service: the frontend Service by the chart's labels, as "NAME NODEPORT" lines.
    if (!flag('-o')?.startsWith('jsonpath=') || !flag('-l')?.includes('app.kubernetes.io/component=frontend'))
      fail(`fake kubectl: unexpected ${args.join(' ')}`, 2);
    return out(release && flag('-l').includes(`instance=${release.name},`) ? `${release.name}-frontend 30080\n` : '');
  }
  if (args.includes('get') && (args.includes('pods') || args.includes('events'))) {
    // A failed release: its backend pod cannot start its image (the diagnosis reads this).
    const failing = release?.status === 'failed';
    const kind = args.includes('pods') ? 'pods' : 'events';
    const pod = `${release?.name}-backend-6c5d7f8b9-q8w2e`;
    const items = !failing
      ? []
      : kind === 'pods'
        ? [
            {
              metadata: { name: pod },
              status: {
                phase: 'Pending',
                conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
                containerStatuses: [
                  {
                    name: 'backend',
                    ready: false,
                    restartCount: 0,
                    state: {
                      waiting: {
                        reason: 'ErrImageNeverPull',
                        message: `Container image "${release.apps.backend.image}" is not present with pull policy of Never`,
                      },
                    },
                  },
                ],
              },
            },
          ]
        : [
            {
              involvedObject: { kind: 'Pod', name: pod },
              type: 'Warning',
              reason: 'ErrImageNeverPull',
              message: `Container image "${release.apps.backend.image}" is not present with pull policy of Never`,
              count: 4,
              lastTimestamp: '2026-11-30T02:10:30Z',
            },
          ];
    return out(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  }
  fail(`fake kubectl: unexpected ${args.join(' ')}`, 2);
}

/** The release's rendered manifest, as far as the executor reads it: the frontend's NodePort Service. */
const manifest = (release) =>
  `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${release.name}-frontend\n  labels:\n    app.kubernetes.io/component: frontend\nspec:\n  type: NodePort\n  ports:\n    - name: http\n      port: 3000\n      nodePort: 30080\n`;

function helm() {
  const sets = all('--set');
  const valueFiles = all('-f').map((name) => readFileSync(name, 'utf8'));
  const image = (app) => {
    const get = (key) => sets.findLast((pair) => pair.startsWith(`${app}.image.${key}=`))?.split('=')[1];
    return `${get('repository')}:${get('tag')}`;
  };
  if (args[0] === 'upgrade') {
    const [, , name] = args;
    const release = readJson(releaseKey(), { name, revision: 0, apps: {} });
    release.revision += 1;
    release.labels = Object.fromEntries(all('--labels').flatMap((list) => list.split(',').map((kv) => kv.split('='))));
    for (const app of ['backend', 'frontend']) {
      // What goes into this app's pod template: its image, its own --set keys, the values files and global keys
      // (not backend.migrations.*: those shape the migration Job only).
      const podInputs = JSON.stringify({
        image: image(app),
        sets: sets.filter(
          (pair) =>
            !/^(backend|frontend)\./.test(pair) ||
            (pair.startsWith(`${app}.`) && !pair.startsWith('backend.migrations.')),
        ),
        valueFiles,
      });
      const previous = release.apps[app];
      release.apps[app] = {
        image: image(app),
        podInputs,
        generation: !previous ? 1 : previous.podInputs === podInputs ? previous.generation : previous.generation + 1,
      };
    }
    // FAKE_UNREADY_TAG=<tag>: a backend with that tag never gets Ready, so --wait times out.
    release.status = image('backend').endsWith(`:${process.env.FAKE_UNREADY_TAG}`) ? 'failed' : 'deployed';
    writeJson(releaseKey(), release);
    if (release.status === 'failed') fail(`Error: UPGRADE FAILED: context deadline exceeded`);
    return out(`Release "${name}" has been upgraded. Happy Helming!\nREVISION: ${release.revision}\n`);
  }
  if (args[0] === 'list') {
    // helm list --filter ^NAME$ --all --selector KEY=VALUE -o json: the latest revision, when its labels match.
    const release = readJson(releaseKey(), null);
    const [key, value] = flag('--selector').split('=');
    const match = release && new RegExp(flag('--filter')).test(release.name) && release.labels?.[key] === value;
    return out(
      `${JSON.stringify(match ? [{ name: release.name, namespace: flag('--namespace'), revision: String(release.revision), status: release.status }] : [])}\n`,
    );
  }
  if (args[0] === 'get' && args[1] === 'manifest') {
    const release = readJson(releaseKey(), null);
    if (!release) fail('Error: release: not found');
    return out(manifest(release));
  }
  if (args[0] === 'test') {
    const release = readJson(releaseKey(), null);
    writeJson(releaseKey(), { ...release, testPhase: 'Succeeded' });
    return out(`NAME: ${args[1]}\nPhase: Succeeded\n`);
  }
  if (args[0] === 'history') {
    const release = readJson(releaseKey(), null);
    if (!release) fail('Error: release: not found');
    const past = Array.from({ length: release.revision - 1 }, (_, i) => ({ revision: i + 1, status: 'superseded' }));
    return out(`${JSON.stringify([...past, { revision: release.revision, status: release.status }])}\n`);
  }
  if (args[0] === 'status') {
    // The parts of `helm status -o json` the executor reads: the test hooks' last run and the manifest.
    const release = readJson(releaseKey(), null);
    if (!release) fail('Error: release: not found');
    return out(
      `${JSON.stringify({ name: release.name, info: { status: release.status }, manifest: manifest(release), hooks: [{ events: ['test'], last_run: { phase: release.testPhase ?? '' } }] })}\n`,
    );
  }
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
