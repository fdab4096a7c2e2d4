{{/* Name of the chart, and of everything it creates unless fullnameOverride says otherwise. */}}
{{- define "plimsoll.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "plimsoll.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "plimsoll.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "plimsoll.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "plimsoll.selectorLabels" -}}
app.kubernetes.io/name: {{ include "plimsoll.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "plimsoll.labels" -}}
{{ include "plimsoll.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: admission-webhook
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The image, always by digest. */}}
{{- define "plimsoll.image" -}}
{{- if not (regexMatch "^sha256:[0-9a-f]{64}$" .Values.image.digest) -}}
{{- fail "image.digest must be sha256:<64 hex digits>: Plimsoll is deployed by digest, never by tag" -}}
{{- end -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- end -}}

{{- define "plimsoll.tlsSecret" -}}
{{- if .Values.certManager.enabled -}}
{{- printf "%s-tls" (include "plimsoll.fullname" .) -}}
{{- else -}}
{{- required "tls.existingSecret is required when certManager.enabled is false" .Values.tls.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* Namespaces the webhook never sees: the configured ones, kube-system and the release's. */}}
{{- define "plimsoll.excludedNamespaces" -}}
{{- $ns := concat (list "kube-system" .Release.Namespace) .Values.webhook.excludeNamespaces | uniq -}}
{{- toJson $ns -}}
{{- end -}}

{{/* The restore drill's pods: a name of their own, so that the webhook's Service, PDB and
     NetworkPolicy (which select app.kubernetes.io/name=plimsoll) never select them. */}}
{{- define "plimsoll.drill.selectorLabels" -}}
app.kubernetes.io/name: {{ include "plimsoll.name" . }}-drill
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "plimsoll.drill.labels" -}}
{{ include "plimsoll.drill.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: restore-drill
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* An image by digest: (dict "image" .Values.x.image "what" "x.image"). */}}
{{- define "plimsoll.imageByDigest" -}}
{{- if not .image.repository -}}
{{- fail (printf "%s.repository is required" .what) -}}
{{- end -}}
{{- if not (regexMatch "^sha256:[0-9a-f]{64}$" (.image.digest | default "")) -}}
{{- fail (printf "%s.digest must be sha256:<64 hex digits>: images are deployed by digest, never by tag" .what) -}}
{{- end -}}
{{- printf "%s@%s" .image.repository .image.digest -}}
{{- end -}}

{{/* The webhook's plimsoll.yaml: a map (rendered as YAML) or a string (verbatim, e.g. from
     --set-file config=plimsoll.yaml). Empty when not configured. */}}
{{- define "plimsoll.configText" -}}
{{- if kindIs "string" .Values.config -}}
{{- .Values.config -}}
{{- else if .Values.config -}}
{{- toYaml .Values.config -}}
{{- end -}}
{{- end -}}
