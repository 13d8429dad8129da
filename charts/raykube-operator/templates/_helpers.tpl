{{/*
Names. Kubernetes names are at most 63 characters; the API server's objects add "-apiserver",
so the base name is cut to 52.
*/}}
{{- define "raykube.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 52 | trimSuffix "-" }}
{{- end }}

{{/*
The full name: fullnameOverride, else the release name when it already holds the chart name
(`helm install raykube-operator ...` gives "raykube-operator"), else "<release>-<name>".
*/}}
{{- define "raykube.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "raykube.apiserverFullname" -}}
{{- printf "%s-apiserver" (include "raykube.fullname" .) }}
{{- end }}

{{/* Labels every object of the release carries. */}}
{{- define "raykube.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/part-of: raykube
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.labels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of the operator: stable across upgrades. */}}
{{- define "raykube.selectorLabels" -}}
app.kubernetes.io/name: {{ include "raykube.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "raykube.labels" -}}
{{ include "raykube.commonLabels" . }}
{{ include "raykube.selectorLabels" . }}
{{- end }}

{{/* Selector labels of the API server. */}}
{{- define "raykube.apiserverSelectorLabels" -}}
app.kubernetes.io/name: {{ include "raykube.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: apiserver
{{- end }}

{{- define "raykube.apiserverLabels" -}}
{{ include "raykube.commonLabels" . }}
{{ include "raykube.apiserverSelectorLabels" . }}
{{- end }}

{{- define "raykube.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "raykube.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "raykube.apiserverServiceAccountName" -}}
{{- if .Values.apiserver.serviceAccount.create }}
{{- default (include "raykube.apiserverFullname" .) .Values.apiserver.serviceAccount.name }}
{{- else }}
{{- required "apiserver.serviceAccount.name is required when apiserver.serviceAccount.create is false" .Values.apiserver.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* An image reference from {repository, tag}; the tag defaults to the chart's appVersion. */}}
{{- define "raykube.image" -}}
{{- $image := index . 0 }}
{{- $chart := index . 1 }}
{{- printf "%s:%s" $image.repository (default $chart.AppVersion ($image.tag | toString)) }}
{{- end }}

{{/*
The namespaces the operator reconciles, comma-separated; empty for every namespace. It also
checks the two ways of asking for them.
*/}}
{{- define "raykube.watchNamespaces" -}}
{{- if and .Values.singleNamespaceInstall .Values.watchNamespace }}
{{- fail "singleNamespaceInstall and watchNamespace cannot both be set: singleNamespaceInstall watches the release namespace only" }}
{{- end }}
{{- if .Values.singleNamespaceInstall }}
{{- .Release.Namespace }}
{{- else }}
{{- .Values.watchNamespace | uniq | join "," }}
{{- end }}
{{- end }}

{{/*
The rules of a role under files/rbac, as YAML. The files are copies of config/rbac/role.yaml,
config/apiserver/role.yaml and config/manager/leader_election_role.yaml that `make manifests`
writes; a test fails when they differ.
*/}}
{{- define "raykube.generatedRules" -}}
{{- $file := index . 0 }}
{{- $ctx := index . 1 }}
{{- /* The role is the file's first YAML document; a RoleBinding may follow it. */}}
{{- $role := regexSplit "(?m)^---\\s*$" ($ctx.Files.Get $file | trimPrefix "---\n") -1 | first | fromYaml }}
{{- if not $role.rules }}
{{- fail (printf "%s has no rules: run `make manifests`" $file) }}
{{- end }}
{{- toYaml $role.rules }}
{{- end }}

{{/* Whether a ServiceMonitor can be created: the Prometheus Operator's API is served. */}}
{{- define "raykube.hasServiceMonitor" -}}
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor" }}true{{ end }}
{{- end }}
