// Writes minikube-cli.json: the subcommands and flags of minikube at one release, read from its Go source (cobra
// commands, pflag definitions), for the strict fake minikube of the deploy e2e test. Run it against a clone of
// github.com/kubernetes/minikube when MINIKUBE_VERSION in minikube/profile.env changes:
//   node tools/nx-plugin/e2e/fakes/extract-minikube-cli.mjs <minikube git dir> <tag> > tools/nx-plugin/e2e/fakes/minikube-cli.json
import { execFileSync } from 'node:child_process';

const [gitDir, tag] = process.argv.slice(2);
if (!gitDir || !tag) {
  console.error('usage: extract-minikube-cli.mjs <minikube git dir> <tag>');
  process.exit(2);
}
const show = (file) => execFileSync('git', ['-C', gitDir, 'show', `${tag}:${file}`], { encoding: 'utf8' });
const ls = (dir) =>
  execFileSync('git', ['-C', gitDir, 'ls-tree', '--name-only', `${tag}`, `${dir}/`], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));

// String constants the flag definitions name: bare in their own package, qualified (flags.Interactive) elsewhere.
const PACKAGES = {
  cmd: 'cmd/minikube/cmd',
  config: 'pkg/minikube/config',
  configCmd: 'cmd/minikube/cmd/config',
  flags: 'cmd/minikube/cmd/flags',
  constants: 'pkg/minikube/constants',
};
const constants = {};
for (const [alias, dir] of Object.entries(PACKAGES))
  for (const file of ls(dir))
    for (const [, name, value] of show(file).matchAll(/^\s*(?:const\s+)?(\w+)\s*(?:string\s*)?=\s*"([^"]*)"/gm)) {
      constants[`${alias}.${name}`] = value;
      if (alias === 'cmd' || alias === 'configCmd') constants[`${alias}:${name}`] = value;
    }

/** Flags defined on `<variable>.Flags()` / `.PersistentFlags()` in one file: long name, shorthand, takes a value. */
function flagsOf(file, variable, alias) {
  const flags = {};
  const source = show(file);
  const pattern = new RegExp(`\\b${variable}\\.(?:Persistent)?Flags\\(\\)\\.(\\w+)\\(([^\\n]*)`, 'g');
  for (const [, method, rest] of source.matchAll(pattern)) {
    // Only the methods that define a flag (not Lookup, VisitAll, MarkHidden…).
    if (!/^(Bool|String|Int|Uint|Duration|Float|IP|Var)/.test(method)) continue;
    const args = rest.split(/,\s*/);
    if (args[0].startsWith('&') || /^VarP?$/.test(method)) args.shift(); // ...Var variants take the target first
    const name = args[0].startsWith('"')
      ? JSON.parse(args[0])
      : (constants[args[0].includes('.') ? args[0] : `${alias}:${args[0]}`] ?? constants[args[0]]);
    if (!name) throw new Error(`${file}: cannot resolve the flag name ${args[0]}`);
    const shorthand = method.endsWith('P') && args[1]?.startsWith('"') ? JSON.parse(args[1]) : undefined;
    flags[name] = { value: !/^Bool/.test(method), ...(shorthand ? { shorthand } : {}) };
  }
  return flags;
}

const COMMANDS = {
  // path (as typed after `minikube -p PROFILE`): [file, cobra variable, constant alias]
  start: ['cmd/minikube/cmd/start_flags.go', 'startCmd', 'cmd'],
  status: ['cmd/minikube/cmd/status.go', 'statusCmd', 'cmd'],
  ip: ['cmd/minikube/cmd/ip.go', 'ipCmd', 'cmd'],
  stop: ['cmd/minikube/cmd/stop.go', 'stopCmd', 'cmd'],
  delete: ['cmd/minikube/cmd/delete.go', 'deleteCmd', 'cmd'],
  tunnel: ['cmd/minikube/cmd/tunnel.go', 'tunnelCmd', 'cmd'],
  'image load': ['cmd/minikube/cmd/image.go', 'loadImageCmd', 'cmd'],
  'image ls': ['cmd/minikube/cmd/image.go', 'listImageCmd', 'cmd'],
  'addons list': ['cmd/minikube/cmd/config/addons_list.go', 'addonsListCmd', 'configCmd'],
  'addons enable': ['cmd/minikube/cmd/config/enable.go', 'addonsEnableCmd', 'configCmd'],
  'profile list': ['cmd/minikube/cmd/config/profile_list.go', 'profileListCmd', 'configCmd'],
};
const cli = {
  version: tag,
  source: `github.com/kubernetes/minikube@${tag}`,
  global: flagsOf('cmd/minikube/cmd/root.go', 'RootCmd', 'cmd'),
  commands: Object.fromEntries(
    Object.entries(COMMANDS).map(([command, [file, variable, alias]]) => [
      command,
      { file, flags: flagsOf(file, variable, alias) },
    ]),
  ),
};
// `image ls` is also `image list` (Aliases in cmd/minikube/cmd/image.go).
cli.commands['image list'] = cli.commands['image ls'];
process.stdout.write(`${JSON.stringify(cli, null, 1)}\n`);
