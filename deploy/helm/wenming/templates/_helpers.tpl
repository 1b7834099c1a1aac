{{/* Names ---------------------------------------------------------------------------- */}}

{{- define "wenming.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's base name; components append "-<component>", so it is kept to 40 characters. */}}
{{- define "wenming.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "wenming.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The service gRPC components of the split shape, in a fixed order. */}}
{{- define "wenming.grpcServices" -}}
- tenancy
- standards
- evidence
- review
- notify
{{- end }}

{{/* The Deployments of the chosen shape: "all", or the services and "gateway". */}}
{{- define "wenming.components" -}}
{{- if eq .Values.shape "split" }}
{{- include "wenming.grpcServices" . }}
- gateway
{{- else }}
- all
{{- end }}
{{- end }}

{{/* ctx = dict "root" $ "name" <component> */}}
{{- define "wenming.componentName" -}}
{{- if eq .name "all" }}{{ include "wenming.fullname" .root }}{{ else }}{{ printf "%s-%s" (include "wenming.fullname" .root) .name }}{{ end }}
{{- end }}

{{- define "wenming.componentValues" -}}
{{- if eq .name "all" }}{{ toYaml .root.Values.allInOne }}{{ else }}{{ toYaml (index .root.Values.services .name) }}{{ end }}
{{- end }}

{{/* What a component serves. */}}
{{- define "wenming.servesGRPC" -}}
{{- if ne .name "gateway" }}true{{ end }}
{{- end }}
{{- define "wenming.servesHTTP" -}}
{{- if or (eq .name "gateway") (eq .name "all") }}true{{ end }}
{{- end }}
{{/* Components that use the database, Redis and the master key: every one but the gateway. */}}
{{- define "wenming.usesDatabase" -}}
{{- if ne .name "gateway" }}true{{ end }}
{{- end }}

{{/* Labels ---------------------------------------------------------------------------- */}}

{{- define "wenming.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wenming.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "wenming.labels" -}}
helm.sh/chart: {{ include "wenming.chart" . }}
{{ include "wenming.selectorLabels" . }}
app.kubernetes.io/version: {{ include "wenming.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: wenming
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* ctx = dict "root" $ "name" <component> */}}
{{- define "wenming.componentSelectorLabels" -}}
{{ include "wenming.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "wenming.componentLabels" -}}
{{ include "wenming.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* Image ----------------------------------------------------------------------------- */}}

{{- define "wenming.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "wenming.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "wenming.imageTag" .) }}
{{- end }}
{{- end }}

{{- define "wenming.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "wenming.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Features -------------------------------------------------------------------------- */}}

{{- define "wenming.secretName" -}}
{{- default (include "wenming.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* PostgreSQL is in use: a URL, or an existing Secret that holds it. */}}
{{- define "wenming.postgres" -}}
{{- if or .Values.database.url .Values.secrets.existingSecret }}true{{ end }}
{{- end }}

{{- define "wenming.replicaEnabled" -}}
{{- if or .Values.database.replica.enabled .Values.database.replica.url }}true{{ end }}
{{- end }}

{{- define "wenming.redisEnabled" -}}
{{- if or .Values.redis.enabled .Values.redis.url }}true{{ end }}
{{- end }}

{{- define "wenming.s3CredentialsEnabled" -}}
{{- if or .Values.blob.credentials.enabled .Values.blob.credentials.accessKeyId }}true{{ end }}
{{- end }}

{{/* The effective migration mode: none without PostgreSQL. */}}
{{- define "wenming.migrationMode" -}}
{{- if include "wenming.postgres" . }}{{ .Values.migrations.mode }}{{ else }}none{{ end }}
{{- end }}

{{- define "wenming.migrateJobName" -}}
{{- if eq (include "wenming.migrationMode" .) "job" }}
{{- /* Named by what the Job runs, not only the image: Argo CD renders revision 1 every time,
       and a Job's template cannot change under the same name. */}}
{{- printf "%s-migrate-%d-%s" (include "wenming.fullname" .) (int .Release.Revision) (list (include "wenming.image" .) .Values.migrations .Values.extraEnv .Values.extraEnvFrom .Values.extraVolumes .Values.extraVolumeMounts .Values.config .Values.secrets.keys .Values.secrets.existingSecret .Values.podLabels .Values.podAnnotations .Values.nodeSelector .Values.tolerations .Values.imagePullSecrets | toJson | sha256sum | trunc 8) }}
{{- else }}
{{- printf "%s-migrate" (include "wenming.fullname" .) }}
{{- end }}
{{- end }}

{{/* The data directory is a claim: all-in-one with persistence. */}}
{{- define "wenming.claimName" -}}
{{- default (printf "%s-data" (include "wenming.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{/* Env ------------------------------------------------------------------------------- */}}

{{- define "wenming.secretEnv" -}}
{{- /* ctx = dict "root" $ "name" "envName" "key" */ -}}
- name: {{ .envName }}
  valueFrom:
    secretKeyRef:
      name: {{ include "wenming.secretName" .root }}
      key: {{ .key }}
{{- end }}

{{/* The env of a container that runs `wenming migrate` or `migrate wait` (the migration hook
     runs before the ConfigMap exists, so nothing comes from it). */}}
{{- define "wenming.migrateEnv" -}}
{{ include "wenming.secretEnv" (dict "root" . "envName" "WENMING_DATABASE_URL" "key" .Values.secrets.keys.databaseUrl) }}
- name: WENMING_LOG_FORMAT
  value: {{ .Values.config.logFormat | quote }}
- name: WENMING_LOG_LEVEL
  value: {{ .Values.config.logLevel | quote }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* What the migration Job and the migrate-wait init container share with the main
     containers besides the env: a private CA, a database URL from another Secret. */}}
{{- define "wenming.migrateEnvFrom" -}}
{{- with .Values.extraEnvFrom }}
envFrom:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The component-specific env of a main container; the shared settings come from the
     ConfigMap (envFrom). ctx = dict "root" $ "name" <component> "values" <component values> */}}
{{- define "wenming.env" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $name := .name }}
- name: POD_NAME
  valueFrom: {fieldRef: {fieldPath: metadata.name}}
- name: POD_NAMESPACE
  valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
{{- if include "wenming.servesGRPC" . }}
- name: WENMING_GRPC_ADDR
  value: {{ printf ":%d" (int $v.ports.grpc) | quote }}
{{- end }}
{{- if include "wenming.servesHTTP" . }}
- name: WENMING_HTTP_ADDR
  value: {{ printf ":%d" (int $v.ports.http) | quote }}
{{- end }}
{{- if eq $name "gateway" }}
{{- range $svc := include "wenming.grpcServices" $root | fromYamlArray }}
- name: {{ printf "WENMING_%s_ADDR" (upper $svc) }}
  value: {{ printf "dns:///%s-headless.%s.svc.%s:%d" (include "wenming.componentName" (dict "root" $root "name" $svc)) $root.Release.Namespace $v.clusterDomain (int $v.ports.grpc) | quote }}
{{- end }}
{{- end }}
{{- if include "wenming.usesDatabase" . }}
{{- if include "wenming.postgres" $root }}
{{ include "wenming.secretEnv" (dict "root" $root "envName" "WENMING_DATABASE_URL" "key" $v.secrets.keys.databaseUrl) }}
{{- if include "wenming.replicaEnabled" $root }}
{{ include "wenming.secretEnv" (dict "root" $root "envName" "WENMING_DATABASE_REPLICA_URL" "key" $v.secrets.keys.databaseReplicaUrl) }}
{{- end }}
{{- end }}
{{- if ne (include "wenming.migrationMode" $root) "none" }}
- name: WENMING_NO_MIGRATE
  value: "1"
{{- end }}
{{- if include "wenming.redisEnabled" $root }}
{{ include "wenming.secretEnv" (dict "root" $root "envName" "WENMING_REDIS_URL" "key" $v.secrets.keys.redisUrl) }}
{{- end }}
{{ include "wenming.secretEnv" (dict "root" $root "envName" "WENMING_MASTER_KEY" "key" $v.secrets.keys.masterKey) }}
{{- end }}
{{- if or (eq $name "tenancy") (eq $name "all") }}
{{ include "wenming.secretEnv" (dict "root" $root "envName" "WENMING_BOOTSTRAP_ADMIN_PASSWORD" "key" $v.secrets.keys.bootstrapAdminPassword) }}
{{- end }}
{{- if or (eq $name "evidence") (eq $name "all") }}
{{- with $v.blob.url }}
- name: WENMING_BLOB_URL
  value: {{ . | quote }}
{{- end }}
{{- if include "wenming.s3CredentialsEnabled" $root }}
{{ include "wenming.secretEnv" (dict "root" $root "envName" "AWS_ACCESS_KEY_ID" "key" $v.secrets.keys.awsAccessKeyId) }}
{{ include "wenming.secretEnv" (dict "root" $root "envName" "AWS_SECRET_ACCESS_KEY" "key" $v.secrets.keys.awsSecretAccessKey) }}
{{- end }}
{{- end }}
{{- if or (eq $name "notify") (eq $name "all") }}
{{- with $v.config.webhookAllow }}
- name: WENMING_WEBHOOK_ALLOW
  value: {{ join "," . | quote }}
{{- end }}
{{- end }}
{{- if $v.config.tracing.otlpEndpoint }}
- name: OTEL_SERVICE_NAME
  value: {{ printf "wenming-%s" $name | quote }}
{{- $attrs := list (printf "service.version=%s" (include "wenming.imageTag" $root)) "k8s.namespace.name=$(POD_NAMESPACE)" "k8s.pod.name=$(POD_NAME)" (printf "k8s.deployment.name=%s" (include "wenming.componentName" .)) }}
{{- with $v.config.tracing.resourceAttributes }}{{ $attrs = append $attrs . }}{{ end }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ join "," $attrs | quote }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with .values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Checks ---------------------------------------------------------------------------- */}}

{{/* Refuses combinations that would install but not work. Included by deployment.yaml. */}}
{{- define "wenming.validate" -}}
{{- $v := .Values }}
{{- $postgres := include "wenming.postgres" . }}
{{- if and (not $postgres) (eq $v.shape "split") }}
{{- fail "shape=split needs PostgreSQL: set database.url or secrets.existingSecret (SQLite serves one all-in-one pod only)" }}
{{- end }}
{{- if and (not $postgres) (or (gt (int $v.allInOne.replicas) 1) $v.allInOne.autoscaling.enabled) }}
{{- fail "more than one all-in-one replica needs PostgreSQL: set database.url or secrets.existingSecret" }}
{{- end }}
{{- if $v.secrets.existingSecret }}
{{- range $k := list "database.url" "database.replica.url" "redis.url" "blob.credentials.accessKeyId" "blob.credentials.secretAccessKey" "secrets.masterKey" "secrets.bootstrapAdminPassword" }}
{{- $parts := splitList "." $k }}
{{- $val := $v }}
{{- range $parts }}{{ $val = index $val . }}{{ end }}
{{- if $val }}
{{- fail (printf "secrets.existingSecret is set, so %s would be ignored: put it in the Secret %q instead and remove it from the values" $k $v.secrets.existingSecret) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and (eq (include "wenming.migrationMode" .) "job") (not $v.secrets.existingSecret) (not (and $v.secrets.masterKey $v.secrets.bootstrapAdminPassword)) }}
{{- fail "migrations.mode=job is for GitOps, where the chart cannot look up a generated master key: set secrets.existingSecret (see docs/helm.md)" }}
{{- end }}
{{- if and (not $v.secrets.existingSecret) (include "wenming.s3CredentialsEnabled" .) (not (and $v.blob.credentials.accessKeyId $v.blob.credentials.secretAccessKey)) }}
{{- fail "blob.credentials: set both accessKeyId and secretAccessKey" }}
{{- end }}
{{- if not $v.blob.url }}
{{- $evidence := ternary $v.allInOne (index $v.services "evidence") (eq $v.shape "allInOne") }}
{{- if or (gt (int $evidence.replicas) 1) $evidence.autoscaling.enabled }}
{{- fail "more than one evidence pod needs shared file storage: set blob.url (S3), or run one replica" }}
{{- end }}
{{- end }}
{{- if and $v.persistence.enabled (eq $v.shape "split") }}
{{- fail "persistence is for the all-in-one shape with one replica; the split shape needs PostgreSQL and blob.url (S3)" }}
{{- end }}
{{- if and $v.persistence.enabled (or (gt (int $v.allInOne.replicas) 1) $v.allInOne.autoscaling.enabled) }}
{{- fail "persistence (a ReadWriteOnce claim) allows one all-in-one replica: use blob.url (S3) and PostgreSQL to scale" }}
{{- end }}
{{- if le (int $v.terminationGracePeriodSeconds) (add (int $v.drainSeconds) (int $v.preStopSleepSeconds)) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be longer than preStopSleepSeconds + drainSeconds (%d)" (int $v.terminationGracePeriodSeconds) (add (int $v.drainSeconds) (int $v.preStopSleepSeconds))) }}
{{- end }}
{{- if and $postgres (not $v.secrets.existingSecret) (not $v.secrets.masterKey) (not (lookup "v1" "Namespace" "" .Release.Namespace)) }}
{{- /* Without a cluster to look the Secret up in (helm template, Argo CD, Flux), a generated
       master key would be new at every render: pods started later would carry another key
       than the database is bound to, and refuse to start. */}}
{{- fail "rendering without access to the cluster (helm template, GitOps), the master key cannot be generated once and kept: set secrets.existingSecret, or secrets.masterKey (openssl rand -base64 32); see docs/helm.md" }}
{{- end }}
{{- if and (include "wenming.replicaEnabled" .) (not (include "wenming.redisEnabled" .)) }}
{{- fail "database.replica needs a shared Redis (redis.url): every process keeps its callers' write positions there, and refuses to start without it" }}
{{- end }}
{{- if and $postgres (not (include "wenming.redisEnabled" .)) (not $v.secrets.existingSecret) (or (eq $v.shape "split") (gt (int $v.allInOne.replicas) 1) $v.allInOne.autoscaling.enabled) }}
{{- fail "more than one pod needs a shared Redis (redis.url): login limits, unlocks and token revocations must reach every pod" }}
{{- end }}
{{- if and $v.config.demo (eq $v.shape "split") }}
{{- fail "config.demo loads the demo tree on the first start of an all-in-one pod; the split shape's processes refuse it" }}
{{- end }}
{{- if and (eq $v.shape "split") (not $v.config.trustedProxies) }}
{{- fail "shape=split: set config.trustedProxies to the pod network (and the ingress), so the services believe the gateway's X-Forwarded-For; otherwise every user counts as the gateway's address for login limits" }}
{{- end }}
{{- if and $postgres (not $v.blob.url) (not $v.persistence.enabled) }}
{{- fail "with PostgreSQL, evidence files need lasting storage: set blob.url (S3), or persistence.enabled for one all-in-one pod (an emptyDir loses them with the pod)" }}
{{- end }}
{{- range $name := include "wenming.components" . | fromYamlArray }}
{{- $c := include "wenming.componentValues" (dict "root" $ "name" $name) | fromYaml }}
{{- if and $c.pdb.enabled (not $c.autoscaling.enabled) (not (kindIs "invalid" $c.pdb.minAvailable)) (ge (int $c.pdb.minAvailable) (int $c.replicas)) }}
{{- fail (printf "%s: pdb.minAvailable (%v) >= replicas (%v) would block every node drain" $name $c.pdb.minAvailable $c.replicas) }}
{{- end }}
{{- if and $c.autoscaling.enabled (gt (int $c.autoscaling.minReplicas) (int $c.autoscaling.maxReplicas)) }}
{{- fail (printf "%s: autoscaling.minReplicas > maxReplicas" $name) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Checksums: pods roll when the settings they read change. */}}
{{- define "wenming.configChecksum" -}}
{{- include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- end }}

{{/* Only the values that go into the Secret (never the generated parts, which differ on
     every render without a cluster to look them up in). */}}
{{- define "wenming.secretChecksum" -}}
{{- $v := .Values }}
{{- dict "existing" $v.secrets.existingSecret "keys" $v.secrets.keys "db" $v.database "redis" $v.redis "s3" $v.blob.credentials "mk" $v.secrets.masterKey "pw" $v.secrets.bootstrapAdminPassword | toJson | sha256sum }}
{{- end }}
