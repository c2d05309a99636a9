# shellcheck shell=bash
# The smoke test's image and its conditions (each a command for `check`), for smoke.sh (sourced by it).

render() { sed "s#@IMAGE@#$IMAGE#g" "$TC_DIR/smoke/$1"; }
apply() { render "$1" | ks apply -f - >/dev/null; }

# The real node runs an image built here: Node.js on a minimal Debian, imported through Docker when
# an engine runs (the path the app's images take), else packed as an OCI archive.
smoke_image() {
  local key rootfs dir
  key=$(printf 'mmdebstrap --variant=minbase --include=nodejs trixie\n' | sha256sum | cut -c1-12)
  rootfs=$TC_CACHE/smoke-node-$key.tar
  IMAGE=todo-test-cluster/smoke-node:$key
  if [[ ! -f $rootfs ]]; then
    apt_need mmdebstrap
    log "building the smoke test image (mmdebstrap, ~1 min)"
    mmdebstrap --quiet --variant=minbase --include=nodejs trixie "$TC_CACHE/smoke-node-$key.partial.tar" ||
      die "mmdebstrap failed: it needs Debian's package mirror"
    mv "$TC_CACHE/smoke-node-$key.partial.tar" "$rootfs"
  fi
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    docker image inspect "$IMAGE" >/dev/null 2>&1 || docker import "$rootfs" "$IMAGE" >/dev/null
    "$TC_DIR/load-image.sh" "$IMAGE"
  else
    log "no Docker engine: importing the smoke image as an OCI archive"
    dir=$(mktemp -d)
    tar -xf "$rootfs" -C "$dir"
    oci_pack "$TC_CACHE/smoke-node-$key.oci.tar" "docker.io/$IMAGE" "$dir" '"Cmd":["node"]'
    rm -rf "$dir"
    "$TC_DIR/load-image.sh" --archive "$TC_CACHE/smoke-node-$key.oci.tar"
  fi
}

# in_client URL: fetches URL from the client pod (so through the pod network, kube-proxy and DNS).
in_client() {
  ks exec client -- node -e \
    'fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then(r => r.text()).then(t => console.log(t))' "$1"
}

# Checks that need more than one command.
jsonpath() { ks get "$1" -o jsonpath="$2" "${@:3}" 2>/dev/null; }
ready_pods() {
  ks get pods -l "app=$1" -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    awk '$2 == "True" { print $1 }' | sort
}
on_node() { [[ $(jsonpath pods '{.items[*].spec.nodeName}' -l app=web) == "$NODE $NODE" ]]; }
ready_endpoints() { [[ $(ks get endpointslices -l kubernetes.io/service-name=web -o jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}x{end}') == "$1" ]]; }
apply_strict() { render "$1" | kubectl apply --validate=strict -n "$2" -f - "${@:3}"; }
serves_web() { in_client "$1" | grep -q '"host":"web-'; }
host_serves_web() { curl -fsS --max-time 5 "$1" | grep -q '"host":"web-'; }
logs_contain() { grep -q "$2" <<<"$(ks logs "$1")"; }
unhealthy_503_reported() {
  ks get events --field-selector reason=Unhealthy -o jsonpath='{.items[*].message}' |
    grep -q 'Readiness probe failed: HTTP probe failed with statuscode: 503'
}
probe_failed() { # the kubelet reports the failing probe, and the pod stays unready
  ks wait --for=jsonpath='{.status.phase}'=Running pod -l app=never-ready --timeout="$WAIT" >/dev/null || return
  wait_until 60 unhealthy_503_reported || true
  ks get events --field-selector reason=Unhealthy -o jsonpath='{.items[*].message}'
  [[ $(ks get pod -l app=never-ready -o jsonpath='{.items[0].status.conditions[?(@.type=="Ready")].status}') == False ]]
}
two_other_ready_web_pods() { # two_other_ready_web_pods BEFORE
  local after
  after=$(ready_pods web)
  [[ $(wc -l <<<"$after") == 2 && $after != "$1" ]]
}
replaced() { # replaced BEFORE: two Ready web pods again, not the same set
  ks rollout status deployment/web --timeout="$WAIT" >/dev/null || return
  wait_until 60 two_other_ready_web_pods "$1"
}
store_url() { echo "http://$(jsonpath pod/store-0 '{.status.podIP}'):8080/"; }
store_pod_uid_changed() { # store_pod_uid_changed OLD_UID
  local uid
  uid=$(jsonpath pod/store-0 '{.metadata.uid}')
  [[ -n $uid && $uid != "$1" ]]
}
store_recreated() { # store_recreated OLD_UID
  wait_until 60 store_pod_uid_changed "$1" || true
  ks wait --for=condition=Ready pod/store-0 --timeout="$WAIT"
}
same_stamp() { [[ $(in_client "$(store_url)") == "$1" ]]; }
provisioned_by() { [[ $(kubectl get pv -o jsonpath='{.items[*].metadata.annotations.pv\.kubernetes\.io/provisioned-by}') == "$1" ]]; }
volumes_released() { [[ -z $(kubectl get pv -o name) ]] || kubectl wait --for=delete pv --all --timeout=60s; }
