{{/* Chart name. */}}
{{- define "alignment.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name (release-scoped). */}}
{{- define "alignment.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "alignment.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "alignment.labels" -}}
helm.sh/chart: {{ include "alignment.chart" . }}
app.kubernetes.io/name: {{ include "alignment.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: alignment
{{- end }}

{{/* Selector labels of one component: include with (dict "ctx" $ "component" "api"). */}}
{{- define "alignment.selectorLabels" -}}
app.kubernetes.io/name: {{ include "alignment.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "alignment.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "alignment.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "alignment.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The connection string, the only secret the migration Job needs. */}}
{{- define "alignment.databaseEnv" -}}
- name: ConnectionStrings__Alignment
  valueFrom:
    secretKeyRef:
      name: {{ required "secrets.database.existingSecret is required" .Values.secrets.database.existingSecret }}
      key: {{ .Values.secrets.database.key }}
{{- end }}

{{/* Environment of the API and worker containers: secrets by reference only. */}}
{{- define "alignment.env" -}}
{{ include "alignment.databaseEnv" . }}
- name: ASPNETCORE_URLS
  value: {{ printf "http://+:%v" .Values.containerPort | quote }}
- name: Alignment__Observability__MetricsPath
  value: {{ .Values.observability.metricsPath | quote }}
- name: Alignment__Observability__JsonLogs
  value: {{ .Values.observability.jsonLogs | quote }}
{{- with .Values.observability.otlpEndpoint }}
- name: Alignment__Observability__OtlpEndpoint
  value: {{ . | quote }}
{{- end }}
{{- $tokens := .Values.secrets.trackerTokens }}
{{- $seen := dict }}
{{- range $source := (.Values.alignment.Sources | default list) }}
{{- $env := "" }}
{{- with $source.Auth }}{{ $env = .TokenEnv | default "" }}{{ end }}
{{- if and $env (not (hasKey $seen $env)) }}
{{- $_ := set $seen $env true }}
- name: {{ $env }}
  valueFrom:
    secretKeyRef:
      name: {{ required "secrets.trackerTokens.existingSecret is required when sources name a TokenEnv" $tokens.existingSecret }}
      key: {{ get ($tokens.keys | default dict) $env | default $env }}
{{- end }}
{{- /* A source's webhook secret (Hooks.SecretEnv, docs/webhooks.md) comes from the same Secret, under the variable's name. */}}
{{- $hookEnv := "" }}
{{- with $source.Hooks }}{{ $hookEnv = .SecretEnv | default "" }}{{ end }}
{{- if and $hookEnv (not (hasKey $seen $hookEnv)) }}
{{- $_ := set $seen $hookEnv true }}
- name: {{ $hookEnv }}
  valueFrom:
    secretKeyRef:
      name: {{ required "secrets.trackerTokens.existingSecret is required when sources name a Hooks.SecretEnv" $tokens.existingSecret }}
      key: {{ get ($tokens.keys | default dict) $hookEnv | default $hookEnv }}
{{- end }}
{{- end }}
{{- range $i, $k := .Values.apiKeys }}
- name: {{ printf "Alignment__Auth__ApiKeys__%d__Sha256" $i }}
  valueFrom:
    secretKeyRef:
      name: {{ required "secrets.apiKeys.existingSecret is required when apiKeys are configured" $.Values.secrets.apiKeys.existingSecret }}
      key: {{ required "apiKeys[].secretKey is required" $k.secretKey }}
{{- end }}
{{- with .Values.secrets.smtp }}
{{- if .existingSecret }}
- name: {{ include "alignment.smtpPasswordEnv" $ }}
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .passwordKey }}
{{- if .userKey }}
- name: Alignment__Advice__Smtp__User
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .userKey }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The environment variable that holds the SMTP password (Advice.Smtp.PasswordEnv, else SMTP_PASSWORD). */}}
{{- define "alignment.smtpPasswordEnv" -}}
{{- $advice := .Values.alignment.Advice | default dict }}
{{- $smtp := get $advice "Smtp" | default dict }}
{{- get $smtp "PasswordEnv" | default "SMTP_PASSWORD" }}
{{- end }}

{{/* The Alignment section without secrets: API keys carry name, role and e-mail only; OIDC settings as given. */}}
{{- define "alignment.configJson" -}}
{{- $section := omit (deepCopy .Values.alignment) "Auth" }}
{{- if .Values.secrets.smtp.existingSecret }}
{{- $advice := get $section "Advice" | default dict }}
{{- $smtp := get $advice "Smtp" | default dict }}
{{- $_ := set $smtp "PasswordEnv" (include "alignment.smtpPasswordEnv" .) }}
{{- $_ := set $advice "Smtp" $smtp }}
{{- $_ := set $section "Advice" $advice }}
{{- end }}
{{- $keys := list }}
{{- range .Values.apiKeys }}
{{- $k := dict "Name" .name "Role" .role }}
{{- if .email }}{{ $_ := set $k "Email" .email }}{{ end }}
{{- $keys = append $keys $k }}
{{- end }}
{{- /* Auth: Oidc from the values (no secrets in it), ApiKeys from `apiKeys` (hashes from the Secret). */}}
{{- $auth := dict }}
{{- with (get (.Values.alignment.Auth | default dict) "Oidc") }}{{ $_ := set $auth "Oidc" . }}{{ end }}
{{- if $keys }}{{ $_ := set $auth "ApiKeys" $keys }}{{ end }}
{{- if $auth }}{{ $_ := set $section "Auth" $auth }}{{ end }}
{{- toPrettyJson (dict "Alignment" $section) }}
{{- end }}

{{/* Probes on /health/live and /health/ready. */}}
{{- define "alignment.probes" -}}
livenessProbe:
  httpGet:
    path: {{ .Values.probes.liveness.path }}
    port: http
  initialDelaySeconds: {{ .Values.probes.liveness.initialDelaySeconds }}
  periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: {{ .Values.probes.readiness.path }}
    port: http
  initialDelaySeconds: {{ .Values.probes.readiness.initialDelaySeconds }}
  periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
{{- end }}

{{/* Pod annotations: config checksum (rolls pods on config change) and scrape hints. */}}
{{- define "alignment.podAnnotations" -}}
checksum/config: {{ include "alignment.configJson" . | sha256sum }}
{{- if .Values.observability.prometheusAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/path: {{ .Values.observability.metricsPath | quote }}
prometheus.io/port: {{ .Values.containerPort | quote }}
{{- end }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* NetworkPolicy peer of the metrics scraper (include with .Values): it may reach the HTTP port of every pod. */}}
{{- define "alignment.metricsPeer" -}}
- namespaceSelector:
    {{- toYaml (.networkPolicy.metrics.namespaceSelector | default dict) | nindent 4 }}
  {{- with .networkPolicy.metrics.podSelector }}
  podSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
