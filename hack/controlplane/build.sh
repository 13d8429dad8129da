#!/usr/bin/env bash
# Builds the Kubernetes control-plane programs that the tests and the local environment run:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok. Everything comes
# from the Go module proxy at the versions pinned in this folder's go.mod files. Each program is
# built once per pinned version into bin/, so a second run is instant.
#
# Usage: build.sh [envtest|all]
#   envtest  only etcd, kube-apiserver and kubectl (what integration tests need)
#   all      every program (default)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
what=${1:-all}

module_version() { (cd "$1" && go list -m -f '{{.Version}}' "$2"); }

k8s_version=$(module_version "$here" k8s.io/kubernetes)
etcd_version=$(module_version "$here" go.etcd.io/etcd/server/v3)
kwok_version=$(module_version "$here/kwok" sigs.k8s.io/kwok)

k8s_dir="$root/bin/controlplane/k8s-${k8s_version}-etcd-${etcd_version}"
kwok_dir="$root/bin/controlplane/kwok-${kwok_version}"
mkdir -p "$k8s_dir" "$kwok_dir"

# build NAME DIR MODULE_DIR PACKAGE [LDFLAGS]: builds PACKAGE into DIR/NAME unless it is there.
build() {
  local name=$1 dir=$2 moddir=$3 pkg=$4 ldflags=${5:-}
  if [ -x "$dir/$name" ]; then
    echo "controlplane: $name is built ($dir/$name)"
    return
  fi
  echo "controlplane: building $name from $pkg (this takes minutes on a small machine)..."
  local start=$SECONDS
  (cd "$moddir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" \
    -o "$dir/.$name.tmp" "$pkg")
  mv "$dir/.$name.tmp" "$dir/$name"
  echo "controlplane: built $name in $((SECONDS - start))s"
}

k8s_ldflags="-X k8s.io/component-base/version.gitVersion=${k8s_version}"
k8s_ldflags+=" -X k8s.io/component-base/version.gitCommit=0000000000000000000000000000000000000000"
k8s_ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
k8s_ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=${k8s_version}"
etcd_ldflags="-X go.etcd.io/etcd/api/v3/version.GitSHA=${etcd_version}"

build etcd "$k8s_dir" "$here" go.etcd.io/etcd/server/v3 "$etcd_ldflags"
build kube-apiserver "$k8s_dir" "$here" k8s.io/kubernetes/cmd/kube-apiserver "$k8s_ldflags"
build kubectl "$k8s_dir" "$here" k8s.io/kubernetes/cmd/kubectl "$k8s_ldflags"
if [ "$what" = envtest ]; then
  exit 0
fi
build kube-controller-manager "$k8s_dir" "$here" k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_ldflags"
build kube-scheduler "$k8s_dir" "$here" k8s.io/kubernetes/cmd/kube-scheduler "$k8s_ldflags"
build kwok "$kwok_dir" "$here/kwok" sigs.k8s.io/kwok/cmd/kwok

# kwok's stage definitions (how simulated nodes and pods move through their lifecycle) ship in
# its module; keep the ones the local environment uses next to the binary.
if [ ! -d "$kwok_dir/stages" ]; then
  src=$(cd "$here/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  mkdir -p "$kwok_dir/.stages.tmp"
  for s in node/fast node/heartbeat-with-lease pod/general; do
    for f in "$src/kustomize/stage/$s"/*.yaml; do
      [ "$(basename "$f")" = kustomization.yaml ] && continue
      cp "$f" "$kwok_dir/.stages.tmp/"
    done
  done
  chmod -R u+w "$kwok_dir/.stages.tmp"
  mv "$kwok_dir/.stages.tmp" "$kwok_dir/stages"
fi
echo "controlplane: all programs are in $k8s_dir and $kwok_dir"
