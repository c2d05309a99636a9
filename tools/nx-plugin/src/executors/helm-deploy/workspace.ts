import type { ExecutorContext, ProjectGraph } from '@nx/devkit';
import { imageCacheDir } from '../../lib/image-refs.ts';
import { minikubeDir } from '../../lib/profile.ts';
import { DeployError, type Workspace } from './context.ts';

/** The target every deployed app has: it builds the app's image (tagged with its Nx task hash). */
export const CONTAINER_TARGET = 'container';

/**
 * The apps `project` deploys: its dependencies in the project graph (deploy/project.json's implicitDependencies)
 * that have a container target, sorted. The chart's values are keyed by these project names (`<app>.image.tag`).
 */
export function deployedApps(graph: ProjectGraph, project: string): string[] {
  const dependencies = (graph.dependencies[project] ?? []).map((dependency) => dependency.target);
  return [...new Set(dependencies)].filter((name) => graph.nodes[name]?.data.targets?.[CONTAINER_TARGET]).sort();
}

/**
 * The project graph of this run: the one Nx gives the executor, else the graph the last Nx command cached in
 * .nx/workspace-data (milliseconds), else a computed one (seconds). Read once per run and passed down.
 */
export async function projectGraphOf(context: Partial<Pick<ExecutorContext, 'projectGraph'>>): Promise<ProjectGraph> {
  if (context.projectGraph) return context.projectGraph;
  const { createProjectGraphAsync, readCachedProjectGraph } = await import('@nx/devkit');
  try {
    return readCachedProjectGraph();
  } catch {
    return createProjectGraphAsync({ exitOnError: false });
  }
}

/** The workspace the deploy runs in; throws a DeployError when `project` deploys no app. */
export function workspaceOf(
  graph: ProjectGraph,
  root: string,
  project: string,
  env: NodeJS.ProcessEnv = process.env,
): Workspace {
  const apps = deployedApps(graph, project);
  if (!apps.length)
    throw new DeployError(
      `project ${project} deploys no app: none of its dependencies has a ${CONTAINER_TARGET} target (add the apps to implicitDependencies in its project.json).`,
    );
  const minikube = minikubeDir(env);
  return {
    root,
    project,
    apps,
    imageCacheDir: imageCacheDir(root, env),
    ...(minikube ? { minikubeDir: minikube } : {}),
  };
}
