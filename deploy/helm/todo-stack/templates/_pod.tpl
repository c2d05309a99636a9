{{/*
Pieces shared by every pod of the chart. The security contexts implement the Kubernetes "restricted" Pod Security
Standard and are not configurable beyond the numeric user and group: every container runs as non-root with a
read-only root filesystem, no privilege escalation, no capabilities and the runtime's default seccomp profile.
*/}}

{{/*
todo-stack.podSecurityContext: pod-level security context. Usage:
  {{- include "todo-stack.podSecurityContext" (dict "uid" .Values.backend.runAsUser "gid" .Values.backend.runAsGroup) | nindent 6 }}
*/}}
{{- define "todo-stack.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .uid }}
  runAsGroup: {{ .gid }}
  fsGroup: {{ .gid }}
  fsGroupChangePolicy: OnRootMismatch
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/*
todo-stack.containerSecurityContext: container-level security context (repeats the user so each container is
self-describing, e.g. for `kubectl debug` copies). Usage as todo-stack.podSecurityContext.
*/}}
{{- define "todo-stack.containerSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .uid }}
  runAsGroup: {{ .gid }}
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  privileged: false
  capabilities:
    drop:
      - ALL
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/*
todo-stack.affinity: the component's `affinity`, else the pod anti-affinity preset (soft: prefer other nodes;
hard: require them). Usage:
  {{- include "todo-stack.affinity" (dict "context" $ "component" "backend" "values" .Values.backend) | nindent 6 }}
*/}}
{{- define "todo-stack.affinity" -}}
{{- if .values.affinity }}
affinity:
  {{- toYaml .values.affinity | nindent 2 }}
{{- else if eq .values.podAntiAffinityPreset "soft" }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "todo-stack.selectorLabels" . | nindent 14 }}
{{- else if eq .values.podAntiAffinityPreset "hard" }}
affinity:
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "todo-stack.selectorLabels" . | nindent 12 }}
{{- end }}
{{- end -}}

{{/*
todo-stack.scheduling: nodeSelector, tolerations, topology spread and priority class of a component. Usage:
  {{- include "todo-stack.scheduling" .Values.backend | nindent 6 }}
*/}}
{{- define "todo-stack.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end -}}

{{/*
todo-stack.httpProbes: startup, liveness and readiness probes over HTTP. Usage:
  {{- include "todo-stack.httpProbes" (dict "values" .Values.backend "live" "/health" "ready" "/ready") | nindent 10 }}
The startup probe holds the other two back until the process answers, so slow first starts are not killed.
*/}}
{{- define "todo-stack.httpProbes" -}}
startupProbe:
  httpGet:
    path: {{ .live }}
    port: http
  periodSeconds: {{ .values.startupProbe.periodSeconds }}
  timeoutSeconds: {{ .values.startupProbe.timeoutSeconds }}
  failureThreshold: {{ .values.startupProbe.failureThreshold }}
livenessProbe:
  httpGet:
    path: {{ .live }}
    port: http
  periodSeconds: {{ .values.livenessProbe.periodSeconds }}
  timeoutSeconds: {{ .values.livenessProbe.timeoutSeconds }}
  failureThreshold: {{ .values.livenessProbe.failureThreshold }}
  {{- with .values.livenessProbe.terminationGracePeriodSeconds }}
  terminationGracePeriodSeconds: {{ . }}
  {{- end }}
readinessProbe:
  httpGet:
    path: {{ .ready }}
    port: http
  periodSeconds: {{ .values.readinessProbe.periodSeconds }}
  timeoutSeconds: {{ .values.readinessProbe.timeoutSeconds }}
  failureThreshold: {{ .values.readinessProbe.failureThreshold }}
{{- end -}}

{{/*
todo-stack.replicas: `replicas:` of a Deployment, omitted when an HPA owns the count (so an upgrade does not reset
what the autoscaler chose). Usage: {{- include "todo-stack.replicas" .Values.backend | nindent 2 }}
*/}}
{{- define "todo-stack.replicas" -}}
{{- if not .autoscaling.enabled }}
replicas: {{ .replicas }}
{{- end }}
{{- end -}}

{{/*
todo-stack.liveUpdate.pod: the pod template's mark of live update (`liveUpdate.enabled`): `kubectl get pods -l
todo-stack.dev/live-update=true` lists the pods that run the workspace's code. Usage: in a pod template's labels.
*/}}
{{- define "todo-stack.liveUpdate.label" -}}
{{- if .Values.liveUpdate.enabled }}
todo-stack.dev/live-update: "true"
{{- end }}
{{- end -}}
