import { spawn } from 'node:child_process';

export interface Collected {
  /** The exit code (null when a signal ended it). */
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  seconds: number;
}

/**
 * Runs a command to its end, collecting stdout and stderr together and timing it: what suites that run the user's
 * own commands (`npx nx run deploy:minikube`, `minikube/*.sh`) assert on. Logs one `# command: exit N in S s` line.
 */
export function runCollecting(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Collected> {
  const started = Date.now();
  return new Promise<Collected>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, seconds: (Date.now() - started) / 1000 }));
  }).then((result) => {
    console.log(`# ${command} ${args.join(' ')}: exit ${result.code} in ${result.seconds} s`);
    return result;
  });
}
