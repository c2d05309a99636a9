import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The Minikube profile settings of minikube/profile.env (the same file the minikube/*.sh helpers read). */
export interface MinikubeProfile {
  MINIKUBE_PROFILE: string;
  MINIKUBE_DRIVER: string;
  MINIKUBE_CPUS: string;
  MINIKUBE_MEMORY: string;
  MINIKUBE_DISK_SIZE: string;
  MINIKUBE_KUBERNETES_VERSION: string;
  MINIKUBE_ADDONS: string;
  [key: string]: string;
}

const PROFILE_FILE = 'minikube/profile.env';

/** Parses KEY=value lines (comments and blank lines skipped); like lib.sh, a set environment variable wins. */
export function parseProfile(text: string, env: NodeJS.ProcessEnv = {}): MinikubeProfile {
  const values: Record<string, string> = {};
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`${PROFILE_FILE}:${index + 1}: cannot read '${raw}' (KEY=value expected)`);
    const [, key, value] = match;
    values[key] = env[key] || value;
  }
  for (const key of [
    'MINIKUBE_PROFILE',
    'MINIKUBE_DRIVER',
    'MINIKUBE_CPUS',
    'MINIKUBE_MEMORY',
    'MINIKUBE_KUBERNETES_VERSION',
    'MINIKUBE_ADDONS',
    'GATEWAY_API_VERSION',
  ]) {
    if (!values[key]) throw new Error(`${PROFILE_FILE} does not set ${key}`);
  }
  return values as MinikubeProfile;
}

export function readProfile(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): MinikubeProfile {
  return parseProfile(readFileSync(path.join(workspaceRoot, PROFILE_FILE), 'utf8'), env);
}

/**
 * Where minikube keeps its state, as its localpath.MiniPath() finds it: $MINIKUBE_HOME (itself when it is named
 * .minikube, else its .minikube), else $HOME/.minikube; undefined without either.
 */
export function minikubeDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const home = env['MINIKUBE_HOME'];
  if (home) return path.basename(home) === '.minikube' ? home : path.join(home, '.minikube');
  return env['HOME'] ? path.join(env['HOME'], '.minikube') : undefined;
}
