{{/*
todo-stack.hpa: a HorizontalPodAutoscaler (autoscaling/v2) for a Deployment, when the component enables it. Usage:
  {{- include "todo-stack.hpa" (dict "context" $ "component" "backend" "name" (include "todo-stack.backend.fullname" .) "values" .Values.backend) }}
*/}}
{{- define "todo-stack.hpa" -}}
{{- $autoscaling := .values.autoscaling -}}
{{- if $autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .name }}
  namespace: {{ .context.Release.Namespace | quote }}
  labels:
    {{- include "todo-stack.labels" . | nindent 4 }}
  {{- with include "todo-stack.annotations" (dict "context" .context) }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .name }}
  minReplicas: {{ $autoscaling.minReplicas }}
  maxReplicas: {{ $autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $autoscaling.targetCPU }}
    {{- with $autoscaling.targetMemory }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
  {{- with $autoscaling.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end -}}

{{/*
todo-stack.pdb: a PodDisruptionBudget for a Deployment (maxUnavailable 1 unless told otherwise, which never blocks a
node drain even with a single replica). Usage as todo-stack.hpa.
*/}}
{{- define "todo-stack.pdb" -}}
{{- $pdb := .values.pdb -}}
{{- if $pdb.create }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .name }}
  namespace: {{ .context.Release.Namespace | quote }}
  labels:
    {{- include "todo-stack.labels" . | nindent 4 }}
  {{- with include "todo-stack.annotations" (dict "context" .context) }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
spec:
  {{- if ne (toString $pdb.minAvailable) "" }}
  minAvailable: {{ $pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ ne (toString $pdb.maxUnavailable) "" | ternary $pdb.maxUnavailable 1 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "todo-stack.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}
