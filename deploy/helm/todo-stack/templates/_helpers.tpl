{{/*
Names, labels and images. Every helper is namespaced `todo-stack.*`; names are cut to 63 characters (the DNS label
limit of Kubernetes names and label values).
*/}}

{{/*
todo-stack.name: the chart name, or nameOverride.
*/}}
{{- define "todo-stack.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
todo-stack.fullname: the prefix of every resource name. The release name alone when it already contains the chart
name (`helm install todo-stack ...` gives `todo-stack-backend`, not `todo-stack-todo-stack-backend`).
Component names append a suffix, so the prefix is cut to leave room for the longest one (`-postgresql-hl`).
*/}}
{{- define "todo-stack.fullname" -}}
{{- $name := "" -}}
{{- if .Values.fullnameOverride -}}
{{- $name = .Values.fullnameOverride -}}
{{- else if contains (include "todo-stack.name" .) .Release.Name -}}
{{- $name = .Release.Name -}}
{{- else -}}
{{- $name = printf "%s-%s" .Release.Name (include "todo-stack.name" .) -}}
{{- end -}}
{{- $name | trunc 49 | trimSuffix "-" -}}
{{- end -}}

{{/* todo-stack.backend.fullname: name of the backend Deployment, Service, ConfigMap... */}}
{{- define "todo-stack.backend.fullname" -}}
{{- printf "%s-backend" (include "todo-stack.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* todo-stack.frontend.fullname: name of the frontend Deployment, Service, ConfigMap... */}}
{{- define "todo-stack.frontend.fullname" -}}
{{- printf "%s-frontend" (include "todo-stack.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* todo-stack.postgresql.fullname: name of the PostgreSQL StatefulSet and its ClusterIP Service. */}}
{{- define "todo-stack.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "todo-stack.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* todo-stack.postgresql.headlessServiceName: the StatefulSet's governing (headless) Service. */}}
{{- define "todo-stack.postgresql.headlessServiceName" -}}
{{- printf "%s-hl" (include "todo-stack.postgresql.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* todo-stack.migrations.fullname: name of the migration hook Job. */}}
{{- define "todo-stack.migrations.fullname" -}}
{{- printf "%s-migrate" (include "todo-stack.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* todo-stack.chart: chart name and version, for the helm.sh/chart label. */}}
{{- define "todo-stack.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
todo-stack.labels: labels of every resource. Usage:
  {{ include "todo-stack.labels" (dict "context" $ "component" "backend") }}
`component` is optional (release-wide resources such as the Secret have none). Besides the app.kubernetes.io/*
recommended labels, `app: todo`, `tier` and `environment` let people and AI ops tools select pods simply
(`kubectl get pods -l app=todo,tier=backend`).
*/}}
{{- define "todo-stack.labels" -}}
{{- $ctx := .context -}}
helm.sh/chart: {{ include "todo-stack.chart" $ctx }}
{{ include "todo-stack.selectorLabels" . }}
app.kubernetes.io/version: {{ include "todo-stack.labelValue" (default $ctx.Chart.AppVersion .version) }}
app.kubernetes.io/managed-by: {{ $ctx.Release.Service }}
app.kubernetes.io/part-of: todo-stack
app: todo
{{- with .component }}
tier: {{ include "todo-stack.tier" . }}
{{- end }}
environment: {{ $ctx.Values.environment }}
{{- with $ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
todo-stack.podLabels: labels of a pod template. Like todo-stack.labels but without helm.sh/chart, so a new chart
version alone does not roll the pods; app.kubernetes.io/version is the image tag, so it changes exactly when the
image does. Usage: {{ include "todo-stack.podLabels" (dict "context" $ "component" "backend" "image" .Values.backend.image "extra" .Values.backend.podLabels) }}
*/}}
{{- define "todo-stack.podLabels" -}}
{{- $ctx := .context -}}
{{ include "todo-stack.selectorLabels" . }}
app.kubernetes.io/version: {{ include "todo-stack.labelValue" (default (default $ctx.Chart.AppVersion .image.tag) .version) }}
app.kubernetes.io/managed-by: {{ $ctx.Release.Service }}
app.kubernetes.io/part-of: todo-stack
app: todo
tier: {{ include "todo-stack.tier" .component }}
environment: {{ $ctx.Values.environment }}
{{- with $ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
todo-stack.selectorLabels: the immutable subset used by selectors. Usage as todo-stack.labels.
*/}}
{{- define "todo-stack.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-stack.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/* todo-stack.tier: the `tier` label of a component (frontend, backend or database). */}}
{{- define "todo-stack.tier" -}}
{{- $tiers := dict "frontend" "frontend" "backend" "backend" "migrations" "backend" "postgresql" "database" "test" "test" -}}
{{- get $tiers . | default . -}}
{{- end -}}

{{/* todo-stack.labelValue: a string made safe as a label value (63 chars, alphanumeric at both ends). */}}
{{- define "todo-stack.labelValue" -}}
{{- regexReplaceAll "[^A-Za-z0-9_.-]" (toString .) "_" | trunc 63 | trimAll "_.-" | quote -}}
{{- end -}}

{{/*
todo-stack.annotations: commonAnnotations merged with the resource's own. Usage:
  {{- include "todo-stack.annotations" (dict "context" $ "annotations" .Values.ingress.annotations) | nindent 4 }}
Renders nothing when both are empty; call it inside `{{- with }}` or after `annotations:` only when needed.
*/}}
{{- define "todo-stack.annotations" -}}
{{- $all := merge (deepCopy (default dict .annotations)) (default dict .context.Values.commonAnnotations) -}}
{{- if $all }}
{{- toYaml $all }}
{{- end }}
{{- end -}}

{{/*
todo-stack.image: the image reference `[registry/]repository:tag[@digest]` of an image values block. A missing tag is
caught by todo-stack.validateValues before anything renders. Usage: {{ include "todo-stack.image" .Values.backend.image }}
*/}}
{{- define "todo-stack.image" -}}
{{- $repo := .repository -}}
{{- with .registry }}{{ $repo = printf "%s/%s" . $repo }}{{ end -}}
{{- if .tag }}{{ $repo = printf "%s:%s" $repo (toString .tag) }}{{ end -}}
{{- if .digest }}{{ $repo = printf "%s@%s" $repo .digest }}{{ end -}}
{{- $repo -}}
{{- end -}}

{{/* todo-stack.imagePullSecrets: the pod's imagePullSecrets, if any. */}}
{{- define "todo-stack.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* todo-stack.serviceAccountName: the ServiceAccount of the release's pods. */}}
{{- define "todo-stack.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "todo-stack.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
todo-stack.publicUrl: public base URL of the app: publicUrl, else derived from the ingress host, else from the
HTTPRoute's first host name, else (local mode without either) the NodePort on localhost.
*/}}
{{- define "todo-stack.publicUrl" -}}
{{- if .Values.publicUrl -}}
{{- .Values.publicUrl | trimSuffix "/" -}}
{{- else if .Values.ingress.enabled -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls) .Values.ingress.hostname -}}
{{- else if and .Values.httpRoute.enabled .Values.httpRoute.hostnames -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.httpRoute.tls) (first .Values.httpRoute.hostnames) -}}
{{- else if eq .Values.environment "local" -}}
{{- printf "http://localhost:%v" .Values.frontend.service.nodePort -}}
{{- else -}}
{{- printf "http://%s:%v" (include "todo-stack.frontend.fullname" .) .Values.frontend.service.port -}}
{{- end -}}
{{- end -}}

{{/* todo-stack.backend.url: in-cluster URL of the backend Service (the frontend's BACKEND_URL). */}}
{{- define "todo-stack.backend.url" -}}
{{- printf "http://%s:%v" (include "todo-stack.backend.fullname" .) .Values.backend.service.port -}}
{{- end -}}

{{/* todo-stack.frontend.url: in-cluster URL of the frontend Service. */}}
{{- define "todo-stack.frontend.url" -}}
{{- printf "http://%s:%v" (include "todo-stack.frontend.fullname" .) .Values.frontend.service.port -}}
{{- end -}}

{{/* todo-stack.frontend.serviceType: NodePort in local mode, frontend.service.type otherwise. */}}
{{- define "todo-stack.frontend.serviceType" -}}
{{- ternary "NodePort" .Values.frontend.service.type (eq .Values.environment "local") -}}
{{- end -}}

{{/* todo-stack.backend.shutdownGraceMs: the backend's SHUTDOWN_GRACE_MS, from the pod's grace period less the preStop sleep and 2 s. */}}
{{- define "todo-stack.backend.shutdownGraceMs" -}}
{{- mul (sub (sub (int .Values.backend.terminationGracePeriodSeconds) (int .Values.backend.preStopSleepSeconds)) 2) 1000 -}}
{{- end -}}

{{- /*
The backend's V8 old-space cap in MiB: backend.heapPercent of backend.resources.limits.memory (a Kubernetes
quantity in Ki, Mi, Gi, k, M, G or bytes). Empty when heapPercent is 0 (the image's default applies).
*/ -}}
{{- define "todo-stack.backend.maxOldSpaceMiB" -}}
{{- $percent := int .Values.backend.heapPercent -}}
{{- if gt $percent 0 -}}
{{- $limit := toString .Values.backend.resources.limits.memory -}}
{{- if not (regexMatch "^[0-9]+(Ki|Mi|Gi|k|M|G)?$" $limit) -}}
{{- fail (printf "backend.resources.limits.memory %q: use a whole number with Ki, Mi, Gi, k, M or G (e.g. 384Mi) so backend.heapPercent can size the heap, or set backend.heapPercent to 0" $limit) -}}
{{- end -}}
{{- $number := regexFind "^[0-9]+" $limit | int64 -}}
{{- $unit := trimPrefix (toString $number) $limit -}}
{{- $bytes := mul $number (get (dict "" 1 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "k" 1000 "M" 1000000 "G" 1000000000) $unit) -}}
{{- div (mul $bytes $percent) (mul 100 1048576) -}}
{{- end -}}
{{- end -}}

{{/* todo-stack.gateway.tlsSecretName: the certificate of the chart's Gateway's HTTPS listener. */}}
{{- define "todo-stack.gateway.tlsSecretName" -}}
{{- default (printf "%s-tls" (first .Values.httpRoute.hostnames | default (include "todo-stack.fullname" .))) .Values.gateway.tlsSecretName -}}
{{- end -}}
