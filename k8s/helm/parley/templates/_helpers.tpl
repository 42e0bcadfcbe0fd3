{{/*
What the contract fixes about each service: its name, its port, its database schema value key.
Keyed by the values key of the service (auth, id, chat, notify).
*/}}
{{- define "parley.services" -}}
auth: {name: auth-service, port: 8081, database: true, ingress: true}
id: {name: id-service, port: 8084, database: false, ingress: false}
chat: {name: chat-service, port: 8080, database: true, ingress: true}
notify: {name: notify-service, port: 8083, database: true, ingress: true}
{{- end }}

{{- define "parley.serviceKeys" -}}
[auth, id, chat, notify]
{{- end }}

{{/* The contract facts of one service: include "parley.svc" (list $ "chat") */}}
{{- define "parley.svc" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- toYaml (index (fromYaml (include "parley.services" $root)) $key) -}}
{{- end }}

{{/* The image tag of every Parley image: image.tag, else the chart's appVersion. */}}
{{- define "parley.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end }}

{{/* The one place an image reference is built: include "parley.image" (list $ "chat") */}}
{{- define "parley.image" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- $repo := (index $root.Values $key).image.repository -}}
{{- if $root.Values.image.registry -}}
{{- printf "%s/%s:%s" $root.Values.image.registry $repo (include "parley.imageTag" $root) -}}
{{- else -}}
{{- printf "%s:%s" $repo (include "parley.imageTag" $root) -}}
{{- end -}}
{{- end }}

{{- define "parley.chartLabel" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/* Labels of every object: include "parley.labels" (list $ "chat-service" "server") */}}
{{- define "parley.labels" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
app: {{ $name }}
app.kubernetes.io/name: {{ $name }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 2 }}
app.kubernetes.io/part-of: parley
app.kubernetes.io/version: {{ include "parley.imageTag" $root | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
helm.sh/chart: {{ include "parley.chartLabel" $root }}
{{- end }}

{{/* Selector labels: stable across upgrades (a Deployment's selector cannot change). */}}
{{- define "parley.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ index . 1 }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
{{- end }}

{{/* Redis addresses for QUARKUS_REDIS_HOSTS. */}}
{{- define "parley.redisHosts" -}}
{{- if .Values.redis.enabled -}}
redis://parley-redis:6379
{{- else -}}
{{- join "," .Values.redis.external.hosts -}}
{{- end -}}
{{- end }}

{{/* JDBC URL of one schema: include "parley.jdbcUrl" (list $ "parley_chat") */}}
{{- define "parley.jdbcUrl" -}}
{{- $root := index . 0 -}}
{{- $db := index . 1 -}}
{{- if $root.Values.mysql.enabled -}}
{{- printf "jdbc:mysql://parley-mysql:3306/%s" $db -}}
{{- else -}}
{{- $url := printf "jdbc:mysql://%s:%d/%s" $root.Values.mysql.external.host (int $root.Values.mysql.external.port) $db -}}
{{- if $root.Values.mysql.external.params -}}
{{- printf "%s?%s" $url $root.Values.mysql.external.params -}}
{{- else -}}
{{- $url -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* Name of a service's migration Job: changes with the image and the database, so a new image gets a new
Job (a Job's pod template cannot be changed in place) and the same release keeps the same Job. */}}
{{- define "parley.migrationJob" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- $svc := fromYaml (include "parley.svc" (list $root $key)) -}}
{{- $db := (index $root.Values $key).database.name -}}
{{- $hash := printf "%s|%s" (include "parley.image" (list $root $key)) (include "parley.jdbcUrl" (list $root $db)) | sha256sum | trunc 8 -}}
{{- printf "%s-liquibase-%s" $svc.name $hash -}}
{{- end }}

{{/* Environment variables taken from Secrets, for a service (and its migration Job). */}}
{{- define "parley.secretEnv" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- $svc := fromYaml (include "parley.svc" (list $root $key)) -}}
{{- if $root.Values.secrets.tokenKeys.existingSecret }}
# the token key set, re-read while running (a mounted Secret changes under the pod): keys rotate without a restart
- name: PARLEY_TOKEN_KEYS_FILE
  value: {{ include "parley.tokenKeysFile" $root }}
{{- else }}
- name: PARLEY_TOKEN_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.tokenKey.existingSecret }}
      key: {{ $root.Values.secrets.tokenKey.key }}
{{- end }}
{{- if eq $key "auth" }}
- name: PARLEY_AUTH_ADMIN_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.adminKey.existingSecret }}
      key: {{ $root.Values.secrets.adminKey.key }}
{{- if and $root.Values.auth.adminApi.enabled $root.Values.secrets.adminApiKeys.existingSecret }}
- name: PARLEY_AUTH_ADMIN_API_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.adminApiKeys.existingSecret }}
      key: {{ $root.Values.secrets.adminApiKeys.key }}
{{- end }}
{{- end }}
{{- if $svc.database }}
- name: QUARKUS_DATASOURCE_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.database.existingSecret }}
      key: {{ $root.Values.secrets.database.usernameKey }}
- name: QUARKUS_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.database.existingSecret }}
      key: {{ $root.Values.secrets.database.passwordKey }}
{{- end }}
{{- if $root.Values.secrets.redis.existingSecret }}
- name: QUARKUS_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secrets.redis.existingSecret }}
      key: {{ $root.Values.secrets.redis.passwordKey }}
{{- end }}
{{- if and (eq $key "notify") $root.Values.notify.mail.existingSecret }}
- name: QUARKUS_MAILER_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.notify.mail.existingSecret }}
      key: QUARKUS_MAILER_USERNAME
- name: QUARKUS_MAILER_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.notify.mail.existingSecret }}
      key: QUARKUS_MAILER_PASSWORD
{{- end }}
{{- end }}

{{/*
notify-service's push provider keys (values notify.push): the key files (FCM service account, APNs .p8) are mounted
from their Secrets and named by path, the short secrets (APNs key and team id, VAPID keys) come as environment. Only
the serving pods get them; the migration Job needs none.
*/}}
{{- define "parley.pushEnv" -}}
{{- $push := .Values.notify.push -}}
{{- if $push.fcm.existingSecret }}
- name: PARLEY_NOTIFY_PUSH_FCM_SERVICE_ACCOUNT
  value: /etc/parley/push/fcm/service-account.json
{{- end }}
{{- if $push.apns.existingSecret }}
- name: PARLEY_NOTIFY_PUSH_APNS_KEY
  value: /etc/parley/push/apns/AuthKey.p8
- name: PARLEY_NOTIFY_PUSH_APNS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ $push.apns.existingSecret }}
      key: {{ $push.apns.keyIdKey }}
- name: PARLEY_NOTIFY_PUSH_APNS_TEAM_ID
  valueFrom:
    secretKeyRef:
      name: {{ $push.apns.existingSecret }}
      key: {{ $push.apns.teamIdKey }}
{{- end }}
{{- if $push.webPush.existingSecret }}
- name: PARLEY_NOTIFY_PUSH_WEB_PUSH_VAPID_PUBLIC_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $push.webPush.existingSecret }}
      key: {{ $push.webPush.publicKeyKey }}
- name: PARLEY_NOTIFY_PUSH_WEB_PUSH_VAPID_PRIVATE_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $push.webPush.existingSecret }}
      key: {{ $push.webPush.privateKeyKey }}
{{- end }}
{{- end }}

{{- define "parley.pushKeysVolumeMounts" -}}
{{- $push := .Values.notify.push -}}
{{- if $push.fcm.existingSecret }}
- name: push-fcm
  mountPath: /etc/parley/push/fcm
  readOnly: true
{{- end }}
{{- if $push.apns.existingSecret }}
- name: push-apns
  mountPath: /etc/parley/push/apns
  readOnly: true
{{- end }}
{{- end }}

{{- define "parley.pushKeysVolumes" -}}
{{- $push := .Values.notify.push -}}
{{- if $push.fcm.existingSecret }}
- name: push-fcm
  secret:
    secretName: {{ $push.fcm.existingSecret }}
    defaultMode: 0440 # the owner and the pod's fsGroup (the service runs as its user, in that group)
    items:
      - key: {{ $push.fcm.key }}
        path: service-account.json
{{- end }}
{{- if $push.apns.existingSecret }}
- name: push-apns
  secret:
    secretName: {{ $push.apns.existingSecret }}
    defaultMode: 0440 # the owner and the pod's fsGroup (the service runs as its user, in that group)
    items:
      - key: {{ $push.apns.keyKey }}
        path: AuthKey.p8
{{- end }}
{{- end }}

{{/* Where a pod reads the token key set (secrets.tokenKeys), mounted by "parley.tokenKeysVolumeMount". */}}
{{- define "parley.tokenKeysFile" -}}
/etc/parley/token-keys/token-keys.json
{{- end }}

{{/* The token key set's mount (no subPath: a subPath mount never sees the Secret change). */}}
{{- define "parley.tokenKeysVolumeMount" -}}
{{- if .Values.secrets.tokenKeys.existingSecret }}
- name: token-keys
  mountPath: /etc/parley/token-keys
  readOnly: true
{{- end }}
{{- end }}

{{- define "parley.tokenKeysVolume" -}}
{{- if .Values.secrets.tokenKeys.existingSecret }}
- name: token-keys
  secret:
    secretName: {{ .Values.secrets.tokenKeys.existingSecret }}
    items:
      - key: {{ .Values.secrets.tokenKeys.key }}
        path: token-keys.json
{{- end }}
{{- end }}

{{/* envFrom of a service and its migration Job: the shared ConfigMap, then the service's own. */}}
{{- define "parley.envFrom" -}}
{{- $svc := fromYaml (include "parley.svc" .) -}}
- configMapRef:
    name: parley-config
- configMapRef:
    name: {{ $svc.name }}-config
{{- end }}

{{/* Checks of values that the schema cannot express; a failure stops install and template. */}}
{{- define "parley.validate" -}}
{{- $chat := .Values.chat -}}
{{- $need := add $chat.drain.preStopSleepSeconds $chat.drain.windowSeconds 10 -}}
{{- if le (int $chat.terminationGracePeriodSeconds) (int $need) -}}
{{- fail (printf "chat.terminationGracePeriodSeconds (%v) must be greater than chat.drain.preStopSleepSeconds + chat.drain.windowSeconds + 10 s of margin (%v): the kubelet would kill the pod mid-drain" $chat.terminationGracePeriodSeconds $need) -}}
{{- end -}}
{{- if and .Values.redis.enabled (eq .Values.redis.mode "cluster") -}}
{{- fail "redis.mode=cluster needs an external Redis Cluster: set redis.enabled=false and redis.external.hosts" -}}
{{- end -}}
{{- if and (eq .Values.redis.mode "cluster") (eq .Values.redis.durability "replica") -}}
{{- fail "redis.durability=replica is for a standalone (or Sentinel) Redis with replicas; on a Redis Cluster use aof (chat-service refuses to start otherwise)" -}}
{{- end -}}
{{- if and .Values.redis.enabled (eq .Values.redis.durability "replica") -}}
{{- fail "redis.durability=replica needs a Redis with a replica: the in-chart Redis has none (use aof, or an external Redis)" -}}
{{- end -}}
{{- if and (not .Values.redis.enabled) (empty .Values.redis.external.hosts) -}}
{{- fail "redis.enabled=false needs redis.external.hosts" -}}
{{- end -}}
{{- if and (not .Values.mysql.enabled) (empty .Values.mysql.external.host) -}}
{{- fail "mysql.enabled=false needs mysql.external.host" -}}
{{- end -}}
{{- if and $chat.autoscaling.enabled (lt (int $chat.autoscaling.maxReplicas) (int $chat.autoscaling.minReplicas)) -}}
{{- fail "chat.autoscaling.maxReplicas must be >= chat.autoscaling.minReplicas" -}}
{{- end -}}
{{- if .Values.devSecrets.create -}}
{{- range $ref := list .Values.secrets.tokenKey .Values.secrets.adminKey .Values.secrets.database -}}
{{- if ne $ref.existingSecret "parley-secrets" -}}
{{- fail "devSecrets.create makes the Secret parley-secrets: point secrets.* at it, or set devSecrets.create=false and create your Secrets" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* Selector of a service's serving pods (not its migration Job's pods, which carry the same name). */}}
{{- define "parley.serverSelectorLabels" -}}
{{ include "parley.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}
