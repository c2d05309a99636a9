import { DeployError } from './context.ts';
import type { NormalizedOptions } from './options.ts';
import type { Target } from './context.ts';
import type { ImageRefs } from './steps/images.ts';

/**
 * Every chart key the executor sets (deploy/helm/todo-stack/values.yaml documents them), built here from a typed
 * object and nowhere else. The values files (-f) come first, then these pairs, then the user's --set pairs, which win.
 */
export interface ChartValues {
  /** `<app>.image.repository`, `.tag` and, when pulled from a registry, `.pullPolicy`: per deployed app. */
  images: Record<string, { repository: string; tag: string; pullPolicy?: 'IfNotPresent' }>;
  /** `backend.migrations.runOnUpgrade`: false leaves the chart's migration Job out of this upgrade. */
  migrationsOnUpgrade: boolean;
  /** `frontend.service.nodeAddress`: the node the NodePort URL names, which the backend then trusts as an origin. */
  nodeAddress?: string;
  /** `liveUpdate.*` (--live): the workspace's path on the node, and the backend bundle's folder in it. */
  live?: { workspace: string; backendBundle: string };
}

/** The app whose image carries the migrations, and whose chart values hold the migration Job's switch. */
export const MIGRATIONS_APP = 'backend';

/** Minikube's registry addon: the registry Service on port 5000 of the node, and a proxy on each node's :5000. */
export const MINIKUBE_REGISTRY_PORT = 5000;
const MINIKUBE_CLUSTER_REGISTRY = `localhost:${MINIKUBE_REGISTRY_PORT}`;

/**
 * The registry as the cluster's nodes name it in image references (what the pods pull), with transport=registry.
 * Minikube: the addon's proxy on every node's localhost:5000. Elsewhere: clusterRegistry, else the push address.
 */
export function clusterRegistry(o: NormalizedOptions): string {
  if (o.clusterRegistry) return o.clusterRegistry;
  if (!o.kubeContext) return MINIKUBE_CLUSTER_REGISTRY;
  if (!o.registry)
    throw new DeployError(
      'transport=registry needs --registry=HOST:PORT (the registry Docker pushes to, which the cluster pulls from; e.g. localhost:16500 for tools/test-cluster/up.sh --registry), or --transport=load.',
    );
  return o.registry;
}

/**
 * The values of a deploy of `refs`. With a registry, the pods pull their images from it (IfNotPresent: a tag is
 * content, so a node that has it never asks again); with load, the images are in the node's runtime already and
 * the values files set the pull policy. `migrate: false` for an upgrade whose migrations already ran.
 */
export function chartValues(
  o: NormalizedOptions,
  target: Target,
  refs: ImageRefs,
  { migrate = true } = {},
): ChartValues {
  const registry = o.transport === 'registry' ? clusterRegistry(o) : '';
  return {
    images: Object.fromEntries(
      Object.entries(refs).map(([app, ref]) => [
        app,
        {
          repository: registry ? `${registry}/${ref.image}` : ref.image,
          tag: ref.tag,
          ...(registry ? { pullPolicy: 'IfNotPresent' as const } : {}),
        },
      ]),
    ),
    migrationsOnUpgrade: migrate,
    ...(target.nodeAddress ? { nodeAddress: target.nodeAddress } : {}),
    ...(target.live
      ? { live: { workspace: target.live.workspace, backendBundle: target.live.bundles.backend ?? '' } }
      : {}),
  };
}

/** The `key=value` pairs of `values`, in a stable order (the release fingerprint hashes them). */
function setPairs(values: ChartValues): string[] {
  return [
    ...Object.entries(values.images).flatMap(([app, image]) => [
      `${app}.image.repository=${image.repository}`,
      `${app}.image.tag=${image.tag}`,
      ...(image.pullPolicy ? [`${app}.image.pullPolicy=${image.pullPolicy}`] : []),
    ]),
    ...(values.migrationsOnUpgrade ? [] : [`${MIGRATIONS_APP}.migrations.runOnUpgrade=false`]),
    ...(values.nodeAddress ? [`frontend.service.nodeAddress=${values.nodeAddress}`] : []),
    ...(values.live
      ? [
          'liveUpdate.enabled=true',
          `liveUpdate.workspace=${values.live.workspace}`,
          ...(values.live.backendBundle ? [`liveUpdate.backendBundle=${values.live.backendBundle}`] : []),
        ]
      : []),
  ];
}

/** What helm is given besides the chart: the -f files, then `values` and the user's --set pairs, in that order. */
export interface HelmValues {
  files: string[];
  sets: string[];
}

export function helmValues(o: NormalizedOptions, values: ChartValues): HelmValues {
  return { files: o.valuesFiles, sets: [...setPairs(values), ...o.set] };
}

/** helm's arguments for them: `-f FILE …  --set PAIR …`. */
export const helmValueArgs = ({ files, sets }: HelmValues): string[] => [
  ...files.flatMap((file) => ['-f', file]),
  ...sets.flatMap((pair) => ['--set', pair]),
];

/** The user's --set pair that chooses `app`'s image itself, if any (its image is then not the workspace's build). */
export const userImageChoice = (o: NormalizedOptions, app: string): string | undefined =>
  o.set.find((pair) => pair.startsWith(`${app}.image.`));
