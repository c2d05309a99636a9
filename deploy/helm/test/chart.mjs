// Renders the todo-stack chart with the real `helm` binary and parses the result, for the chart checks and the
// policy tests. Needs helm on PATH (eval "$(tools/helm/install-helm.sh --env)") and the `yaml` package, from the
// workspace's node_modules or from the cache dir install-helm.sh prints (TODO_STACK_NODE_MODULES).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { YAML } from '../../../tools/helm/yaml.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../../..');
export const CHART_DIR = path.join(REPO_ROOT, 'deploy/helm/todo-stack');

/** Kubernetes version of the Minikube profile (tools/helm/versions.env), without the leading v. */
export const KUBE_VERSION = (() => {
  if (process.env.TODO_STACK_KUBERNETES_VERSION) return process.env.TODO_STACK_KUBERNETES_VERSION;
  const env = fs.readFileSync(path.join(REPO_ROOT, 'tools/helm/versions.env'), 'utf8');
  return /^KUBERNETES_VERSION=v?(\S+)/m.exec(env)[1];
})();


/**
 * Arguments for `helm template|lint`: values files (relative to the chart) and --set pairs.
 * @param {{ valuesFiles?: string[], set?: string[], setString?: string[] }} values
 */
export function valuesArgs({ valuesFiles = [], set = [], setString = [] } = {}) {
  return [
    ...valuesFiles.flatMap((file) => ['--values', path.join(CHART_DIR, file)]),
    ...set.flatMap((pair) => ['--set', pair]),
    ...setString.flatMap((pair) => ['--set-string', pair]),
  ];
}

/** Runs helm; returns { status, stdout, stderr }. */
export function helm(args) {
  const result = spawnSync('helm', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    throw new Error(`cannot run helm (${result.error.message}): run eval "$(tools/helm/install-helm.sh --env)" first`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * `helm template` for a values case. Returns the manifest text and its documents (hooks and test pods included).
 * Throws with helm's message when rendering fails, unless `allowFailure` is set (then `error` holds it).
 */
export function render(values = {}, { release = 'todo', namespace = 'todo', allowFailure = false } = {}) {
  const args = [
    'template',
    release,
    CHART_DIR,
    '--namespace',
    namespace,
    '--kube-version',
    KUBE_VERSION,
    ...valuesArgs(values),
  ];
  const { status, stdout, stderr } = helm(args);
  if (status !== 0) {
    if (allowFailure) return { error: stderr, text: '', docs: [] };
    throw new Error(`helm ${args.join(' ')} failed:\n${stderr}`);
  }
  const docs = YAML.parseAllDocuments(stdout)
    .map((doc) => doc.toJS())
    .filter((doc) => doc && typeof doc === 'object');
  return { text: stdout, docs };
}

/** Pod specs of every workload, hook and test pod: [{ owner: 'Deployment/x', spec, template }]. */
export function podSpecs(docs) {
  const pods = [];
  for (const doc of docs) {
    const owner = `${doc.kind}/${doc.metadata?.name}`;
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(doc.kind)) {
      pods.push({ owner, kind: doc.kind, doc, template: doc.spec.template, spec: doc.spec.template.spec });
    } else if (doc.kind === 'CronJob') {
      const template = doc.spec.jobTemplate.spec.template;
      pods.push({ owner, kind: doc.kind, doc, template, spec: template.spec });
    } else if (doc.kind === 'Pod') {
      pods.push({ owner, kind: doc.kind, doc, template: doc, spec: doc.spec });
    }
  }
  return pods;
}

/** Every container of a pod spec, init containers included: [{ name, container, init }]. */
export function containers(spec) {
  return [
    ...(spec.initContainers ?? []).map((container) => ({ name: container.name, container, init: true })),
    ...(spec.containers ?? []).map((container) => ({ name: container.name, container, init: false })),
  ];
}

/** Finds exactly one document of a kind whose name ends with the suffix (e.g. '-backend'). */
export function find(docs, kind, suffix = '') {
  const found = docs.filter((doc) => doc.kind === kind && doc.metadata.name.endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one ${kind} *${suffix}, found ${found.length}`);
  return found[0];
}
