#!/usr/bin/env bash
# Optional tier above validate.sh: applies the rendered chart with `kubectl apply
# --dry-run=server` to a real kube-apiserver (backed by etcd), both built from their Go
# modules at the pinned versions and started on loopback. The API server runs its defaulting,
# validation and admission on every object (PDB and HPA rules, selectors, immutable fields,
# Pod Security), which a schema check cannot. Nothing is scheduled: there are no nodes and no
# controllers.
#
# The namespace is labelled Pod Security "restricted" (enforce, warn and audit); a Deployment
# or Job whose pod template would violate it gets a warning from the API server, which this
# script treats as a failure.
#
# First run: etcd, kube-apiserver and kubectl are built (about 17 minutes on 2 busy cores)
# and cached by deploy/scripts/tools.sh; later runs start in seconds.
#
#   deploy/scripts/dry-run-server.sh
#
# Ports (loopback only) can be moved with DRY_RUN_ETCD_PORT and DRY_RUN_APISERVER_PORT;
# DRY_RUN_CHART checks another copy of the chart.
set -euo pipefail
cd "$(dirname "$0")/../.."

export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
KUBE_VERSION=1.37.2
CHART="${DRY_RUN_CHART:-deploy/helm/wenming}"
NS=wenming-dry-run
etcd_port="${DRY_RUN_ETCD_PORT:-23790}"
api_port="${DRY_RUN_APISERVER_PORT:-26443}"

start=$SECONDS
HELM="$(deploy/scripts/tools.sh helm)"
ETCD="$(deploy/scripts/tools.sh etcd)"
APISERVER="$(deploy/scripts/tools.sh kube-apiserver)"
KUBECTL="$(deploy/scripts/tools.sh kubectl)"
echo "tools ready ($((SECONDS - start))s): $("$KUBECTL" version --client 2>/dev/null | head -1)"

work="$(mktemp -d)"
pids=()
cleanup() {
  local pid i
  # The API server first, then etcd; each gets five seconds to stop before it is killed.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Credentials of this throw-away server only: a service-account signing key and a static token
# for a user in system:masters.
openssl genrsa -out "$work/sa.key" 2048 2>/dev/null
openssl rsa -in "$work/sa.key" -pubout -out "$work/sa.pub" 2>/dev/null
token="$(openssl rand -hex 24)"
echo "$token,dry-run-admin,dry-run-admin,\"system:masters\"" >"$work/tokens.csv"

"$ETCD" --name dry-run --data-dir "$work/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$((etcd_port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
  --initial-cluster "dry-run=http://127.0.0.1:$((etcd_port + 1))" \
  --log-level warn >"$work/etcd.log" 2>&1 &
pids+=($!)

"$APISERVER" \
  --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --endpoint-reconciler-type none \
  --cert-dir "$work/certs" \
  --token-auth-file "$work/tokens.csv" \
  --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$work/sa.pub" \
  --service-account-signing-key-file "$work/sa.key" \
  --service-cluster-ip-range 10.96.0.0/16 \
  >"$work/apiserver.log" 2>&1 &
pids+=($!)

cat >"$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: dry-run
    cluster: {server: "https://127.0.0.1:$api_port", insecure-skip-tls-verify: true}
users:
  - name: dry-run-admin
    user: {token: "$token"}
contexts:
  - name: dry-run
    context: {cluster: dry-run, user: dry-run-admin}
current-context: dry-run
EOF
export KUBECONFIG="$work/kubeconfig"

for _ in $(seq 120); do
  if "$KUBECTL" get --raw /readyz >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "${pids[1]}" 2>/dev/null; then
    tail -n 30 "$work/apiserver.log" >&2
    echo "kube-apiserver exited" >&2
    exit 1
  fi
  sleep 0.5
done
"$KUBECTL" get --raw /readyz >/dev/null || { tail -n 30 "$work/apiserver.log" >&2; exit 1; }
echo "kube-apiserver $("$KUBECTL" get --raw /version | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p') ready on 127.0.0.1:$api_port ($((SECONDS - start))s)"

"$KUBECTL" create namespace "$NS" >/dev/null
# No controller manager here to make the namespace's default service account: pods need it.
"$KUBECTL" create serviceaccount default --namespace "$NS" >/dev/null
"$KUBECTL" label namespace "$NS" \
  pod-security.kubernetes.io/enforce=restricted \
  pod-security.kubernetes.io/warn=restricted \
  pod-security.kubernetes.io/audit=restricted >/dev/null
echo "namespace $NS: Pod Security restricted (enforce, warn, audit)"

failed=0
# apply NAME HELM-TEMPLATE-ARGS...: renders the chart and applies it with --dry-run=server.
# CRD kinds (ServiceMonitor, PrometheusRule, HTTPRoute) are not rendered: this server has
# no such APIs.
apply() {
  local name=$1
  shift
  "$HELM" template wenming "$CHART" --namespace "$NS" --kube-version "$KUBE_VERSION" \
    --set httpRoute.enabled=false "$@" >"$work/$name.yaml"
  if "$KUBECTL" apply --dry-run=server --namespace "$NS" -f "$work/$name.yaml" >"$work/$name.out" 2>&1 &&
    ! grep -qi 'warning' "$work/$name.out"; then
    echo "PASS  $name: $(grep -c 'created (server dry run)' "$work/$name.out") objects accepted"
  else
    echo "FAIL  $name"
    sed 's/^/      /' "$work/$name.out"
    failed=$((failed + 1))
  fi
}

apply default
apply minimal -f "$CHART/examples/values-minimal.yaml" --set secrets.masterKey=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=
apply production -f "$CHART/examples/values-production.yaml"
apply gitops -f "$CHART/examples/values-gitops.yaml"
apply everything -f "$CHART/ci/values-everything.yaml"

# The restricted profile must really be enforced here: a root pod has to be refused.
cat >"$work/root-pod.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata: {name: must-be-refused, namespace: $NS}
spec:
  containers: [{name: c, image: wenming, securityContext: {runAsUser: 0}}]
EOF
if ! "$KUBECTL" apply --dry-run=server -f "$work/root-pod.yaml" >"$work/root.out" 2>&1 &&
  grep -q 'violates PodSecurity "restricted' "$work/root.out"; then
  echo "PASS  control: a root pod is refused ($(grep -o 'violates PodSecurity "[^"]*"' "$work/root.out" | head -1))"
else
  echo "FAIL  control: a root pod was not refused by Pod Security"
  sed 's/^/      /' "$work/root.out"
  failed=$((failed + 1))
fi

echo "done in $((SECONDS - start))s"
[ "$failed" -eq 0 ]
