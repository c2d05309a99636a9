import type { MinikubeProfile } from '../../lib/profile.ts';
import { frontDoorPlan, type FrontDoorPlan } from './front-door.ts';
import type { HelmDeployExecutorSchema } from './schema.js';
import schema from './schema.json' with { type: 'json' };

export interface NormalizedOptions {
  profile: string;
  namespace: string;
  release: string;
  chart: string;
  valuesFiles: string[];
  set: string[];
  dryRun: boolean;
  skipBuild: boolean;
  force: boolean;
  /** '' = Minikube mode. */
  kubeContext: string;
  loadCommand: string;
  /** How images get into the cluster: whole images (load) or only their missing layers (registry). */
  transport: 'load' | 'registry';
  /** transport=registry: where Docker pushes ('' = Minikube's registry addon at `minikube ip`:5000). */
  registry: string;
  /** transport=registry: the same registry as the nodes name it ('' = localhost:5000 on Minikube, else registry). */
  clusterRegistry: string;
  extraImages: string[];
  timeout: string;
  helmTest: boolean;
  host: string;
  watch: boolean;
  /** With watch: live update (live/session.ts). */
  live: boolean;
  /** With live and kubeContext: the workspace's path on the node ('' = its path here). */
  liveWorkspace: string;
  cleanup: boolean;
  /** Local port of the frontend port-forward in watch mode; 0 = none. */
  port: number;
  /** Quiet period (ms) that ends a burst of saves in watch mode (schema.json: no default, it depends on live). */
  debounce: number;
  /** The backend image's migrations (workspace-relative); '' = an upgrade always runs the migration Job. */
  migrationsDir: string;
  /** helm --wait timeout of a watch loop's rollout. */
  watchTimeout: string;
  frontDoor: boolean;
  /** The addons minikube/start.sh enables on the profile (MINIKUBE_ADDONS of minikube/profile.env). */
  addons: string[];
  /** What the front door step installs on Minikube (from minikube/profile.env); undefined: nothing. */
  frontDoorPlan: FrontDoorPlan | undefined;
}

type Defaults = Required<Omit<HelmDeployExecutorSchema, 'profile' | 'debounce'>>;

/** Watch mode's quiet period: a burst of saves is one loop. Live syncs are cheap, so live mode waits less. */
const DEBOUNCE_MS = { images: 300, live: 100 };

/**
 * schema.json's defaults, the only place they are written. Nx fills them in before calling the executor; this
 * applies the same ones when the executor is called directly (its tests, other tooling).
 */
const { properties } = schema as { properties: Record<string, { default?: unknown }> };
export const DEFAULTS = Object.fromEntries(
  Object.entries(properties).flatMap(([key, property]) => ('default' in property ? [[key, property.default]] : [])),
) as Defaults;

/** Nx gives a string for an array option passed once on the command line (`--set=a=1`). */
function toArray(value: string[] | string): string[] {
  return (Array.isArray(value) ? value : [value]).filter((item) => item !== '');
}

export function normalizeOptions(
  options: HelmDeployExecutorSchema,
  profile: Pick<MinikubeProfile, 'MINIKUBE_PROFILE'> & Partial<MinikubeProfile>,
): NormalizedOptions {
  const o = { ...DEFAULTS, ...options };
  return {
    ...o,
    frontDoorPlan: frontDoorPlan(profile, o),
    profile: o.profile || profile.MINIKUBE_PROFILE,
    debounce: o.debounce ?? (o.live ? DEBOUNCE_MS.live : DEBOUNCE_MS.images),
    addons: (profile.MINIKUBE_ADDONS ?? '')
      .split(',')
      .map((addon) => addon.trim())
      .filter(Boolean),
    valuesFiles: toArray(o.valuesFiles),
    set: toArray(o.set),
    extraImages: toArray(o.extraImages),
  };
}
