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
todo-stack.secrets.checksum: the `checksum/secret` pod annotation, so a changed secret rolls the pods, without ever
rendering a digest an attacker could test guesses against (a plain sha256 of a low-entropy password or API key is
as good as the value to anyone who can read pod annotations).
- With existingSecret: a hash of that Secret's uid and resourceVersion as the cluster holds them (rotate the Secret,
  `helm upgrade`, pods roll); its data is never read into the digest.
- With the chart's Secret: a hash of the values it is made from, salted with CHECKSUM_SALT (todo-stack.secrets.salt),
  so the install and every later upgrade render the same digest for the same values.
*/}}
{{- define "todo-stack.secrets.checksum" -}}
{{- if .Values.secrets.existingSecret -}}
{{- $metadata := (lookup "v1" "Secret" .Release.Namespace .Values.secrets.existingSecret).metadata | default dict -}}
{{- printf "%v/%v" ($metadata.uid | default "") ($metadata.resourceVersion | default "") | sha256sum -}}
{{- else -}}
{{- $inputs := dict "secrets" .Values.secrets "externalDatabase" .Values.externalDatabase "postgresql" (pick .Values.postgresql "enabled" "auth" "service") -}}
{{- printf "%s%s" (include "todo-stack.secrets.salt" .) ($inputs | toJson) | sha256sum -}}
{{- end -}}
{{- end -}}

{{/*
todo-stack.secrets.salt: the release's CHECKSUM_SALT, 32 random characters kept in its Secret across upgrades: the
stored one, or (install, `helm template`) one generated once per render. It is memoised in .Values, which every
template of the chart shares during a render, so the Secret and the pod annotations of an install agree.
*/}}
{{- define "todo-stack.secrets.salt" -}}
{{- if not (hasKey .Values "checksumSaltOfThisRender") -}}
{{- $current := (lookup "v1" "Secret" .Release.Namespace (include "todo-stack.fullname" .)).data | default dict -}}
{{- $_ := set .Values "checksumSaltOfThisRender" (get $current "CHECKSUM_SALT" | b64dec | default (randAlphaNum 32)) -}}
{{- end -}}
{{- .Values.checksumSaltOfThisRender -}}
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
