{{/*
Secret handling. The backend, the migration Job and PostgreSQL read their credentials from one Secret: the chart's
own (templates/secret.yaml) or `secrets.existingSecret`, which the chart never creates nor reads at render time
except for its checksum.
*/}}

{{/* todo-stack.secretName: the Secret holding DATABASE_URL, BETTER_AUTH_SECRET, OPENAI_API_KEY, POSTGRES_PASSWORD. */}}
{{- define "todo-stack.secretName" -}}
{{- default (include "todo-stack.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/*
todo-stack.secrets.checksum: the `checksum/secret` pod annotation, so a changed secret rolls the pods.
- With existingSecret: a hash of that Secret's data as the cluster holds it (rotate the Secret, `helm upgrade`, pods
  roll).
- With the chart's Secret: a hash of the values it is made from, not of the rendered Secret, because generated values
  are random on the first render and looked up afterwards: hashing them would roll every pod on the first upgrade
  after an install although nothing changed.
Only a hash is rendered, never a secret value.
*/}}
{{- define "todo-stack.secrets.checksum" -}}
{{- if .Values.secrets.existingSecret -}}
{{- (lookup "v1" "Secret" .Release.Namespace .Values.secrets.existingSecret).data | toJson | sha256sum -}}
{{- else -}}
{{- $inputs := dict "secrets" .Values.secrets "externalDatabase" .Values.externalDatabase "postgresql" (pick .Values.postgresql "enabled" "auth" "service") -}}
{{- $inputs | toJson | sha256sum -}}
{{- end -}}
{{- end -}}

{{/*
todo-stack.postgresql.url: DATABASE_URL of the in-chart PostgreSQL for a given password (percent-encoded, so any
character is safe in the URL). Usage: {{ include "todo-stack.postgresql.url" (dict "context" $ "password" $password) }}
*/}}
{{- define "todo-stack.postgresql.url" -}}
{{- $v := .context.Values.postgresql -}}
{{- $password := urlquery .password | replace "+" "%20" -}}
{{- printf "postgres://%s:%s@%s:%v/%s" $v.auth.username $password (include "todo-stack.postgresql.fullname" .context) $v.service.port $v.auth.database -}}
{{- end -}}
