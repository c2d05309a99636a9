#!/usr/bin/env bash
# Installs the chart tooling into the machine cache (outside the clone) and reuses it on the next run:
#   helm            Helm 3, built from the Go module proxy (go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION)
#   helm-unittest   the `helm unittest` plugin, built from its Go module, in a HELM_PLUGINS dir of its own
#   kubeconform     manifest validator, built from its Go module
#   CRD schemas     JSON schemas of the Gateway API CRDs (sigs.k8s.io/gateway-api module, minikube/profile.env's version)
#   k8s schemas     JSON schemas for Kubernetes $KUBERNETES_VERSION, converted from the OpenAPI spec shipped in the
#                   k8s.io/kubernetes Go module (api/openapi-spec/swagger.json), so nothing is fetched from a URL
#   node modules    `yaml` and `@bitnami/readme-generator-for-helm` from the npm registry
# Every artefact lives in a directory named after its version (and, for the schemas, the converter's hash), so a
# warm machine skips all of it and a version bump in tools/helm/versions.env rebuilds only what changed.
#
# Usage:
#   tools/helm/install-helm.sh           install (idempotent) and print where everything is
#   eval "$(tools/helm/install-helm.sh --env)"
#                                        install, then export PATH, HELM_PLUGINS and TODO_STACK_* in this shell
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

mode=print
case "${1:-}" in
  --env) mode="env" ;;
  '' ) ;;
  -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "install-helm.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

source "$here/../shell/common.sh"

cache="${TODO_STACK_CACHE:-$HOME/.cache/todo-stack}"
mkdir -p "$cache/tools" "$cache/helm-plugins" "$cache/k8s-schemas" "$cache/node"
# One installer at a time per cache: a concurrent run (another checkout's `nx run chart:lint`) must not replace a
# directory this one is about to use. The lock is released when the script exits.
exec 9>"$cache/.install-helm.lock"
flock 9

# --- prerequisites -------------------------------------------------------------------------------------------------
if ! command -v go >/dev/null 2>&1; then
  die "go is not on PATH. It builds helm, helm-unittest and kubeconform from the Go module proxy.
  Install Go >= 1.22 (e.g. 'apt-get install -y golang-go' from bookworm-backports, or the tarball from go.dev) and
  re-run; with GOTOOLCHAIN=auto (the default) go fetches the newer toolchain these modules need from the module proxy."
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  die "node and npm are needed for the schema converter and the chart checks: Node.js 24 (.nvmrc) with its npm."
fi
goos="$(go env GOOS)"; goarch="$(go env GOARCH)"

source "$here/go-tools.sh" "$cache" # go_tool, go_main_tool, go_module_dir

# --- helm ------------------------------------------------------------------------------------------------------------
# Stamp the version the way helm's Makefile does, including the default Kubernetes version derived from the
# client-go the release was built with (only a default: every check passes --kube-version explicitly).
helm_dir="$cache/tools/helm-$HELM_VERSION-$goos-$goarch"
if [[ ! -x "$helm_dir/helm" ]]; then
  helm_src="$(go_module_dir helm.sh/helm/v3 "$HELM_VERSION")"
  client_go="$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$helm_src/go.mod")" # e.g. v0.35.1
  k8s_minor="$(cut -d. -f2 <<<"$client_go")"
  helm_dir="$(go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" \
    "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean \
     -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$k8s_minor \
     -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$k8s_minor")"
fi

# --- helm-unittest plugin ----------------------------------------------------------------------------------------------
# The upstream plugin.yaml runs install-binary.sh, which downloads a release asset from GitHub (unreachable here), so
# the plugin directory is assembled from the binary built from the module (cmd/helm-unittest) plus a plugin.yaml that
# points helm at it.
plugins_dir="$cache/helm-plugins/unittest-$HELM_UNITTEST_VERSION-$goos-$goarch"
if [[ ! -f "$plugins_dir/helm-unittest/plugin.yaml" ]]; then
  unittest_bin="$(go_main_tool helm-unittest github.com/helm-unittest/helm-unittest "$HELM_UNITTEST_VERSION" cmd/helm-unittest)"
  tmp="$(mktemp -d "$cache/helm-plugins/.unittest.XXXXXX")"
  mkdir -p "$tmp/helm-unittest"
  cp "$unittest_bin/helm-unittest" "$tmp/helm-unittest/untt"
  cat >"$tmp/helm-unittest/plugin.yaml" <<EOF
name: "unittest"
version: "${HELM_UNITTEST_VERSION#v}"
usage: "unittest for helm charts"
description: "helm-unittest ${HELM_UNITTEST_VERSION}, built from github.com/helm-unittest/helm-unittest by tools/helm/install-helm.sh"
ignoreFlags: false
platformCommand:
  - command: "\$HELM_PLUGIN_DIR/untt"
EOF
  mv -T "$tmp" "$plugins_dir" 2>/dev/null || rm -rf "$tmp"
fi

# --- kubeconform ---------------------------------------------------------------------------------------------------------
kubeconform_dir="$(go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION")"

# --- Kubernetes JSON schemas -------------------------------------------------------------------------------------------------
converter="$here/openapi2jsonschema.mjs"
converter_hash="$(sha256sum "$converter" | cut -c1-12)"
schemas_dir="$cache/k8s-schemas/$KUBERNETES_VERSION-$converter_hash"
if [[ ! -f "$schemas_dir/.complete" ]]; then
  log "converting the Kubernetes $KUBERNETES_VERSION OpenAPI spec (k8s.io/kubernetes module) to JSON schemas"
  k8s_src="$(go_module_dir k8s.io/kubernetes "$KUBERNETES_VERSION")"
  spec="$k8s_src/api/openapi-spec/swagger.json"
  [[ -f "$spec" ]] || die "$spec is missing from the k8s.io/kubernetes@$KUBERNETES_VERSION module"
  tmp="$(mktemp -d "$cache/k8s-schemas/.schemas.XXXXXX")"
  node "$converter" "$spec" "$tmp" >&2 || { rm -rf "$tmp"; die "schema conversion failed (see above)"; }
  touch "$tmp/.complete"
  rm -rf "$schemas_dir"
  mv -T "$tmp" "$schemas_dir" 2>/dev/null || rm -rf "$tmp"
fi

# --- npm packages for the checks ---------------------------------------------------------------------------------------------
node_key="yaml-$YAML_NPM_VERSION-readme-generator-$README_GENERATOR_NPM_VERSION"
node_dir="$cache/node/$node_key"
if [[ ! -f "$node_dir/.complete" ]]; then
  log "installing yaml@$YAML_NPM_VERSION and @bitnami/readme-generator-for-helm@$README_GENERATOR_NPM_VERSION (npm)"
  tmp="$(mktemp -d "$cache/node/.node.XXXXXX")"
  echo '{"name":"todo-stack-chart-tools","private":true}' >"$tmp/package.json"
  if ! npm install --prefix "$tmp" --no-audit --no-fund --ignore-scripts --loglevel=error \
      "yaml@$YAML_NPM_VERSION" "@bitnami/readme-generator-for-helm@$README_GENERATOR_NPM_VERSION" >&2; then
    rm -rf "$tmp"; die "npm install failed (see above). Is the npm registry reachable? (npm config get registry)"
  fi
  touch "$tmp/.complete"
  rm -rf "$node_dir"
  mv -T "$tmp" "$node_dir" 2>/dev/null || rm -rf "$tmp"
fi

# --- Gateway API JSON schemas -------------------------------------------------------------------------------------------------
# The chart's HTTPRoute and Gateway are custom resources: their schemas come from the CRDs of the sigs.k8s.io/gateway-api
# module at the version the Minikube profile installs (tools/gateway-api/standard-install.sh), in a dir of their own.
gateway_version="${GATEWAY_API_VERSION:-$(sed -n 's/^GATEWAY_API_VERSION=//p' "$here/../../minikube/profile.env")}"
gateway_crds="$(GATEWAY_API_VERSION="$gateway_version" "$here/../gateway-api/standard-install.sh" --crd-dir)"
crd_converter="$here/crd2jsonschema.mjs"
crd_schemas_dir="$cache/k8s-schemas/$gateway_version-gateway-api-$(sha256sum "$crd_converter" | cut -c1-12)"
if [[ ! -f "$crd_schemas_dir/.complete" ]]; then
  log "converting the Gateway API $gateway_version CRDs to JSON schemas"
  tmp="$(mktemp -d "$cache/k8s-schemas/.gateway.XXXXXX")"
  TODO_STACK_NODE_MODULES="$node_dir/node_modules" node "$crd_converter" "$tmp" "$gateway_crds"/*.yaml >&2 ||
    { rm -rf "$tmp"; die "Gateway API schema conversion failed (see above)"; }
  touch "$tmp/.complete"
  rm -rf "$crd_schemas_dir"
  mv -T "$tmp" "$crd_schemas_dir" 2>/dev/null || rm -rf "$tmp"
fi

# --- smoke check -----------------------------------------------------------------------------------------------------------------
export PATH="$helm_dir:$kubeconform_dir:$PATH" HELM_PLUGINS="$plugins_dir"
helm version --template '{{ .Version }}' >/dev/null || die "the cached helm at $helm_dir does not run; delete that dir and re-run"
helm unittest --help >/dev/null 2>&1 || die "helm unittest does not run (HELM_PLUGINS=$plugins_dir); delete that dir and re-run"

if [[ "$mode" == env ]]; then
  # shellcheck disable=SC2016 # "$PATH" is expanded by the shell that evals this line, on purpose
  printf 'export PATH=%q:"$PATH"\n' "$helm_dir:$kubeconform_dir"
  printf 'export HELM_PLUGINS=%q\n' "$plugins_dir"
  printf 'export TODO_STACK_K8S_SCHEMAS=%q\n' "$schemas_dir"
  printf 'export TODO_STACK_CRD_SCHEMAS=%q\n' "$crd_schemas_dir"
  printf 'export TODO_STACK_KUBERNETES_VERSION=%q\n' "${KUBERNETES_VERSION#v}"
  printf 'export TODO_STACK_NODE_MODULES=%q\n' "$node_dir/node_modules"
else
  log "helm          $helm_dir/helm ($(helm version --template '{{ .Version }}'))"
  log "helm-unittest HELM_PLUGINS=$plugins_dir"
  log "kubeconform   $kubeconform_dir/kubeconform"
  log "k8s schemas   $schemas_dir (Kubernetes $KUBERNETES_VERSION)"
  log "CRD schemas   $crd_schemas_dir (Gateway API $gateway_version)"
  log "node modules  $node_dir/node_modules"
  log "use them in this shell: eval \"\$(tools/helm/install-helm.sh --env)\""
fi
