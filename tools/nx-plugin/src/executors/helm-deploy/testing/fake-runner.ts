import type { CommandResult, RunOptions, Runner } from '../../../lib/runner.ts';

export type Handler = (args: string[], options: RunOptions) => Partial<CommandResult> | undefined;

/** A runner that records every command and answers from `handlers` (the longest matching prefix wins). */
export class FakeRunner implements Runner {
  calls: string[] = [];
  envs: (Record<string, string> | undefined)[] = [];
  out: string[] = [];
  err: string[] = [];
  constructor(
    private readonly handlers: Record<string, Handler> = {},
    private readonly installed = ['minikube', 'docker', 'helm', 'kubectl'],
  ) {}
  async run(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
    // The fingerprint and the migrations key depend on the chart's files: calls show them as FP and MK, answers
    // see the real values.
    const line = [command, ...args]
      .join(' ')
      .replace(/(deploy-fingerprint=)[0-9a-f]{48}/g, '$1FP')
      .replace(/(todo-stack-migrations=)[0-9a-f]{48}/g, '$1MK');
    this.calls.push(line);
    this.envs.push(options.env);
    const key = Object.keys(this.handlers)
      .filter((prefix) => line.startsWith(prefix))
      .sort((a, b) => b.length - a.length)[0];
    const answer = key ? this.handlers[key](args, options) : undefined;
    return { code: 0, stdout: '', stderr: '', ...answer };
  }
  which(command: string) {
    return this.installed.includes(command) ? `/usr/bin/${command}` : undefined;
  }
  info(message: string) {
    this.out.push(message);
  }
  error(message: string) {
    this.err.push(message);
  }
  get output() {
    return [...this.out, ...this.err].join('\n');
  }
}

/** The value after `flag` in an argument list. */
const argAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

/**
 * A Helm release as `helm upgrade --labels` / `helm list --selector` / `helm status` see it: each upgrade stores its
 * labels (the fingerprint, the migrations key) and `status` (deployed unless told otherwise) on the new revision; the
 * list shows the latest revision only when it carries the selector's label; status shows the latest revision (its
 * test hooks and `manifest`), or fails before the first upgrade.
 */
export class FakeRelease {
  labels: Record<string, string> = {};
  revision = 0;
  /** The --set pairs of each upgrade, in order. */
  upgrades: string[][] = [];
  constructor(
    public status = 'deployed',
    /** Phase of the last run of the chart's test hooks (`helm status -o json`). */
    public testPhase = 'Succeeded',
    /** The rendered manifest of each revision (`helm status -o json`'s `manifest`). */
    public manifest = '',
  ) {}
  get fingerprint(): string | undefined {
    return this.labels['todo-stack-deploy-fingerprint'];
  }
  handlers(): Record<string, Handler> {
    return {
      'helm upgrade': (args) => {
        this.labels = Object.fromEntries(
          argAfter(args, '--labels')
            .split(',')
            .map((pair) => pair.split('=')),
        );
        this.upgrades.push(args.filter((_, i) => args[i - 1] === '--set'));
        this.revision += 1;
        return {};
      },
      'helm status': () =>
        this.revision === 0
          ? { code: 1, stderr: 'Error: release: not found' }
          : {
              stdout: JSON.stringify({
                version: this.revision,
                info: { status: this.status },
                manifest: this.manifest,
                hooks: [{ events: ['test'], last_run: { phase: this.testPhase } }],
              }),
            },
      'helm list': (args) => {
        const [label, wanted] = argAfter(args, '--selector').split('=');
        const match = this.revision > 0 && wanted === this.labels[label];
        const name = argAfter(args, '--filter').replace(/^\^|\$$/g, '');
        return {
          stdout: JSON.stringify(match ? [{ name, status: this.status, revision: String(this.revision) }] : []),
        };
      },
    };
  }
}
