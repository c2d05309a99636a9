#!/usr/bin/env node
// For every values case (deploy/helm/test/cases.mjs): `helm lint --strict`, then `helm template` validated by kubeconform
// against the JSON schemas of the Minikube profile's Kubernetes version (made by install-helm.sh from the
// k8s.io/kubernetes module's OpenAPI spec) and of the Gateway API CRDs. Exits non-zero on the first broken case, after printing all results.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CASES } from './cases.mjs';
import { CHART_DIR, KUBE_VERSION, helm, render, valuesArgs } from './chart.mjs';

const schemas = process.env.TODO_STACK_K8S_SCHEMAS;
const crdSchemas = process.env.TODO_STACK_CRD_SCHEMAS;
if (!schemas || !fs.existsSync(schemas) || !crdSchemas || !fs.existsSync(crdSchemas)) {
  console.error('TODO_STACK_K8S_SCHEMAS is not set or missing: run eval "$(tools/helm/install-helm.sh --env)" first');
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'todo-stack-chart-'));
let failures = 0;
let resources = 0;
for (const values of CASES) {
  const problems = [];
  const lint = helm(['lint', CHART_DIR, '--strict', '--kube-version', KUBE_VERSION, ...valuesArgs(values)]);
  if (lint.status !== 0) problems.push(`helm lint --strict:\n${lint.stdout}${lint.stderr}`);

  const rendered = render(values, { allowFailure: true });
  if (rendered.error) {
    problems.push(`helm template:\n${rendered.error}`);
  } else {
    const file = path.join(tmp, `${values.name.replace(/[^a-z0-9]+/gi, '_')}.yaml`);
    fs.writeFileSync(file, rendered.text);
    const kubeconform = spawnSync(
      'kubeconform',
      [
        '-strict',
        '-summary',
        '-kubernetes-version',
        KUBE_VERSION,
        '-schema-location',
        `${schemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
        // HTTPRoute and Gateway: the Gateway API CRDs' schemas.
        '-schema-location',
        `${crdSchemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
        file,
      ],
      { encoding: 'utf8' },
    );
    if (kubeconform.error) throw new Error(`cannot run kubeconform: ${kubeconform.error.message}`);
    const summary = kubeconform.stdout.trim().split('\n').pop();
    if (kubeconform.status !== 0 || !/Invalid: 0, Errors: 0, Skipped: 0/.test(summary)) {
      problems.push(`kubeconform (Kubernetes ${KUBE_VERSION}):\n${kubeconform.stdout}${kubeconform.stderr}`);
    }
    resources += rendered.docs.length;
    values.summary = `${rendered.docs.length} resources; ${summary}`;
  }
  if (problems.length) {
    failures += 1;
    console.log(`FAIL ${values.name}\n  ${problems.join('\n').replace(/\n/g, '\n  ')}`);
  } else {
    console.log(`ok   ${values.name}: lint --strict clean, ${values.summary}`);
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(
  `chart checks: ${CASES.length - failures} passed, ${failures} failed (${resources} resources validated against Kubernetes ${KUBE_VERSION} schemas)`,
);
process.exit(failures ? 1 : 0);
