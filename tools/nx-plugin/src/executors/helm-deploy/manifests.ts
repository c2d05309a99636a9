import { parseAllDocuments } from 'yaml';

interface Resource {
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: {
    type?: string;
    ports?: { name?: string; port?: number; nodePort?: number }[];
  };
}

/** The objects of a multi-document manifest (`helm template`, `helm get manifest`); empty documents skipped. */
function parseManifests(text: string): Resource[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Resource | null)
    .filter((resource): resource is Resource => !!resource && typeof resource === 'object');
}

/** Every `image:` value anywhere in an object (containers, initContainers, test pods). */
function collectImages(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) collectImages(item, into);
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      if (key === 'image' && typeof item === 'string') into.add(item);
      else collectImages(item, into);
    }
}

/** `kind/name` of every rendered object, and the images they use. */
export function summarizeManifests(rendered: string): { resources: string[]; images: string[] } {
  const resources = parseManifests(rendered);
  const images = new Set<string>();
  collectImages(resources, images);
  return {
    resources: resources.map((r) => `${r.kind ?? '?'}/${r.metadata?.name ?? '?'}`),
    images: [...images].sort(),
  };
}

export interface FrontendAccess {
  service: string;
  port: number;
  /** Set when the chart made the Service a NodePort with a fixed port (environment=local). */
  nodePort?: number;
}

/**
 * How to reach the frontend, read from the release's own objects: the Service labelled
 * app.kubernetes.io/component=frontend (the chart's todo-stack.labels), so the executor copies no naming rule.
 */
export function frontendAccess(manifest: string): FrontendAccess | undefined {
  const service = parseManifests(manifest).find(
    (r) => r.kind === 'Service' && r.metadata?.labels?.['app.kubernetes.io/component'] === 'frontend',
  );
  const port = service?.spec?.ports?.find((p) => p.name === 'http') ?? service?.spec?.ports?.[0];
  if (!service?.metadata?.name || !port?.port) return undefined;
  return { service: service.metadata.name, port: port.port, nodePort: port.nodePort };
}
