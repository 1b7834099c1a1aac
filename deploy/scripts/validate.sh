#!/usr/bin/env bash
# Validates the Helm chart deploy/helm/wenming offline, with pinned tools built from the Go
# module proxy (deploy/scripts/tools.sh; cached, so a second run takes seconds):
#
#   1. helm lint --strict on the default values and on every example values file;
#   2. helm template of each example piped to kubeconform -strict, against JSON schemas
#      generated from the pinned Kubernetes release's own OpenAPI document
#      (deploy/scripts/kubeschemas; only CRD kinds are skipped, by name);
#   3. helm unittest (deploy/helm/wenming/tests/*_test.yaml);
#   4. deploy/scripts/check-observability.sh, when present (alerts and dashboard).
#
# Every check runs even after one fails; the summary lists them all and the exit status is
# non-zero when any failed. Needs only Go (GOTOOLCHAIN) and the module proxy.
#
#   deploy/scripts/validate.sh
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
KUBE_VERSION=1.37.2        # schemas, lint and template; keep in step with tools.sh
KUBE_MIN_VERSION=1.29.0    # Chart.yaml kubeVersion: the chart must also render there
CHART=deploy/helm/wenming
# Kinds with no schema in the Kubernetes OpenAPI document (CRDs): skipped by kubeconform,
# but checked to be present in the rendered output so the skip hides nothing.
CRD_KINDS=ServiceMonitor,PrometheusRule,HTTPRoute
# Kinds the chart emits: their schemas are generated. A kind added to the chart and not here
# fails kubeconform (no schema) rather than going unchecked.
KINDS=ServiceAccount,Secret,ConfigMap,Service,Deployment,Job,HorizontalPodAutoscaler,PodDisruptionBudget,NetworkPolicy,Ingress,PersistentVolumeClaim

start=$SECONDS
summary=()
failed=0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# check NAME COMMAND...: runs a check, keeps its output, records PASS or FAIL.
check() {
  local name=$1 t=$SECONDS out
  shift
  out="$work/check.log"
  if "$@" >"$out" 2>&1; then
    summary+=("PASS  $(printf '%3ss' $((SECONDS - t)))  $name")
    printf 'PASS  %s\n' "$name"
    grep -E '^(Summary|Tests|Test Suites):|chart\(s\) linted' "$out" | sed 's/^/      /'
  else
    summary+=("FAIL  $(printf '%3ss' $((SECONDS - t)))  $name")
    failed=$((failed + 1))
    printf 'FAIL  %s\n' "$name"
    sed 's/^/      /' "$out"
  fi
}

echo "== tools (built once, cached beside the module cache)"
HELM="$(deploy/scripts/tools.sh helm)" || exit 1
KUBECONFORM="$(deploy/scripts/tools.sh kubeconform)" || exit 1
HELM_PLUGINS="$(deploy/scripts/tools.sh helm-unittest)" || exit 1
SWAGGER="$(deploy/scripts/tools.sh swagger)" || exit 1
export HELM_PLUGINS
# Keep helm away from the user's repositories and caches.
export HELM_CONFIG_HOME="$work/helm/config" HELM_CACHE_HOME="$work/helm/cache" HELM_DATA_HOME="$work/helm/data"
echo "helm $("$HELM" version --template '{{.Version}}'), kubeconform $("$KUBECONFORM" -v), helm-unittest $(sed -n 's/^version: "\(.*\)"/v\1/p' "$HELM_PLUGINS/unittest/plugin.yaml") ($((SECONDS - start))s)"

echo "== kubeconform schemas for Kubernetes v$KUBE_VERSION"
# Cached by the converter's source, the kinds and the swagger document's path (which names
# the module version), so a change to any of them regenerates.
tools="$(dirname "$(dirname "$HELM")")"
key="$( (cat deploy/scripts/kubeschemas/main.go; echo "$KINDS"; echo "$SWAGGER") | sha256sum | cut -c1-16)"
SCHEMAS="$tools/kubeschemas/v$KUBE_VERSION-$key"
if [ ! -d "$SCHEMAS" ]; then
  mkdir -p "$tools/kubeschemas"
  tmp="$(mktemp -d "$tools/kubeschemas/.gen.XXXXXX")"
  if ! go run ./deploy/scripts/kubeschemas -swagger "$SWAGGER" -out "$tmp" -version "v$KUBE_VERSION" -kinds "$KINDS"; then
    rm -rf "$tmp"
    echo "FAIL  generating schemas" >&2
    exit 1
  fi
  mv "$tmp" "$SCHEMAS" 2>/dev/null || rm -rf "$tmp" # a concurrent run may have won the race
fi
echo "$(find "$SCHEMAS/v$KUBE_VERSION-standalone-strict" -name "*.json" | wc -l) schemas in $SCHEMAS"

kubeconform() {
  "$KUBECONFORM" -strict -summary -output text -kubernetes-version "$KUBE_VERSION" \
    -schema-location "$SCHEMAS" -skip "$CRD_KINDS" "$@"
}

# The schemas must be strict: a misspelt field and a wrong type have to be refused.
must_fail() {
  cat >"$work/bad.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: bad}
spec:
  selector: {matchLabels: {app: bad}}
  template:
    metadata: {labels: {app: bad}}
    spec:
      containers:
        - name: bad
          image: bad
          readinessProbe: {grpc: {prot: 9090}}
---
apiVersion: v1
kind: Service
metadata: {name: bad}
spec:
  ports: [{port: "eighty"}]
EOF
  ! kubeconform "$work/bad.yaml" && [ "$(kubeconform "$work/bad.yaml" | grep -c ' is invalid')" = 2 ]
}

# template_conform NAME KINDS [HELM-TEMPLATE-ARGS...]: renders the chart into $work/NAME.yaml
# and validates it; KINDS (comma-separated, may be empty) must be among the rendered kinds, so
# the CRD kinds kubeconform skips are known to be there.
template_conform() {
  local name=$1 kinds=$2 kind
  shift 2
  "$HELM" template wenming "$CHART" --namespace wenming --kube-version "$KUBE_VERSION" "$@" >"$work/$name.yaml" || return 1
  for kind in ${kinds//,/ }; do
    grep -q "^kind: $kind\$" "$work/$name.yaml" || { echo "no $kind rendered"; return 1; }
  done
  kubeconform "$work/$name.yaml"
}

echo
echo "== checks"
check "kubeconform refuses a misspelt field and a wrong type (strict schemas)" must_fail

# The minimal example takes its master key on the command line (docs/helm.md), as a user
# would: rendered without a cluster, the chart cannot generate one to keep.
minimal_key=(--set secrets.masterKey=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=)
examples=("" examples/values-minimal.yaml examples/values-production.yaml examples/values-gitops.yaml ci/values-everything.yaml)
for f in "${examples[@]}"; do
  extra=()
  [ "$f" = examples/values-minimal.yaml ] && extra=("${minimal_key[@]}")
  check "helm lint --strict ${f:-(default values)}" \
    "$HELM" lint --strict --kube-version "$KUBE_VERSION" "$CHART" ${f:+-f "$CHART/$f"} "${extra[@]}"
done
check "helm lint --strict examples/values-production.yaml on Kubernetes $KUBE_MIN_VERSION (kubeVersion floor)" \
  "$HELM" lint --strict --kube-version "$KUBE_MIN_VERSION" "$CHART" -f "$CHART/examples/values-production.yaml"

api=(--api-versions monitoring.coreos.com/v1 --api-versions gateway.networking.k8s.io/v1)
check "template | kubeconform: default values (all-in-one, SQLite)" \
  template_conform default ""
check "template | kubeconform: examples/values-minimal.yaml (all-in-one, PostgreSQL, claim)" \
  template_conform minimal PersistentVolumeClaim,Job -f "$CHART/examples/values-minimal.yaml" "${minimal_key[@]}"
check "template | kubeconform: examples/values-production.yaml (split, hook, monitoring)" \
  template_conform production ServiceMonitor,PrometheusRule,HorizontalPodAutoscaler,PodDisruptionBudget,NetworkPolicy \
  -f "$CHART/examples/values-production.yaml" "${api[@]}"
gitops_job() {
  template_conform gitops HTTPRoute,Job -f "$CHART/examples/values-gitops.yaml" "${api[@]}" &&
    grep -q "^  name: wenming-migrate-1-[0-9a-f]\{8\}\$" "$work/gitops.yaml" && ! grep -q 'helm.sh/hook' "$work/gitops.yaml"
}
check "template | kubeconform: examples/values-gitops.yaml (split, job mode, HTTPRoute)" gitops_job
check "template | kubeconform: ci/values-everything.yaml (NetworkPolicy, Ingress, HTTPRoute, HPA, PDB, monitoring)" \
  template_conform everything ServiceMonitor,PrometheusRule,HTTPRoute,NetworkPolicy,Ingress,HorizontalPodAutoscaler,PodDisruptionBudget \
  -f "$CHART/ci/values-everything.yaml" "${api[@]}"

check "helm unittest $CHART" "$HELM" unittest "$CHART"

if [ -x deploy/scripts/check-observability.sh ]; then
  check "deploy/scripts/check-observability.sh" deploy/scripts/check-observability.sh
elif [ -f deploy/scripts/check-observability.sh ]; then
  check "deploy/scripts/check-observability.sh" bash deploy/scripts/check-observability.sh
fi

echo
echo "== summary ($((SECONDS - start))s)"
printf '%s\n' "${summary[@]}"
if [ "$failed" -gt 0 ]; then
  echo "$failed check(s) failed"
  exit 1
fi
echo "all ${#summary[@]} checks passed"
