#!/usr/bin/env bash
# Prints the path of a pinned tool (Kubernetes tooling; toxiproxy for the fault suite),
# building it from the Go module proxy the first
# time and caching it beside the module cache, keyed by version (the .ci/versitygw.sh pattern):
#
#   deploy/scripts/tools.sh helm            # .../wenming-tools/helm-v3.22.0/helm
#   deploy/scripts/tools.sh kubeconform     # .../wenming-tools/kubeconform-v0.8.0/kubeconform
#   deploy/scripts/tools.sh helm-unittest   # a HELM_PLUGINS directory holding the unittest plugin
#   deploy/scripts/tools.sh swagger         # k8s.io/kubernetes' api/openapi-spec/swagger.json
#   deploy/scripts/tools.sh etcd            # optional tier (deploy/scripts/dry-run-server.sh)
#   deploy/scripts/tools.sh kube-apiserver  # optional tier, built with kubectl: ~9-15 minutes on 2 cores
#   deploy/scripts/tools.sh kubectl         # optional tier (k8s.io/kubernetes/cmd/kubectl)
#   deploy/scripts/tools.sh toxiproxy       # the fault suite's network faults (cmd/wenming/faults)
#
# Only the path goes to standard output; build output goes to standard error. Every build
# happens in a private directory that is renamed into place, so an interrupted or concurrent
# run never leaves a half-written tool at the cached path. Tools are built outside this
# repository's module (GOFLAGS is cleared, builds run in temporary directories), so go.mod
# and go.sum are never touched.
set -euo pipefail

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
HELM_UNITTEST_VERSION=v1.1.2
KUBERNETES_VERSION=v1.37.2   # k8s.io/kubernetes: swagger.json, kube-apiserver, kubectl
KUBERNETES_STAGING=v0.37.2   # the k8s.io/* staging modules of the same release
ETCD_VERSION=v3.7.3
TOXIPROXY_VERSION=v2.5.0

export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
export GOFLAGS=
tools="${WENMING_TOOLS_DIR:-$(go env GOMODCACHE)/../wenming-tools}"

# cachedir NAME VERSION: creates and prints the tool's cache directory.
cachedir() {
  mkdir -p "$tools/$1-$2"
  (cd "$tools/$1-$2" && pwd -P)
}

# moddir MODULE@VERSION: downloads a module through the proxy and prints its directory.
moddir() {
  go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
}

# fresh BIN MODULE VERSION [LDFLAGS]: true when BIN exists and its build information names
# the module at the pinned version and the link flags it was stamped with (a file left by
# anything else, or built with other flags, is rebuilt rather than trusted).
fresh() {
  local info
  [ -x "$1" ] || return 1
  info="$(go version -m "$1" 2>/dev/null)" || return 1
  grep -Eq "^[[:space:]]+(mod|dep)[[:space:]]+$2[[:space:]]+$3([[:space:]]|$)" <<<"$info" || return 1
  [ -z "${4:-}" ] || grep -qF -- "$4" <<<"$info"
}

# goinstall NAME PACKAGE MODULE VERSION [LDFLAGS]
goinstall() {
  local name=$1 pkg=$2 mod=$3 version=$4 ldflags=${5:-} dir bin work
  dir="$(cachedir "$name" "$version")"
  bin="$dir/$name"
  if fresh "$bin" "$mod" "$version" "$ldflags"; then echo "$bin"; return; fi
  work="$(mktemp -d "$dir/.build.XXXXXX")"
  echo "building $name $version into $dir" >&2
  (cd "$work" && GOBIN="$work" go install -ldflags "$ldflags" "$pkg@$version") >&2 || { rm -rf "$work"; exit 1; }
  mv -f "$work/$(basename "$pkg")" "$bin"
  rm -rf "$work"
  echo "$bin"
}

helm_unittest() {
  local version=$HELM_UNITTEST_VERSION dir plugin src work
  dir="$(cachedir helm-unittest "$version")"
  plugin="$dir/plugins/unittest"
  # The binary is built from a copy of the module (go install refuses its replace directive),
  # so its build information says (devel): a stamp file written last marks a complete build.
  if [ -x "$plugin/untt" ] && [ -f "$plugin/plugin.yaml" ] && [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$version" ]; then
    echo "$dir/plugins"; return
  fi
  src="$(moddir "github.com/helm-unittest/helm-unittest@$version")"
  work="$(mktemp -d "$dir/.build.XXXXXX")"
  echo "building helm-unittest $version into $dir (about 60 s on 2 cores)" >&2
  cp -r "$src" "$work/src"
  chmod -R u+w "$work/src"
  (cd "$work/src" && go build -trimpath -o "$work/untt" ./cmd/helm-unittest) >&2 || { rm -rf "$work"; exit 1; }
  mkdir -p "$work/unittest"
  mv "$work/untt" "$work/unittest/untt"
  cat >"$work/unittest/plugin.yaml" <<PLUGIN
name: "unittest"
version: "${version#v}"
usage: "unittest for helm charts"
description: "helm-unittest ${version}, built from the Go module proxy by deploy/scripts/tools.sh"
ignoreFlags: false
command: "\$HELM_PLUGIN_DIR/untt"
PLUGIN
  rm -rf "$dir/plugins.old"
  [ -d "$dir/plugins" ] && mv "$dir/plugins" "$dir/plugins.old"
  mkdir -p "$work/plugins" && mv "$work/unittest" "$work/plugins/unittest"
  mv "$work/plugins" "$dir/plugins"
  rm -rf "$dir/plugins.old" "$work"
  echo "$version" >"$dir/.stamp"
  echo "$dir/plugins"
}

swagger() {
  local src
  src="$(moddir "k8s.io/kubernetes@$KUBERNETES_VERSION")"
  [ -f "$src/api/openapi-spec/swagger.json" ] || { echo "no swagger.json in $src" >&2; exit 1; }
  echo "$src/api/openapi-spec/swagger.json"
}

# wrapper DIR VERSION LDFLAGS MODULE@VERSION BINARY=PACKAGE... : builds main packages of a module
# that refuses `go install` (it has replace directives) through a throw-away wrapper module
# that records them as tools (go get -tool), with the replaces in $REPLACES (one per line)
# and the given link flags, into the cache directory DIR-VERSION.
wrapper() {
  local name=$1 version=$2 ldflags=$3 req=$4 dir work spec ok=1 r
  shift 4
  local pkgs=()
  dir="$(cachedir "$name" "$version")"
  for spec in "$@"; do
    pkgs+=("${spec#*=}")
    fresh "$dir/${spec%%=*}" "${req%@*}" "${req#*@}" "$ldflags" || ok=
  done
  [ -n "$ok" ] && return 0
  work="$(mktemp -d "$dir/.build.XXXXXX")"
  echo "building ${pkgs[*]} at ${req#*@} into $dir" >&2
  (
    set -e
    cd "$work"
    go mod init "wenming.local/tools/$name" >/dev/null 2>&1
    while read -r r; do
      [ -n "$r" ] && go mod edit -replace "$r"
    done <<<"${REPLACES:-}"
    go get -tool "${pkgs[@]/%/@${req#*@}}"
    for spec in "$@"; do
      go build -ldflags "$ldflags" -o "bin/${spec%%=*}" "${spec#*=}"
    done
  ) >&2 || { rm -rf "$work"; return 1; }
  for spec in "$@"; do
    mv -f "$work/bin/${spec%%=*}" "$dir/${spec%%=*}"
  done
  rm -rf "$work"
}

k8s_replaces() {
  # k8s.io/kubernetes replaces its staging modules with ./staging/src/...: pin them to the
  # published versions of the same release instead.
  local src
  src="$(moddir "k8s.io/kubernetes@$KUBERNETES_VERSION")"
  sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$src/go.mod" | sort -u |
    while read -r m; do echo "$m=$m@$KUBERNETES_STAGING"; done
}

k8s_ldflags() {
  # What `kubectl version` and /version report, as the release build stamps them.
  local v=$KUBERNETES_VERSION p minor
  minor="$(echo "${v#v}" | cut -d. -f2)"
  for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    printf -- '-X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=%s -X %s.gitTreeState=clean ' "$p" "$v" "$p" "$p" "$minor" "$p"
  done
  printf -- '-s -w'
}

kubernetes() {
  local dir
  dir="$(cachedir kubernetes "$KUBERNETES_VERSION")"
  REPLACES="$(k8s_replaces)" wrapper kubernetes "$KUBERNETES_VERSION" "$(k8s_ldflags)" \
    "k8s.io/kubernetes@$KUBERNETES_VERSION" kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver kubectl=k8s.io/kubernetes/cmd/kubectl || exit 1
  echo "$dir/$1"
}

case "${1:-}" in
  helm)
    # Stamped as helm's Makefile does: its version, and the Kubernetes version it assumes
    # without --kube-version (that of its client-go, v0.37 -> 1.37; a plain build says 1.20).
    hl=""
    for p in pkg/lint/rules pkg/chartutil; do
      hl="$hl -X helm.sh/helm/v3/$p.k8sVersionMajor=1 -X helm.sh/helm/v3/$p.k8sVersionMinor=37"
    done
    goinstall helm helm.sh/helm/v3/cmd/helm helm.sh/helm/v3 "$HELM_VERSION" \
      "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION$hl" ;;
  kubeconform) goinstall kubeconform github.com/yannh/kubeconform/cmd/kubeconform github.com/yannh/kubeconform \
                 "$KUBECONFORM_VERSION" "-X main.version=$KUBECONFORM_VERSION" ;;
  helm-unittest) helm_unittest ;;
  swagger) swagger ;;
  etcd)
    dir="$(cachedir etcd "$ETCD_VERSION")"
    wrapper etcd "$ETCD_VERSION" "-s -w" "go.etcd.io/etcd/server/v3@$ETCD_VERSION" etcd=go.etcd.io/etcd/server/v3 || exit 1
    echo "$dir/etcd" ;;
  kube-apiserver) kubernetes kube-apiserver ;;
  kubectl) kubernetes kubectl ;;
  toxiproxy) goinstall toxiproxy-server github.com/Shopify/toxiproxy/v2/cmd/server github.com/Shopify/toxiproxy/v2 "$TOXIPROXY_VERSION" ;;
  *) echo "usage: $0 helm|kubeconform|helm-unittest|swagger|etcd|kube-apiserver|kubectl|toxiproxy" >&2; exit 2 ;;
esac
