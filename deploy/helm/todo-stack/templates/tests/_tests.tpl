{{/*
todo-stack.tests.pod: a `helm test` pod that runs one of the chart's own images (no extra image to pull) and GETs
each URL with Node's fetch, failing on the first non-2xx answer. A connection error is retried for 30 s: with
NetworkPolicies, the policy engine admits a new pod's address asynchronously (kube-router, Calico), so the test
pod's first packets may be refused. Usage:
  {{- include "todo-stack.tests.pod" (dict "context" $ "name" "backend" "values" .Values.backend "urls" (list "http://..." )) }}
*/}}
{{- define "todo-stack.tests.pod" -}}
{{- $ctx := .context -}}
{{- $ids := dict "uid" .values.runAsUser "gid" .values.runAsGroup -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ printf "%s-test-%s" (include "todo-stack.fullname" $ctx) .name | trunc 63 | trimSuffix "-" }}
  namespace: {{ $ctx.Release.Namespace | quote }}
  labels:
    {{- include "todo-stack.podLabels" (dict "context" $ctx "component" "test" "image" .values.image) | nindent 4 }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
    {{- with include "todo-stack.annotations" (dict "context" $ctx) }}
    {{- . | nindent 4 }}
    {{- end }}
spec:
  restartPolicy: Never
  serviceAccountName: {{ include "todo-stack.serviceAccountName" $ctx }}
  automountServiceAccountToken: false
  enableServiceLinks: false
  {{- with include "todo-stack.imagePullSecrets" $ctx | trim }}{{ . | nindent 2 }}{{ end }}
  {{- include "todo-stack.podSecurityContext" $ids | nindent 2 }}
  containers:
    - name: {{ printf "test-%s" .name }}
      image: {{ include "todo-stack.image" .values.image | quote }}
      imagePullPolicy: {{ .values.image.pullPolicy }}
      command:
        - node
        - -e
        - |
          const get = async (url, deadline = Date.now() + 30000) => {
            for (;;) {
              try {
                return await fetch(url, { signal: AbortSignal.timeout(10000) });
              } catch (error) {
                if (Date.now() > deadline) throw error;
                console.log(`${error.cause?.code ?? error.name} GET ${url}: retrying`);
                await new Promise((resolve) => setTimeout(resolve, 1000));
              }
            }
          };
          (async () => {
            for (const url of process.argv.slice(1)) {
              const res = await get(url);
              console.log(`${res.status} GET ${url}`);
              if (!res.ok) process.exit(1);
            }
          })().catch((error) => { console.error(`${error.name}: ${error.message}`); process.exit(1); });
        {{- range .urls }}
        - {{ . | quote }}
        {{- end }}
      resources:
        {{- toYaml $ctx.Values.tests.resources | nindent 8 }}
      {{- include "todo-stack.containerSecurityContext" $ids | nindent 6 }}
{{- end -}}
