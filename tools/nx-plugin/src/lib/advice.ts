import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ADVICE_FILE = 'minikube/advice.txt';
export const TROUBLESHOOTING = 'docs/troubleshooting.md';

/** How to install each tool, from minikube/advice.txt (the file minikube/lib.sh's `need` reads too). */
export function readAdvice(workspaceRoot: string): Record<string, string> {
  const advice: Record<string, string> = {};
  for (const line of readFileSync(path.join(workspaceRoot, ADVICE_FILE), 'utf8').split(/\r?\n/)) {
    const match = /^([\w-]+): (.+)$/.exec(line);
    if (match) advice[match[1]] = match[2];
  }
  return advice;
}

export function toolAdvice(advice: Record<string, string>, tool: string): string {
  return advice[tool] ?? `${tool} is not installed`;
}
