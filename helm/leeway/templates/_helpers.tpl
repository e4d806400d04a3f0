{{- define "leeway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "leeway.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "leeway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "leeway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "leeway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "leeway.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "leeway.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "leeway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "leeway.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "leeway.secretName" -}}
{{- default (printf "%s-secrets" (include "leeway.fullname" .)) .Values.existingSecret -}}
{{- end -}}

{{/* Environment shared by every container: ConfigMap plus the secret keys. */}}
{{- define "leeway.env" -}}
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ include "leeway.secretName" . }}, key: DATABASE_URL } }
- name: REDIS_URL
  valueFrom: { secretKeyRef: { name: {{ include "leeway.secretName" . }}, key: REDIS_URL, optional: true } }
- name: LEEWAY_SECRET_KEY
  valueFrom: { secretKeyRef: { name: {{ include "leeway.secretName" . }}, key: LEEWAY_SECRET_KEY } }
- name: LEEWAY_ADMIN_TOKEN
  valueFrom: { secretKeyRef: { name: {{ include "leeway.secretName" . }}, key: LEEWAY_ADMIN_TOKEN, optional: true } }
{{- end -}}
