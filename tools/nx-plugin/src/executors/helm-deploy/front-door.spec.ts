import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { deployFingerprint } from './fingerprint.ts';
import {
  DEFAULT_TRAEFIK_IMAGE,
  FRONT_DOOR_MANIFEST,
  frontDoorPlan,
  gatewayApiReleaseUrl,
  renderFrontDoor,
} from './front-door.ts';
import { normalizeOptions } from './options.ts';

const workspaceRoot = path.resolve(__dirname, '../../../../..');
const PROFILE = { MINIKUBE_PROFILE: 'todo-stack', GATEWAY_API_VERSION: 'v1.6.3' };

describe('frontDoorPlan', () => {
  const minikube = { kubeContext: '', frontDoor: true };

  it('defaults to the release manifest of the pinned Gateway API and the official Traefik image', () => {
    expect(frontDoorPlan({ ...PROFILE, GATEWAY_API_CRDS: '', TRAEFIK_IMAGE: '' }, minikube)).toEqual({
      gatewayApiVersion: 'v1.6.3',
      crds: gatewayApiReleaseUrl('v1.6.3'),
      image: DEFAULT_TRAEFIK_IMAGE,
    });
    expect(gatewayApiReleaseUrl('v1.6.3')).toBe(
      'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.3/standard-install.yaml',
    );
  });

  it('takes a local CRDs file and another image (CI)', () => {
    const plan = frontDoorPlan(
      { ...PROFILE, GATEWAY_API_CRDS: '/cache/standard-install.yaml', TRAEFIK_IMAGE: 'localhost/t:v3.6.12' },
      minikube,
    );
    expect(plan).toMatchObject({ crds: '/cache/standard-install.yaml', image: 'localhost/t:v3.6.12' });
  });

  it('installs nothing on another kube context or with frontDoor=false', () => {
    expect(frontDoorPlan(PROFILE, { kubeContext: 'ci', frontDoor: true })).toBeUndefined();
    expect(frontDoorPlan(PROFILE, { kubeContext: '', frontDoor: false })).toBeUndefined();
  });
});

describe('renderFrontDoor', () => {
  const template = readFileSync(path.join(workspaceRoot, FRONT_DOOR_MANIFEST), 'utf8');
  const plan = { gatewayApiVersion: 'v1.6.3', crds: gatewayApiReleaseUrl('v1.6.3'), image: DEFAULT_TRAEFIK_IMAGE };

  it('fills every placeholder of deploy/front-door/traefik.yaml', () => {
    const manifest = renderFrontDoor(template, plan, '192.168.49.2');
    expect(manifest).not.toMatch(/@[A-Z_]+@/);
    expect(manifest).toContain('namespace: traefik');
    expect(manifest).toContain(`image: ${DEFAULT_TRAEFIK_IMAGE}\n          imagePullPolicy: IfNotPresent`);
    expect(manifest).toContain('--providers.kubernetesingress.ingressEndpoint.ip=192.168.49.2');
    expect(manifest).toContain('controllerName: traefik.io/gateway-controller');
  });

  it('never pulls a local image', () => {
    const manifest = renderFrontDoor(
      template,
      { ...plan, image: 'localhost/test-cluster/traefik:v3.6.12' },
      '10.0.0.1',
    );
    expect(manifest).toContain('imagePullPolicy: Never');
  });

  it('refuses a placeholder it does not know', () => {
    expect(() => renderFrontDoor('image: @OTHER@', plan, '10.0.0.1')).toThrow('unknown placeholder @OTHER@');
  });
});

describe('the release fingerprint covers the front door', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'front-door-'));
  cpSync(path.join(workspaceRoot, 'deploy'), path.join(root, 'deploy'), { recursive: true });
  mkdirSync(path.join(root, 'cache'));
  writeFileSync(path.join(root, 'cache/crds.yaml'), 'kind: CustomResourceDefinition\n');
  const sets = ['backend.image.tag=nx-1', 'frontend.image.tag=nx-2'];
  const options = (profile: Record<string, string> = {}, schema = {}) =>
    normalizeOptions(schema, { ...PROFILE, GATEWAY_API_CRDS: 'cache/crds.yaml', ...profile });
  const base = deployFingerprint(root, options(), sets);

  it('is stable while nothing changes', () => {
    expect(deployFingerprint(root, options(), sets)).toBe(base);
  });

  it('changes with the Gateway API version, the CRDs source or content, the image and the manifest', () => {
    expect(deployFingerprint(root, options({ GATEWAY_API_VERSION: 'v1.6.4' }), sets)).not.toBe(base);
    expect(deployFingerprint(root, options({ GATEWAY_API_CRDS: '' }), sets)).not.toBe(base);
    expect(deployFingerprint(root, options({ TRAEFIK_IMAGE: 'traefik:v3.7' }), sets)).not.toBe(base);
    expect(deployFingerprint(root, options({}, { frontDoor: false }), sets)).not.toBe(base);
    writeFileSync(path.join(root, 'cache/crds.yaml'), 'kind: CustomResourceDefinition # newer\n');
    const afterCrds = deployFingerprint(root, options(), sets);
    expect(afterCrds).not.toBe(base);
    writeFileSync(path.join(root, FRONT_DOOR_MANIFEST), '# edited\n', { flag: 'a' });
    expect(deployFingerprint(root, options(), sets)).not.toBe(afterCrds);
  });
});
