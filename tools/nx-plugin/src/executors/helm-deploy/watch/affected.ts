import type { ProjectGraph } from '@nx/devkit';
import type { Workspace } from '../context.ts';

export interface Affected {
  /** Apps whose container image may change: their container target must be asked (its hash decides). */
  apps: string[];
  /** The deploy project (chart, values, minikube/) changed: the release fingerprint must be compared. */
  release: boolean;
}

/** The project whose root holds `file` (the deepest one); undefined for files of no project or the root project. */
export function owningProject(graph: ProjectGraph, file: string): string | undefined {
  let owner: { name: string; depth: number } | undefined;
  for (const [name, node] of Object.entries(graph.nodes)) {
    const root = node.data.root.replace(/\/$/, '');
    if (root === '' || root === '.') continue;
    if (file !== root && !file.startsWith(`${root}/`)) continue;
    if (!owner || root.length > owner.depth) owner = { name, depth: root.length };
  }
  return owner?.name;
}

/** Every project `project` depends on, directly or through others (static, dynamic and implicit dependencies). */
export function dependenciesOf(graph: ProjectGraph, project: string): Set<string> {
  const seen = new Set<string>();
  const queue = [project];
  while (queue.length) {
    const next = queue.pop() as string;
    for (const dependency of graph.dependencies[next] ?? []) {
      if (seen.has(dependency.target) || !graph.nodes[dependency.target]) continue;
      seen.add(dependency.target);
      queue.push(dependency.target);
    }
  }
  return seen;
}

/**
 * Which apps and whether the release an edit can affect, from the Nx project graph. This is a cheap first filter,
 * not the decision: a test file of the backend affects the backend project, yet leaves its image alone (the
 * container target's inputs are production files only). The decision is the container task's hash, which is the
 * image tag: the loop runs the affected apps' container targets through Nx and rolls only the apps whose tag moved.
 * A file no project owns (tsconfig.base.json, package-lock.json, tools/) may be an input of any target, so it
 * affects every app and the release; the hashes then say that nothing changed when nothing did.
 */
export function affectedBy(
  graph: ProjectGraph,
  workspace: Pick<Workspace, 'apps' | 'project'>,
  files: string[],
): Affected {
  const owners = new Set<string | undefined>(files.map((file) => owningProject(graph, file)));
  if (owners.has(undefined)) return { apps: [...workspace.apps], release: true };
  const apps = workspace.apps.filter(
    (app) => owners.has(app) || [...dependenciesOf(graph, app)].some((dependency) => owners.has(dependency)),
  );
  return { apps, release: owners.has(workspace.project) };
}
