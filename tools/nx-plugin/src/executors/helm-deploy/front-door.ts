import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { MinikubeProfile } from '../../lib/profile.ts';

/** Traefik and its GatewayClass/IngressClass: our own manifest, shared with the test cluster (up.sh --ingress). */
export const FRONT_DOOR_MANIFEST = 'deploy/front-door/traefik.yaml';
/** Traefik's namespace: the chart's networkPolicy.gatewayNamespace and ingressControllerNamespace defaults. */
export const FRONT_DOOR_NAMESPACE = 'traefik';
/** The official image, when minikube/profile.env names none. */
export const DEFAULT_TRAEFIK_IMAGE = 'docker.io/library/traefik:v3.6';
/** The CRDs that Traefik's Gateway provider needs before it starts; `kubectl wait` waits for them. */
export const GATEWAY_API_CRDS = ['gatewayclasses', 'gateways', 'httproutes'].map(
  (plural) => `crd/${plural}.gateway.networking.k8s.io`,
);

/** What the deploy installs in front of the release on Minikube: the Gateway API CRDs, then Traefik. */
export interface FrontDoorPlan {
  gatewayApiVersion: string;
  /** The standard-channel install manifest: the release's URL, or a local file (absolute or workspace-relative). */
  crds: string;
  image: string;
}

export const gatewayApiReleaseUrl = (version: string) =>
  `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`;

/**
 * The front door of the profile (GATEWAY_API_VERSION, GATEWAY_API_CRDS, TRAEFIK_IMAGE of minikube/profile.env, the
 * environment winning); undefined when the deploy goes to another kube context (its cluster has a front door of its
 * own) or `frontDoor` is off.
 */
export function frontDoorPlan(
  profile: Partial<MinikubeProfile>,
  options: { kubeContext: string; frontDoor: boolean },
): FrontDoorPlan | undefined {
  const version = profile['GATEWAY_API_VERSION'];
  // minikube/profile.env always sets the version (parseProfile requires it); a caller's own profile may leave it out.
  if (options.kubeContext || !options.frontDoor || !version) return undefined;
  return {
    gatewayApiVersion: version,
    crds: profile['GATEWAY_API_CRDS'] || gatewayApiReleaseUrl(version),
    image: profile['TRAEFIK_IMAGE'] || DEFAULT_TRAEFIK_IMAGE,
  };
}

const isUrl = (source: string) => /^https?:\/\//.test(source);

/** A local CRDs file as kubectl is given it (relative paths are the workspace's). */
export const crdsArgument = (root: string, plan: FrontDoorPlan) =>
  isUrl(plan.crds) ? plan.crds : path.resolve(root, plan.crds);

/**
 * What the release fingerprint adds for the front door: the CRDs' version and source (a local file's content too),
 * the image and Traefik's manifest, so a change to any of them is deployed and an unchanged one stays a no-op.
 */
export function frontDoorInputs(root: string, plan: FrontDoorPlan | undefined): [string, string | Buffer][] {
  if (!plan) return [['front-door', 'none']];
  const crds = crdsArgument(root, plan);
  const manifest = path.join(root, FRONT_DOOR_MANIFEST);
  return [
    ['front-door:gateway-api', `${plan.gatewayApiVersion}\0${plan.crds}`],
    ['front-door:crds', isUrl(crds) ? crds : existsSync(crds) ? readFileSync(crds) : '<missing>'],
    ['front-door:image', plan.image],
    ['front-door:manifest', existsSync(manifest) ? readFileSync(manifest) : '<missing>'],
  ];
}

/** Traefik's manifest with its placeholders set (see the header of deploy/front-door/traefik.yaml). */
export function renderFrontDoor(template: string, plan: FrontDoorPlan, nodeIp: string): string {
  const values: Record<string, string> = {
    NAMESPACE: FRONT_DOOR_NAMESPACE,
    TRAEFIK_IMAGE: plan.image,
    // A local image (CI's, loaded into the node) is never pulled; the official one is pulled once.
    PULL_POLICY: plan.image.startsWith('localhost/') ? 'Never' : 'IfNotPresent',
    NODE_IP: nodeIp,
  };
  return template.replace(/@([A-Z_]+)@/g, (match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${FRONT_DOOR_MANIFEST}: unknown placeholder ${match}`);
    return value;
  });
}
