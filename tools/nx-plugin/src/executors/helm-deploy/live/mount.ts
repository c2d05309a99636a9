import * as path from 'node:path';
import { DeployError, type StepContext, type Target } from '../context.ts';

/** Where minikube/start.sh mounts the workspace in the node (`--mount-string=<workspace>:/todo-stack`). */
const MINIKUBE_WORKSPACE_MOUNT = '/todo-stack';

/** The profile settings `minikube profile list -o json` prints, as far as read here. */
interface ProfileList {
  valid?: { Name: string; Config?: { ContainerVolumeMounts?: string[] | null; MountString?: string } }[];
}

/** The node path of `root` under a `host:node` mount, if the mount holds it. */
function underMount(root: string, mount: string): string | undefined {
  const at = mount.lastIndexOf(':');
  if (at <= 0) return undefined;
  const [host, node] = [path.resolve(mount.slice(0, at)), mount.slice(at + 1)];
  const relative = path.relative(host, root);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return path.posix.join(node, relative.split(path.sep).join('/'));
}

/**
 * The workspace's path on the cluster's node, which the live pods mount (hostPath). Minikube: the profile's mount
 * of it, which the docker driver sets only when it creates the node (minikube/start.sh does). Another context: the
 * liveWorkspace option, else the workspace's own path (a node that shares this machine's file system, as
 * tools/test-cluster's real node does).
 */
export async function liveWorkspace(ctx: StepContext, target: Target): Promise<string> {
  if (!target.minikube) return ctx.o.liveWorkspace || ctx.root;
  const listed = await ctx.read('minikube', ['profile', 'list', '--output', 'json']);
  let profiles: ProfileList = {};
  try {
    profiles = JSON.parse(listed.stdout) as ProfileList;
  } catch {
    // Below: no mount found.
  }
  const config = profiles.valid?.find((profile) => profile.Name === ctx.o.profile)?.Config;
  const mounts = [...(config?.ContainerVolumeMounts ?? []), ...(config?.MountString ? [config.MountString] : [])];
  for (const mount of mounts) {
    const node = underMount(ctx.root, mount);
    if (node) return node;
  }
  throw new DeployError(
    `--live needs the workspace mounted in the Minikube node, and profile ${ctx.o.profile} has ${mounts.length ? `only ${mounts.join(', ')}` : 'no mount'}. The docker driver mounts folders only when it creates the node: minikube/delete.sh, then minikube/start.sh (it mounts the workspace at ${MINIKUBE_WORKSPACE_MOUNT}).`,
  );
}
