import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { frontDoorInputs } from './front-door.ts';
import type { NormalizedOptions } from './options.ts';
import { MIGRATIONS_APP, userImageChoice } from './values.ts';

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

type Hash = ReturnType<typeof createHash>;

function addEntry(hash: Hash, key: string, value: string | Buffer) {
  hash.update(`${key}\0${value.length}\0`);
  hash.update(value);
}

/** Where and what the release is: its name, namespace and chart (every file of it), the values files, --set pairs. */
function addReleaseInputs(hash: Hash, root: string, o: NormalizedOptions, helmSets: string[]) {
  addEntry(hash, 'release', `${o.release}\0${o.namespace}\0${o.chart}`);
  const chart = path.join(root, o.chart);
  if (existsSync(chart) && statSync(chart).isDirectory())
    for (const file of listFiles(chart)) addEntry(hash, `chart:${file}`, readFileSync(path.join(chart, file)));
  else addEntry(hash, 'chart-ref', o.chart);
  for (const file of o.valuesFiles) {
    const full = path.join(root, file);
    // A missing file is hashed as such; helm then stops with its own "no such file" message.
    addEntry(hash, `values:${file}`, existsSync(full) ? readFileSync(full) : '<missing>');
  }
  for (const pair of helmSets) addEntry(hash, 'set', pair);
}

/** A label value holds at most 63 characters: the hex digest is cut to 48 (192 bits). */
const labelValue = (hash: Hash) => hash.digest('hex').slice(0, 48);

/**
 * sha256 of everything `helm upgrade` is given: the chart's files, each values file, the --set pairs (ours and the
 * image refs), and the options that decide where and what the release is; and of the front door installed before it
 * (the Gateway API CRDs' version and source, Traefik's image and manifest).
 */
export function deployFingerprint(root: string, o: NormalizedOptions, helmSets: string[]): string {
  const hash = createHash('sha256');
  addReleaseInputs(hash, root, o, helmSets);
  for (const ref of o.extraImages) addEntry(hash, 'extra-image', ref);
  for (const [key, value] of frontDoorInputs(root, o.frontDoorPlan)) addEntry(hash, key, value);
  return labelValue(hash);
}

/** The helm release label that carries the migrations key of the revision (see migrationsKey). */
export const MIGRATIONS_LABEL = 'todo-stack-migrations';

export type MigrationsKey = { key: string } | { unknown: string };

/**
 * What the chart's migration Job of an upgrade would do: which migrations (the files of `o.migrationsDir`, the
 * backend image's copy of them) against which database (the chart, values files and the user's --set pairs decide
 * DATABASE_URL). The image refs are left out: they change with every source edit, the migrations seldom. Unknown
 * when there is no such directory, or when a --set pair chooses the backend image (the workspace's migrations then
 * need not be the image's): such an upgrade always migrates.
 */
export function migrationsKey(root: string, o: NormalizedOptions): MigrationsKey {
  if (!o.migrationsDir) return { unknown: 'migrationsDir is empty' };
  const dir = path.resolve(root, o.migrationsDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { unknown: `${o.migrationsDir} is missing` };
  const image = userImageChoice(o, MIGRATIONS_APP);
  if (image) return { unknown: `--set ${image} chooses the ${MIGRATIONS_APP} image` };
  const hash = createHash('sha256');
  addReleaseInputs(hash, root, o, o.set);
  for (const file of listFiles(dir)) addEntry(hash, `migrations:${file}`, readFileSync(path.join(dir, file)));
  return { key: labelValue(hash) };
}
