{{/* Names: every object is <release>-<service>[-<role>], labelled with the service and the role. */}}
{{- define "aivi.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 40 | trimSuffix "-" }}{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "aivi.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one process kind: dict "root" $ "svc" name "role" role */}}
{{- define "aivi.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .svc }}
aivi.io/role: {{ .role }}
{{- end -}}

{{- define "aivi.image" -}}
{{ printf "%s/%s:%s" .root.Values.image.registry .name (default .root.Chart.AppVersion .root.Values.image.tag) }}
{{- end -}}

{{/* The settings of one process kind: the defaults for the role, overridden by the service's own block. */}}
{{- define "aivi.roleValues" -}}
{{- $defaults := index .root.Values.defaults .role -}}
{{- $own := index .cfg .role | default dict -}}
{{- toYaml (mustMergeOverwrite (deepCopy $defaults) $own) -}}
{{- end -}}

{{- define "aivi.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "aivi.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* Environment every service process gets: plain settings from the ConfigMap, secrets from existing Secrets. */}}
{{- define "aivi.serviceEnv" -}}
envFrom:
  - configMapRef:
      name: {{ include "aivi.fullname" .root }}-common
  - secretRef:
      name: {{ .root.Values.sharedSecret.existingSecret }}
  - secretRef:
      name: {{ .cfg.secret }}
env:
  - name: PORT
    value: {{ .cfg.port | quote }}
  - name: DB_SCHEMA
    value: {{ .svc | quote }}
  {{- range $key, $value := .cfg.env }}
  - name: {{ $key }}
    value: {{ $value | quote }}
  {{- end }}
  {{- if eq .svc "gateway" }}
  - name: PROCESS_HEALTH_URLS
    value: {{ include "aivi.processHealthUrls" .root | quote }}
  {{- end }}
{{- end -}}

{{/* The gateway's aggregated /health asks each consumer and worker Service for its liveness. */}}
{{- define "aivi.processHealthUrls" -}}
{{- $root := . -}}
{{- $urls := dict -}}
{{- range $svc, $cfg := .Values.services -}}
{{- $_ := set $urls (printf "%s-consumer" $svc) (printf "http://%s-%s-consumer:9101" (include "aivi.fullname" $root) $svc) -}}
{{- $_ := set $urls (printf "%s-worker" $svc) (printf "http://%s-%s-worker:9102" (include "aivi.fullname" $root) $svc) -}}
{{- end -}}
{{- toJson $urls -}}
{{- end -}}

{{- define "aivi.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .cfg.tmpSizeLimit | default "256Mi" }}
{{- end -}}
