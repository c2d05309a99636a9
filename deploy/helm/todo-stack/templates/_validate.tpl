{{/*
todo-stack.validateValues: checks what values.schema.json cannot express and fails the render with every problem at
once, each with what to do. Called from NOTES.txt and from the Deployments (so `helm template` fails too).
*/}}
{{- define "todo-stack.validateValues" -}}
{{- $messages := list -}}
{{- range $component := list "backend" "frontend" "postgresql" -}}
{{- $values := index $.Values $component -}}
{{- if or (ne $component "postgresql") $.Values.postgresql.enabled -}}
{{- $messages = append $messages (include "todo-stack.validateValues.image" (dict "name" $component "image" $values.image)) -}}
{{- end -}}
{{- end -}}
{{- $messages = append $messages (include "todo-stack.validateValues.database" .) -}}
{{- $messages = append $messages (include "todo-stack.validateValues.secrets" .) -}}
{{- range $component := list "backend" "frontend" -}}
{{- $messages = append $messages (include "todo-stack.validateValues.scaling" (dict "name" $component "values" (index $.Values $component))) -}}
{{- end -}}
{{- $messages = append $messages (include "todo-stack.validateValues.https" .) -}}
{{- $messages = append $messages (include "todo-stack.validateValues.shutdown" .) -}}
{{- $messages = append $messages (include "todo-stack.validateValues.liveUpdate" .) -}}
{{- if and .Values.ingress.enabled (not .Values.ingress.hostname) -}}
{{- $messages = append $messages "ingress.hostname: set the host name of the app (e.g. todo.local), or ingress.enabled=false" -}}
{{- end -}}
{{- if and .Values.httpRoute.enabled (not .Values.httpRoute.parentRefs) (not .Values.gateway.create) -}}
{{- $messages = append $messages "httpRoute.parentRefs: name the Gateway the route attaches to (e.g. [{name: shared, namespace: gateways}]), or set gateway.create=true for a Gateway of the release's own" -}}
{{- end -}}
{{- if and .Values.gateway.create (not .Values.httpRoute.enabled) -}}
{{- $messages = append $messages "gateway.create: the Gateway serves the chart's HTTPRoute; set httpRoute.enabled=true too, or gateway.create=false" -}}
{{- end -}}
{{- if and .Values.gateway.create .Values.httpRoute.tls (not .Values.httpRoute.hostnames) (not .Values.gateway.tlsSecretName) -}}
{{- $messages = append $messages "gateway.tlsSecretName: the HTTPS listener needs a certificate; set it, or a host name in httpRoute.hostnames (the Secret is then <host>-tls)" -}}
{{- end -}}
{{- $messages = without (compact $messages) "" -}}
{{- if $messages -}}
{{- printf "\nVALUES VALIDATION:\n%s" (join "\n" $messages) | fail -}}
{{- end -}}
{{- end -}}

{{/* Images: a tag (or digest) is required and must not float. */}}
{{- define "todo-stack.validateValues.image" -}}
{{- $tag := toString (default "" .image.tag) -}}
{{- if and (not $tag) (not .image.digest) -}}
{{ .name }}.image.tag: empty. Pass the image's content tag, e.g. --set {{ .name }}.image.tag=<tag> (npx nx run deploy:minikube does this), or pin {{ .name }}.image.digest.
{{- else if has (lower $tag) (list "latest" "stable" "edge" "main" "master" "nightly") -}}
{{ .name }}.image.tag: "{{ $tag }}" is a floating tag: the cluster would not know when it changes and pods would not roll. Use the image's content tag or a pinned version.
{{- end -}}
{{- end -}}

{{/* Database: an external database needs a URL (or an existingSecret), with TLS unless allowed otherwise. */}}
{{- define "todo-stack.validateValues.database" -}}
{{- if and (not .Values.postgresql.enabled) (not .Values.secrets.existingSecret) -}}
{{- $url := .Values.externalDatabase.url -}}
{{- if not $url -}}
externalDatabase.url: postgresql.enabled=false needs the external database's URL (e.g. Neon's postgres://user:pass@host/db?sslmode=require), or secrets.existingSecret naming a Secret with DATABASE_URL.
{{- else if not (regexMatch "^postgres(ql)?://" $url) -}}
externalDatabase.url: must start with postgres:// or postgresql://.
{{- else if and .Values.externalDatabase.requireSsl (not (regexMatch "[?&]sslmode=(require|verify-ca|verify-full)(&|$)" $url)) -}}
externalDatabase.url: add ?sslmode=require (or verify-full) so the connection to the external database is encrypted, or set externalDatabase.requireSsl=false for a database inside the cluster's network.
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Secrets: BETTER_AUTH_SECRET must be long enough for production (the backend refuses to start otherwise). */}}
{{- define "todo-stack.validateValues.secrets" -}}
{{- $s := .Values.secrets.betterAuthSecret -}}
{{- if and $s (lt (len $s) 32) -}}
secrets.betterAuthSecret: {{ len $s }} characters; use at least 32 (e.g. openssl rand -base64 48), or leave it empty to generate one.
{{- end -}}
{{- end -}}

{{/* Scaling: coherent HPA bounds and PodDisruptionBudget. */}}
{{- define "todo-stack.validateValues.scaling" -}}
{{- $v := .values -}}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) -}}
{{ .name }}.autoscaling: minReplicas ({{ $v.autoscaling.minReplicas }}) is greater than maxReplicas ({{ $v.autoscaling.maxReplicas }}).
{{- else if and $v.pdb.create (ne (toString $v.pdb.minAvailable) "") (ne (toString $v.pdb.maxUnavailable) "") -}}
{{ .name }}.pdb: set minAvailable or maxUnavailable, not both.
{{- end -}}
{{- end -}}

{{/* HTTPS: production serves over https (Secure cookies), unless explicitly allowed otherwise. */}}
{{- define "todo-stack.validateValues.https" -}}
{{- $url := include "todo-stack.publicUrl" . -}}
{{- if and (eq .Values.environment "production") (hasPrefix "http://" $url) (not .Values.allowInsecureHttp) -}}
environment=production: the public URL {{ $url }} is plain http, so session cookies would travel without Secure. Set ingress.tls=true (with a certificate in ingress.tlsSecretName), httpRoute.tls=true (a Gateway serving HTTPS) or an https publicUrl, use environment=local for a development cluster, or set allowInsecureHttp=true to accept it.
{{- end -}}
{{- end -}}

{{/* Shutdown: the pod's grace period must let the longest request (a chat turn) finish after the preStop sleep. */}}
{{- define "todo-stack.validateValues.shutdown" -}}
{{- $b := .Values.backend -}}
{{- $needed := add (int $b.preStopSleepSeconds) (int $b.config.openaiTimeoutSeconds) 7 -}}
{{- if lt (int $b.terminationGracePeriodSeconds) (int $needed) -}}
backend.terminationGracePeriodSeconds: {{ $b.terminationGracePeriodSeconds }} is shorter than the preStop sleep ({{ $b.preStopSleepSeconds }}) + a chat turn (config.openaiTimeoutSeconds={{ $b.config.openaiTimeoutSeconds }}) + 7 s to store the reply and exit; set it to at least {{ $needed }}.
{{- end -}}
{{- end -}}

{{/* Live update: development only, and the node path of the workspace must be absolute. */}}
{{- define "todo-stack.validateValues.liveUpdate" -}}
{{- if .Values.liveUpdate.enabled -}}
{{- if ne .Values.environment "local" -}}
liveUpdate.enabled: live update mounts the workspace from the node and runs a dev server; it is for environment=local only (values-dev.yaml). Deploy the images instead: liveUpdate.enabled=false.
{{- else if not (hasPrefix "/" .Values.liveUpdate.workspace) -}}
liveUpdate.workspace: the workspace's absolute path on the node is needed (npx nx run deploy:minikube --watch --live sets it).
{{- end -}}
{{- end -}}
{{- end -}}
