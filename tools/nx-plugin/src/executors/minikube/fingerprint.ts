import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { NormalizedOptions } from './options';

/**
 * The helm release label that carries the fingerprint. Why a release label: helm (>= 3.13; we pin 3.22 in
 * tools/helm/versions.env) stores `helm upgrade --labels` on the release's own Secret, next to its status, so the
 * fingerprint lives and dies with the revision it describes (a rollback or a failed upgrade carries its own) and
 * `helm list --selector` reads it back in one call without any object of ours in the namespace.
 */
export const FINGERPRINT_LABEL = 'todo-stack-deploy-fingerprint';

/** Files under `dir`, sorted, as paths relative to it (the whole chart: templates, values, Chart.yaml, tests). */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const relative = path.posix.join(prefix, entry.name);
      return entry.isDirectory() ? listFiles(dir, relative) : [relative];
    });
}

/**
 * sha256 of everything `helm upgrade` is given: the chart's files, each values file, the --set pairs (ours and the
 * image refs), and the options that decide where and what the release is. A label value holds at most 63
 * characters, so the hex digest is cut to 48 (192 bits).
 */
export function deployFingerprint(root: string, o: NormalizedOptions, helmSets: string[]): string {
  const hash = createHash('sha256');
  const add = (key: string, value: string | Buffer) => {
    hash.update(`${key}\0${value.length}\0`);
    hash.update(value);
  };
  add('release', `${o.release}\0${o.namespace}\0${o.chart}`);
  const chart = path.join(root, o.chart);
  if (existsSync(chart) && statSync(chart).isDirectory())
    for (const file of listFiles(chart)) add(`chart:${file}`, readFileSync(path.join(chart, file)));
  else add('chart-ref', o.chart);
  for (const file of o.valuesFiles) {
    const full = path.join(root, file);
    // A missing file is hashed as such; helm then stops with its own "no such file" message.
    add(`values:${file}`, existsSync(full) ? readFileSync(full) : '<missing>');
  }
  for (const pair of helmSets) add('set', pair);
  for (const ref of o.extraImages) add('extra-image', ref);
  return hash.digest('hex').slice(0, 48);
}
