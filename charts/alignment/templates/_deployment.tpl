{{/* One Deployment of the `alignment` executable: include with (dict "ctx" $ "component" "api" "verb" "serve" "values" .Values.api). */}}
{{- define "alignment.deployment" -}}
{{- $ := .ctx -}}
{{- $v := .values -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "alignment.fullname" $ }}-{{ .component }}
  labels:
    {{- include "alignment.labels" $ | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  {{- if not (and $v.autoscaling $v.autoscaling.enabled) }}
  replicas: {{ $v.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "alignment.selectorLabels" (dict "ctx" $ "component" .component) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "alignment.labels" $ | nindent 8 }}
        app.kubernetes.io/component: {{ .component }}
        {{- with $.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        {{- include "alignment.podAnnotations" $ | nindent 8 }}
    spec:
      serviceAccountName: {{ include "alignment.serviceAccountName" $ }}
      automountServiceAccountToken: false
      {{- with $.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $.Values.podSecurityContext | nindent 8 }}
      # Hangfire gives running jobs time to finish; a sync interrupted later resumes from its watermark.
      terminationGracePeriodSeconds: 60
      containers:
        - name: {{ .component }}
          image: {{ include "alignment.image" $ | quote }}
          imagePullPolicy: {{ $.Values.image.pullPolicy }}
          args: [{{ .verb | quote }}, "--config", "/etc/alignment/alignment.json"]
          ports:
            - name: http
              containerPort: {{ $.Values.containerPort }}
              protocol: TCP
          env:
            {{- include "alignment.env" $ | nindent 12 }}
          {{- include "alignment.probes" $ | nindent 10 }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- toYaml $.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: config
              mountPath: /etc/alignment
              readOnly: true
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: config
          configMap:
            name: {{ include "alignment.fullname" $ }}
        - name: tmp
          emptyDir:
            sizeLimit: 256Mi
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}

{{/* PodDisruptionBudget of one component. */}}
{{- define "alignment.pdb" -}}
{{- $ := .ctx -}}
{{- if .values.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "alignment.fullname" $ }}-{{ .component }}
  labels:
    {{- include "alignment.labels" $ | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  maxUnavailable: {{ .values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "alignment.selectorLabels" (dict "ctx" $ "component" .component) | nindent 6 }}
{{- end }}
{{- end }}
