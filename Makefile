# raykube — build, generate, test.
#
# The first `make test` builds the Kubernetes control plane from source (about 12 minutes on a
# 2-core machine); later runs reuse bin/.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

GO ?= go
CONTROLLER_GEN := $(GO) tool controller-gen
# An absolute -modfile, so that it also runs from the test modules' directories.
GOLANGCI_LINT := $(GO) tool -modfile=$(CURDIR)/hack/tools/go.mod golangci-lint
# buf and its protoc plugins are Go tools pinned in hack/tools/go.mod; nothing is downloaded
# beyond the Go module proxy.
BUF := $(GO) tool -modfile=hack/tools/go.mod buf
# The Helm chart; `make manifests` copies the generated CRD and RBAC rules into it.
CHART := charts/raykube-operator
# Where `make controlplane` puts kube-apiserver, etcd and kubectl for the pinned versions.
ASSETS_DIR = $(shell $(GO) run ./hack/assetsdir)

.PHONY: all
all: build

##@ Development

.PHONY: generate
generate: generate-proto ## Generate deepcopy code for the API types, and the API server's protobuf code.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./api/...

.PHONY: generate-proto
generate-proto: ## Generate the API server's Go messages, gRPC stubs, HTTP gateway and OpenAPI document from proto/.
	$(BUF) generate --template proto/buf.gen.yaml --exclude-path proto/compat proto
	$(BUF) generate --template proto/buf.gen.compat.yaml --path proto/compat proto

.PHONY: manifests
manifests: ## Generate the CRD (descriptions inside embedded Kubernetes types dropped) and the RBAC of the operator and the API server; copy them into the Helm chart.
	$(CONTROLLER_GEN) crd:crdVersions=v1,generateEmbeddedObjectMeta=true paths=./api/... output:crd:artifacts:config=config/crd/bases
	$(CONTROLLER_GEN) rbac:roleName=raykube-operator paths=./internal/controller/... output:rbac:artifacts:config=config/rbac
	$(CONTROLLER_GEN) rbac:roleName=raykube-apiserver paths=./internal/apiserver/... output:rbac:artifacts:config=config/apiserver
	$(GO) run ./hack/crdtrim config/crd/bases/ray.io_rayclusters.yaml
	@# The Helm chart ships the same CRD and RBAC rules: copies, so that a packaged chart holds them.
	cp config/crd/bases/ray.io_rayclusters.yaml $(CHART)/crds/ray.io_rayclusters.yaml
	cp config/rbac/role.yaml $(CHART)/files/rbac/operator-role.yaml
	cp config/apiserver/role.yaml $(CHART)/files/rbac/apiserver-role.yaml
	cp config/manager/leader_election_role.yaml $(CHART)/files/rbac/leader-election-role.yaml

.PHONY: fmt
fmt: ## Format the Go code.
	$(GO) fmt ./...

.PHONY: vet
vet: ## Run go vet, integration-test files included.
	$(GO) vet -tags integration,e2e ./...
	cd test/monitoring && $(GO) vet -tags integration ./...
	cd test/helm && $(GO) vet -tags integration ./...

.PHONY: lint
lint: ## Run golangci-lint (built from hack/tools on first use).
	$(GOLANGCI_LINT) run --build-tags integration,e2e ./...
	cd test/helm && $(GOLANGCI_LINT) run --build-tags integration ./...

.PHONY: verify
verify: ## Regenerate code and manifests and fail if anything changed.
	bash hack/verify.sh

##@ Build

.PHONY: build
build: ## Build raykube's binaries into bin/.
	$(GO) build -o bin/raykube-operator ./cmd/operator
	$(GO) build -o bin/raykube-apiserver ./cmd/apiserver
	$(GO) build -o bin/kubectl-ray ./cmd/kubectl-ray

.PHONY: controlplane
controlplane: ## Build etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok from source.
	bash hack/controlplane/build.sh all

.PHONY: controlplane-envtest
controlplane-envtest: ## Build only what integration tests need (etcd, kube-apiserver, kubectl).
	bash hack/controlplane/build.sh envtest

# The container image of both programs (Dockerfile). None is published: build one and push it
# to a registry the cluster pulls from.
IMG ?= raykube:latest
CONTAINER_TOOL ?= docker

.PHONY: docker-build
docker-build: ## Build the image IMG of the operator and the API server (needs a container engine).
	$(CONTAINER_TOOL) build -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push the image IMG.
	$(CONTAINER_TOOL) push $(IMG)

##@ Deploy

# The kubectl that reaches the cluster to install on.
KUBECTL ?= kubectl
# What deploy and undeploy install: default (operator and API server) or operator-only.
DEPLOY_CONFIG ?= default

# deploy applies config/$(DEPLOY_CONFIG) through a throwaway overlay that sets the image to IMG
# (name[:tag] or name@digest), so that no tracked file changes.
.PHONY: deploy
deploy: ## Install raykube (config/default) with image IMG on the cluster of the current kubeconfig.
	@overlay=$$(mktemp -d config/.deploy-XXXXXX); trap 'rm -rf "$$overlay"' EXIT; \
	img='$(IMG)'; name=$$img; key=newTag; ref=latest; \
	case "$$img" in \
	  *@*) name=$${img%@*}; key=digest; ref=$${img#*@} ;; \
	  *:*) tag=$${img##*:}; \
	       if [[ $$tag != */* ]]; then name=$${img%:*}; ref=$$tag; fi ;; \
	esac; \
	printf '%s\n' 'resources: [../$(DEPLOY_CONFIG)]' 'images:' '  - name: raykube' \
	  "    newName: \"$$name\"" "    $$key: \"$$ref\"" > "$$overlay/kustomization.yaml"; \
	echo "$(KUBECTL) apply --server-side -k config/$(DEPLOY_CONFIG)   # image $$name, $$key $$ref"; \
	$(KUBECTL) apply --server-side -k "$$overlay"

.PHONY: undeploy
undeploy: ## Uninstall raykube; deleting the CRD deletes every RayCluster and its pods.
	$(KUBECTL) delete --ignore-not-found -k config/$(DEPLOY_CONFIG)

##@ Run

# The local environment's state directory.
RAYKUBE_STATE_DIR ?= .raykube

.PHONY: bin/raykube
bin/raykube: ## Build the raykube command (the local environment) into bin/.
	$(GO) build -o bin/raykube ./cmd/raykube

.PHONY: run
run: controlplane bin/raykube ## Start the local environment, apply the sample RayCluster, wait until it is ready.
	bin/raykube local --state-dir $(RAYKUBE_STATE_DIR) up --detach
	@kubectl="$(ASSETS_DIR)/kubectl --kubeconfig $(RAYKUBE_STATE_DIR)/kubeconfig"; \
	sample=config/samples/ray-cluster.sample.yaml; \
	echo "\$$ kubectl apply --server-side -f $$sample"; \
	$$kubectl apply --server-side -f $$sample; \
	echo "\$$ kubectl wait --for=jsonpath='{.status.state}'=ready raycluster/raycluster-sample"; \
	$$kubectl wait --for=jsonpath='{.status.state}'=ready raycluster/raycluster-sample --timeout=3m; \
	echo '$$ kubectl get rayclusters'; \
	$$kubectl get rayclusters; \
	echo "Endpoints of raycluster-sample: $$($$kubectl get raycluster raycluster-sample \
	  -o jsonpath='{.status.endpoints}')"; \
	api=$$(sed -n 's/.*"raykubeHTTP": *\([0-9]*\).*/\1/p' $(RAYKUBE_STATE_DIR)/state.json); \
	url="http://127.0.0.1:$$api/apis/v1alpha2/namespaces/default/clusters/raycluster-sample"; \
	echo "\$$ curl -s $$url   # raykube's API server, abridged"; \
	curl -s "$$url" | grep -o '"clusterState":"[^"]*"\|"serviceEndpoint":{[^}]*}'; \
	echo "Next: export KUBECONFIG=$(abspath $(RAYKUBE_STATE_DIR))/kubeconfig"; \
	echo "Stop everything with: bin/raykube local down"

##@ Test

.PHONY: test
test: controlplane ## Run every test: unit, integration (real API server) and end to end.
	KUBEBUILDER_ASSETS="$(ASSETS_DIR)" $(GO) test -tags integration,e2e -count=1 ./...
	cd test/monitoring && KUBEBUILDER_ASSETS="$(ASSETS_DIR)" $(GO) test -tags integration -count=1 ./...
	cd test/helm && KUBEBUILDER_ASSETS="$(ASSETS_DIR)" $(GO) test -tags integration -count=1 ./...

.PHONY: test-unit
test-unit: ## Run the unit tests only (no API server).
	$(GO) test -count=1 ./...

.PHONY: test-integration
test-integration: controlplane-envtest ## Run unit and integration tests against a real kube-apiserver and etcd.
	KUBEBUILDER_ASSETS="$(ASSETS_DIR)" $(GO) test -tags integration -count=1 ./...
	cd test/monitoring && KUBEBUILDER_ASSETS="$(ASSETS_DIR)" $(GO) test -tags integration -count=1 ./...
	cd test/helm && KUBEBUILDER_ASSETS="$(ASSETS_DIR)" $(GO) test -tags integration -count=1 ./...

# test/monitoring is a Go module of its own (the Prometheus libraries stay out of go.mod); it
# needs promtool (Debian's package prometheus).
.PHONY: test-monitoring
test-monitoring: controlplane-envtest ## Test the Prometheus rules and monitors and the Grafana dashboards.
	cd test/monitoring && KUBEBUILDER_ASSETS="$(ASSETS_DIR)" $(GO) test -tags integration -count=1 ./...

# test/helm is a Go module of its own too (the Helm library stays out of go.mod).
.PHONY: test-helm
test-helm: controlplane-envtest ## Test the Helm chart: lint, renderings, a real install, the operator with the chart's RBAC.
	cd test/helm && KUBEBUILDER_ASSETS="$(ASSETS_DIR)" $(GO) test -tags integration -count=1 ./...

.PHONY: test-e2e
test-e2e: controlplane ## Run the end-to-end tests on the local environment.
	KUBEBUILDER_ASSETS="$(ASSETS_DIR)" $(GO) test -tags e2e -count=1 -run 'E2E' ./...

##@ Performance

.PHONY: bench
bench: controlplane-envtest ## Run the benchmarks: API requests per cluster, cache memory per pod.
	KUBEBUILDER_ASSETS="$(ASSETS_DIR)" $(GO) test -tags integration -run '^$$' -bench . -benchtime 1x -count=1 ./internal/controller/raycluster/

##@ Help

.PHONY: help
help: ## Show the targets.
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z0-9_/-]+:.*?##/ { printf "  %-22s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)
