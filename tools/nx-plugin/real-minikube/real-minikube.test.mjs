// Our minikube command lines against the REAL minikube CLI (k8s.io/minikube at the release minikube/profile.env pins,
// built by build.sh). No cluster can run here, so every check runs against a profile that does not exist, in a
// throwaway MINIKUBE_HOME and KUBECONFIG (nothing touches ~/.minikube or ~/.kube):
//   1. every minikube command line the fake-tool e2e tests record (tools/nx-plugin/e2e: the executor and the
//      minikube/*.sh helpers, as they build them) passes the real CLI's parser: no unknown command or flag, no usage;
//      so do the minikube commands the Markdown files give users (docker-env, image ls, addons enable, …);
//   2. the real CLI's answer to each of them (exit code, stdout, JSON) is what the fake minikube plays, so what the
//      e2e tests prove about our handling holds for the real one; minikube/*.sh and `nx run deploy:minikube --dry-run`
//      run with the real binary (profile_running false, status.sh/tunnel.sh advice, start.sh's flags through the real
//      `minikube start --dry-run` against the local Docker);
//   3. the real `addons list --output json`, with and without a profile whose config enables addons, read by
//      minikube/lib.sh addon_enabled and by the executor's registry transport.
// Usage: npx nx run nx-plugin:e2e-real-minikube
//   MINIKUBE_BIN=<real minikube> (default: build.sh builds or finds it), MINIKUBE_CALLS=<file of JSON argv lines>
//   (default: runs the fake-tool e2e tests with MINIKUBE_CALLS_LOG to record them; tools/ci/deploy.sh passes its own).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const e2e = path.join(root, 'tools/nx-plugin/e2e');
const fakeTool = path.join(e2e, 'fakes/fake-tool.mjs');
const nxBin = path.join(root, 'node_modules/nx/dist/bin/nx.js');
const PROFILE = 'todo-stack';

/** Every minikube subcommand our code runs: the recorded calls must cover them all, or a check would go missing. */
const EXPECTED = [
  'start',
  'status',
  'addons list',
  'addons enable',
  'image ls',
  'image load',
  'ip',
  'stop',
  'delete',
  'tunnel',
];
/**
 * What cobra and minikube print when a command line is wrong: cobra's errors and usage (exit 14, ExProgramUsage, in
 * cmd/minikube/cmd/root.go), a command's own usage message, or reason.Usage (MK_USAGE, exit 14 too) for anything but
 * the missing profile, which is the state these checks run in (`image` subcommands say so with MK_USAGE).
 */
const REFUSED =
  /unknown (command|flag|shorthand flag)|invalid argument|flag needs an argument|^Usage:|usage: minikube|Exiting due to MK_USAGE: (?!loading profile: cluster "[^"]+" does not exist)/m;
/** minikube refuses the docker driver as root without --force (DRV_AS_ROOT); CI runs as root, users don't. */
const AS_ROOT = process.getuid?.() === 0 ? ['--force'] : [];

let work;
let realMinikube;
let env;
before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'real-minikube-'));
  realMinikube = process.env.MINIKUBE_BIN || build();
  env = {
    ...process.env,
    MINIKUBE_HOME: path.join(work, 'minikube-home'),
    KUBECONFIG: path.join(work, 'kubeconfig'),
    // The release check asks GitHub (unreachable here); it is advice, not part of any answer we read.
    MINIKUBE_WANTUPDATENOTIFICATION: 'false',
    // minikube writes a log file per failed command to the temp dir.
    TMPDIR: path.join(work, 'tmp'),
    NO_COLOR: '1',
  };
  mkdirSync(env.MINIKUBE_HOME);
  mkdirSync(env.TMPDIR);
});
after(() => rmSync(work, { recursive: true, force: true }));

function build() {
  const result = spawnSync('bash', [path.join(here, 'build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  assert.equal(result.status, 0, 'build.sh could not build minikube');
  return result.stdout.trim();
}

/** The real minikube with ARGS; { code, stdout, stderr, output }. */
function real(args) {
  const r = spawnSync(realMinikube, args, { encoding: 'utf8', env, timeout: 120_000 });
  assert.equal(r.error, undefined, `minikube ${args.join(' ')}: ${r.error}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, output: `${r.stdout}\n${r.stderr}` };
}

/** The fake minikube (fakes/fake-tool.mjs) with ARGS and an empty state: no profile. */
function fake(args) {
  const dir = mkdtempSync(path.join(work, 'fake-'));
  const r = spawnSync(process.execPath, [fakeTool, 'minikube', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, FAKE_LOG: path.join(dir, 'calls.log'), FAKE_STATE: path.join(dir, 'state') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The minikube command lines the fake-tool e2e tests recorded, each once. */
function recordedCalls() {
  let file = process.env.MINIKUBE_CALLS;
  if (!file) {
    file = path.join(work, 'minikube-calls.jsonl');
    const suites = ['deploy-minikube.e2e.test.mjs', 'minikube-helpers.test.mjs'].map((f) => path.join(e2e, f));
    // Without NODE_TEST_CONTEXT, which this runner sets for its own child and which would make the inner one quiet.
    const outside = { ...process.env };
    delete outside.NODE_TEST_CONTEXT;
    const run = spawnSync(process.execPath, ['--test', ...suites], {
      cwd: root,
      encoding: 'utf8',
      env: { ...outside, MINIKUBE_CALLS_LOG: file },
    });
    assert.equal(
      run.status,
      0,
      `the fake-tool e2e tests failed, so their calls are no reference:\n${run.stdout}${run.stderr}`,
    );
  }
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return [...new Set(lines)].map((line) => JSON.parse(line));
}

/** `-p PROFILE addons list --output json` → 'addons list' (our code always names the profile first). */
function commandOf(argv) {
  assert.deepEqual(argv.slice(0, 1), ['-p'], `our calls name the profile first: minikube ${argv.join(' ')}`);
  const words = argv.slice(2).filter((arg) => !arg.startsWith('-'));
  return ['addons', 'image'].includes(words[0]) ? words.slice(0, 2).join(' ') : words[0];
}

/** The subcommand's first word: `-p todo-stack image ls` → image. */
const subcommand = (argv) => argv.find((arg, i) => !arg.startsWith('-') && argv[i - 1] !== '-p');
/** `minikube start` creates a cluster: only its validation runs here (--dry-run: flags, driver, resources). */
/**
 * start.sh's `--cni=<file>` named the kube-router manifest it wrote into the recording run's temporary cache, gone
 * by now (the real minikube stats it, even with --dry-run): the profile's own minikube/kube-router.yaml stands in.
 */
const withManifest = (argv) =>
  argv.map((arg) =>
    /^--cni=.*\/kube-router-\d+\.yaml$/.test(arg) && !existsSync(arg.slice('--cni='.length))
      ? `--cni=${path.join(root, 'minikube/kube-router.yaml')}`
      : arg,
  );
const runnable = (argv) => (subcommand(argv) === 'start' ? [...withManifest(argv), '--dry-run', ...AS_ROOT] : argv);

/** The command lines the real minikube refuses (or, for start, does not validate to the end), with its reason. */
function refusals(argvs) {
  const refused = [];
  for (const argv of argvs) {
    const r = real(runnable(argv));
    const validated = subcommand(argv) !== 'start' || r.output.includes('dry-run validation complete!');
    if (REFUSED.test(r.output) || !validated)
      refused.push(
        `minikube ${runnable(argv).join(' ')}\n  exit ${r.code}: ${r.output.trim().split('\n').slice(0, 4).join('\n  ')}`,
      );
  }
  return refused;
}

/**
 * The minikube command lines the Markdown files tell users to copy: code spans that name the profile
 * (`minikube -p todo-stack image ls`) or run inside $(…) (`eval $(minikube docker-env -u)`); prose that only names a
 * subcommand is not a command line. `<image>` stands for an image reference; lines with "…" are elided.
 */
function documentedCalls() {
  const files = spawnSync('git', ['ls-files', '*.md'], { cwd: root, encoding: 'utf8' }).stdout.split('\n');
  const lines = new Set();
  for (const file of files.filter(Boolean))
    for (const [span] of readFileSync(path.join(root, file), 'utf8').matchAll(/`[^`]+`/g))
      for (const [, inSubshell, rest] of span
        .replace(/\s+/g, ' ')
        .matchAll(/(?<![\w:/.-])(\$\()?minikube((?: [^\s)|&;"`]+)*)/g)) {
        const argv = rest.trim().split(' ').filter(Boolean);
        if ((!inSubshell && argv[0] !== '-p') || argv.some((arg) => arg.includes('…'))) continue;
        lines.add(JSON.stringify(argv.map((arg) => (/^<.+>$/.test(arg) ? 'todo-backend:nx-doc' : arg))));
      }
  return [...lines].map((line) => JSON.parse(line));
}

describe(`the real minikube CLI accepts and answers our command lines`, () => {
  let calls;
  before(() => {
    calls = recordedCalls();
  });

  it('the recorded calls cover every minikube subcommand our code runs', () => {
    const seen = new Set(calls.map(commandOf));
    assert.deepEqual(
      EXPECTED.filter((command) => !seen.has(command)),
      [],
      `not recorded: ${[...seen].join(', ')} seen`,
    );
  });

  it('the real version is the one minikube/profile.env pins', () => {
    const pinned = /^MINIKUBE_VERSION=(\S+)/m.exec(readFileSync(path.join(root, 'minikube/profile.env'), 'utf8'))?.[1];
    const version = real(['version', '--short']);
    assert.equal(version.code, 0, version.output);
    assert.equal(version.stdout.trim(), pinned);
  });

  it('1. each command line passes the real parser (no unknown command or flag, no usage)', () => {
    const refused = refusals(calls);
    assert.deepEqual(refused, [], `the real minikube refused:\n${refused.join('\n')}`);
  });

  it('1. each minikube command line the docs give users passes the real parser too (e.g. docker-env)', () => {
    const documented = documentedCalls();
    assert.ok(
      documented.some((argv) => argv.includes('docker-env')),
      documented.map((a) => a.join(' ')).join('\n'),
    );
    const refused = refusals(documented);
    assert.deepEqual(refused, [], `the real minikube refused:\n${refused.join('\n')}`);
  });

  it('1. every addon our calls name is one minikube ships (with no profile, `addons enable` stops before it checks)', () => {
    const shipped = Object.keys(JSON.parse(real(['addons', 'list', '--output', 'json']).stdout));
    const named = calls.flatMap((argv) => [
      ...(commandOf(argv) === 'addons enable' ? [argv.at(-1)] : []),
      ...argv.filter((arg) => arg.startsWith('--addons=')).flatMap((arg) => arg.slice('--addons='.length).split(',')),
    ]);
    assert.ok(named.includes('registry') && named.includes('metrics-server'), named.join(' '));
    assert.deepEqual(
      named.filter((addon) => !shipped.includes(addon)),
      [],
      `minikube ships: ${shipped.join(', ')}`,
    );
  });

  it('2. with no such profile, the real CLI answers each call as the fake plays it (exit code, stdout, JSON)', () => {
    const differ = [];
    for (const argv of calls.filter((a) => commandOf(a) !== 'start')) {
      const [r, f] = [real(argv), fake(argv)];
      const line = `minikube ${argv.join(' ')}`;
      if (r.code !== f.code)
        differ.push(`${line}: real exit ${r.code}, fake exit ${f.code}\n  real: ${r.output.trim()}`);
      else if (!r.stdout.trim() !== !f.stdout.trim())
        differ.push(`${line}: real stdout ${JSON.stringify(r.stdout)}, fake stdout ${JSON.stringify(f.stdout)}`);
      else if (argv.includes('json') && JSON.stringify(pick(r.stdout, f.stdout)) !== f.stdout.trim())
        differ.push(`${line}: real ${r.stdout.trim()}\n  fake ${f.stdout.trim()}`);
    }
    assert.deepEqual(differ, [], differ.join('\n'));
  });
});

/** The real JSON restricted to the keys the fake's JSON has (the fake plays a few addons of the real list). */
function pick(realJson, fakeJson) {
  const [r, f] = [JSON.parse(realJson), JSON.parse(fakeJson)];
  return Object.fromEntries(Object.keys(f).map((key) => [key, r[key]]));
}

/**
 * A bin directory for our scripts: the real minikube (`start` gets --dry-run: it would create a cluster) and, when
 * asked, the fake docker/kubectl/helm of the e2e tests; everything else comes from PATH (the real docker otherwise).
 */
function binDir(name, fakes = []) {
  const bin = path.join(work, name, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    path.join(bin, 'minikube'),
    `#!/bin/sh\nfor arg; do [ "$arg" = start ] && exec "${realMinikube}" "$@" --dry-run ${AS_ROOT.join(' ')}; done\nexec "${realMinikube}" "$@"\n`,
  );
  chmodSync(path.join(bin, 'minikube'), 0o755);
  for (const tool of fakes) {
    writeFileSync(path.join(bin, tool), `#!/bin/sh\nexec "${process.execPath}" "${fakeTool}" ${tool} "$@"\n`);
    chmodSync(path.join(bin, tool), 0o755);
  }
  return bin;
}

/** bash with minikube/lib.sh sourced and the profile loaded, running SCRIPT; { code, output }. */
function libSh(bin, script, extraEnv = {}) {
  const r = spawnSync('bash', ['-c', `source minikube/lib.sh && load_profile && ${script}`], {
    cwd: root,
    encoding: 'utf8',
    env: { ...env, PATH: `${bin}:${process.env.PATH}`, ...extraEnv },
  });
  return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
}

/** minikube/SCRIPT with the real minikube first on PATH; { code, output }. */
function script(bin, name, args = [], extraEnv = {}) {
  const r = spawnSync('bash', [path.join(root, 'minikube', name), ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, PATH: `${bin}:${process.env.PATH}`, ...extraEnv },
    timeout: 300_000,
  });
  return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe('minikube/*.sh with the real minikube, profile missing', () => {
  let bin;
  before(() => {
    bin = binDir('scripts');
  });

  it('lib.sh profile_running is false (and the real minikube is the one it ran)', () => {
    const r = libSh(bin, 'command -v minikube; if profile_running; then echo RUNNING; else echo NOT-RUNNING; fi');
    assert.equal(r.code, 0, r.output);
    assert.ok(r.output.startsWith(`${bin}/minikube\n`), r.output);
    assert.match(r.output, /^NOT-RUNNING$/m);
  });

  it('status.sh and tunnel.sh exit 1 and say how to start it; status.sh --quiet exits 1', () => {
    const status = script(bin, 'status.sh');
    assert.equal(status.code, 1, status.output);
    assert.match(status.output, /profile todo-stack is not running: minikube\/start\.sh/);
    assert.equal(script(bin, 'status.sh', ['--quiet']).code, 1);
    const tunnel = script(bin, 'tunnel.sh');
    assert.equal(tunnel.code, 1, tunnel.output);
    assert.match(tunnel.output, /profile todo-stack is not running/);
  });
});

describe('`addons list --output json` of the real CLI, read by lib.sh addon_enabled', () => {
  let bin;
  before(() => {
    bin = binDir('addons');
  });

  it('no such profile: every addon is listed without a status (exit 0), so none is enabled', () => {
    const list = real(['-p', PROFILE, 'addons', 'list', '--output', 'json']);
    assert.equal(list.code, 0, list.output);
    const json = JSON.parse(list.stdout);
    assert.deepEqual(json.ingress, {});
    const r = libSh(
      bin,
      'json="$(mk addons list --output json)"; addon_enabled ingress "$json" && echo ENABLED || echo DISABLED',
    );
    assert.match(r.output, /^DISABLED$/m, r.output);
  });

  it("a profile whose config enables ingress and registry: the real JSON's Status, read per addon", () => {
    // The profile's config as `minikube start` saves it (pkg/minikube/config: Name, Addons); `addons list` reads only
    // that (mustload.Partial), so the real CLI prints its real format for it without a cluster. A start would write
    // the full ClusterConfig; these are the fields the listing reads.
    const profile = 'addons-on';
    writeProfile(profile, { ingress: true, registry: true, 'metrics-server': false });
    const list = real(['-p', profile, 'addons', 'list', '--output', 'json']);
    assert.equal(list.code, 0, list.output);
    assert.deepEqual(JSON.parse(list.stdout).registry, { Profile: profile, Status: 'enabled' });
    for (const [addon, expected] of [
      ['ingress', 'ENABLED'],
      ['registry', 'ENABLED'],
      ['metrics-server', 'DISABLED'],
      ['dashboard', 'DISABLED'],
    ]) {
      const r = libSh(
        bin,
        `json="$(mk addons list --output json)"; addon_enabled ${addon} "$json" && echo ENABLED || echo DISABLED`,
        {
          MINIKUBE_PROFILE: profile,
        },
      );
      assert.match(r.output, new RegExp(`^${expected}$`, 'm'), `${addon}: ${r.output}`);
    }
  });
});

/** Writes MINIKUBE_HOME/.minikube/profiles/NAME/config.json with ADDONS (pkg/minikube/localpath, config/profile.go). */
function writeProfile(name, addons) {
  const dir = path.join(env.MINIKUBE_HOME, '.minikube', 'profiles', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      Name: name,
      Driver: 'docker',
      Addons: addons,
      KubernetesConfig: { KubernetesVersion: 'v1.35.4' },
    }),
  );
}

describe('npx nx run deploy:minikube --dry-run with the real minikube (fake docker and helm)', () => {
  /** Runs the executor; its reads (image ls, addons list, ip) reach the real minikube, its actions are printed. */
  function dryRun(name, profile, ...extra) {
    const bin = binDir(name, ['docker', 'helm', 'kubectl']);
    const dir = path.join(work, name);
    const images = {};
    for (const [app, tag] of [
      ['backend', 'nx-1'],
      ['frontend', 'nx-2'],
    ]) {
      mkdirSync(path.join(dir, 'nx-container', app), { recursive: true });
      writeFileSync(path.join(dir, 'nx-container', app, 'imageid'), `sha256:${app}-${tag}\n`);
      images[`sha256:${app}-${tag}`] = [`todo-${app}:${tag}`];
    }
    mkdirSync(path.join(dir, 'state'), { recursive: true });
    writeFileSync(path.join(dir, 'state', 'docker-images.json'), JSON.stringify(images));
    const r = spawnSync(
      process.execPath,
      [
        nxBin,
        'run',
        'deploy:minikube',
        '--dry-run',
        '--exclude-task-dependencies',
        '--skip-nx-cache',
        `--profile=${profile}`,
        ...extra,
      ],
      {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...env,
          PATH: `${bin}:${process.env.PATH}`,
          NX_DAEMON: 'false',
          NX_TUI: 'false',
          NX_NO_CLOUD: 'true',
          FAKE_LOG: path.join(dir, 'calls.log'),
          FAKE_STATE: path.join(dir, 'state'),
          IMAGE_REFS_CACHE_DIR: path.join(dir, 'nx-container'),
        },
      },
    );
    return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
  }

  it('no such profile: `image ls` fails, so both images would be loaded; the preview completes', () => {
    const r = dryRun('dry-load', PROFILE);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /\[dry-run\] minikube -p todo-stack image load todo-backend:nx-1/);
    assert.match(r.output, /\[dry-run\] minikube -p todo-stack image load todo-frontend:nx-2/);
  });

  it('--transport=registry: the real addons JSON decides whether the registry addon gets enabled', () => {
    const missing = dryRun('dry-registry-off', PROFILE, '--transport=registry');
    assert.match(missing.output, /\[dry-run\] minikube -p todo-stack addons enable registry/);
    writeProfile('registry-on', { registry: true });
    const enabled = dryRun('dry-registry-on', 'registry-on', '--transport=registry');
    assert.doesNotMatch(enabled.output, /addons enable registry/);
    // Then `minikube ip` has no node to name (no cluster): the executor stops with minikube's own reason, which the
    // real CLI prints on stdout for a missing profile.
    assert.notEqual(missing.code, 0, missing.output);
    assert.match(missing.output, /minikube -p todo-stack ip failed: \* Profile "todo-stack" not found/);
    assert.notEqual(enabled.code, 0, enabled.output);
    assert.match(enabled.output, /minikube -p registry-on ip failed: (?!no address)\S/);
  });
});

describe('minikube/start.sh with the real minikube (start --dry-run) and the local Docker', () => {
  it("the real `minikube start` validates start.sh's flags against the local Docker", (t) => {
    const docker = spawnSync('docker', ['info', '--format', '{{.NCPU}}'], { encoding: 'utf8' });
    if (docker.status !== 0) {
      const why = `no Docker daemon answers (docker info: ${(docker.stderr ?? docker.error?.message ?? '').trim()})`;
      // CI promises this check: a runner without Docker is a broken runner, not a reason to pass.
      if (!['', '0', 'false'].includes(process.env.CI ?? '')) {
        assert.fail(`${why}, and CI is set: this runner must provide Docker for the real \`minikube start\``);
      }
      t.skip(`${why}; the real start validates the driver against Docker (required when CI is set)`);
      return;
    }
    // The profile's CPUs, or what this machine's Docker has (start.sh refuses more, before minikube runs).
    const cpus = Math.min(
      Number(/^MINIKUBE_CPUS=(\d+)/m.exec(readFileSync(path.join(root, 'minikube/profile.env'), 'utf8'))[1]),
      Number(docker.stdout),
    );
    const r = script(binDir('start'), 'start.sh', [], { MINIKUBE_CPUS: String(cpus) });
    assert.match(r.output, /starting profile todo-stack: driver docker/, r.output);
    assert.match(r.output, /dry-run validation complete!/, r.output);
    // A dry run creates no profile, so the addons that follow (the profile's first one fails) have nothing to be
    // enabled on.
    const [firstAddon] = /^MINIKUBE_ADDONS=([\w-]+)/m
      .exec(readFileSync(path.join(root, 'minikube/profile.env'), 'utf8'))[1]
      .split(',');
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, new RegExp(`minikube addons enable ${firstAddon} failed`), r.output);
  });
});

describe('the profile against the real minikube', () => {
  // The profile runs the test cluster's Kubernetes build (CI: tools/minikube-node), a patch newer than minikube
  // v1.38.1 knows: `minikube start` accepts it after asking the GitHub API (or with --force, offline), but only in a
  // minor it knows (its kubeadm configuration and image versions are per minor).
  it("MINIKUBE_KUBERNETES_VERSION is in a minor of the real minikube's list of Kubernetes versions", () => {
    const pinned = /^MINIKUBE_KUBERNETES_VERSION=(\S+)/m.exec(
      readFileSync(path.join(root, 'minikube/profile.env'), 'utf8'),
    )?.[1];
    const minor = (version) => version.split('.').slice(0, 2).join('.');
    const list = real(['config', 'defaults', 'kubernetes-version', '--output', 'json']);
    assert.equal(list.code, 0, list.output);
    assert.ok(
      JSON.parse(list.stdout).some((known) => minor(known) === minor(pinned)),
      `${minor(pinned)} is not in ${list.stdout.slice(0, 80)}…`,
    );
  });
});
