# Certificates and kubeconfigs of the test cluster, made with openssl. Sourced by up.sh.
# One CA signs everything but the front proxy's client certificate, which a CA of its own signs (the aggregation layer:
# extension API servers such as metrics-server trust it to pass on the caller); keys are ECDSA P-256; files live in
# $TC_STATE/pki.
# shellcheck shell=bash

# cert NAME SUBJECT EXTENDED_KEY_USAGE [SUBJECT_ALT_NAMES [CA]] (CA: the name of the signing CA, default ca)
cert() {
  local dir=$TC_STATE/pki name=$1 subject=$2 eku=$3 sans=${4:-} ca=${5:-ca}
  [[ -f $dir/$name.crt ]] && return
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$subject" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 365 -out "$dir/$name.crt" 2>/dev/null -extfile <(
      printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n' "$eku"
      [[ -z $sans ]] || printf 'subjectAltName=%s\n' "$sans"
    )
  rm "$dir/$name.csr"
}

gen_pki() {
  local dir=$TC_STATE/pki node_ip=$1
  mkdir -p "$dir" && chmod 700 "$dir"
  local ca
  for ca in ca front-proxy-ca; do
    [[ -f $dir/$ca.crt ]] && continue
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
      -subj "/CN=$TC_NAME-$ca" -keyout "$dir/$ca.key" -out "$dir/$ca.crt" 2>/dev/null
  done
  [[ -f $dir/sa.key ]] || {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$dir/sa.key" 2>/dev/null
    openssl pkey -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
  }
  cert apiserver "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1,IP:$node_ip,IP:${SERVICE_CIDR%.0/*}.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  cert admin "/O=system:masters/CN=$TC_NAME-admin" clientAuth
  cert controller-manager "/CN=system:kube-controller-manager" clientAuth
  cert scheduler "/CN=system:kube-scheduler" clientAuth
  cert kube-proxy "/CN=system:kube-proxy" clientAuth
  cert kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
  cert kubelet "/CN=$NODE_NAME" serverAuth "IP:127.0.0.1,IP:$node_ip,DNS:$NODE_NAME,DNS:localhost"
  cert front-proxy-client "/CN=front-proxy-client" clientAuth "" front-proxy-ca
}

# kubeconfig NAME CERT: $TC_STATE/NAME.kubeconfig authenticating with pki/CERT.{crt,key}.
kubeconfig() {
  local file=$TC_STATE/$1.kubeconfig cert=$TC_STATE/pki/$2 k=("$BIN/kubectl" --kubeconfig="$TC_STATE/$1.kubeconfig")
  [[ -f $file ]] && return
  "${k[@]}" config set-cluster "$TC_NAME" --server="https://127.0.0.1:$APISERVER_PORT" \
    --certificate-authority="$TC_STATE/pki/ca.crt" --embed-certs >/dev/null
  "${k[@]}" config set-credentials "$1" --client-certificate="$cert.crt" --client-key="$cert.key" --embed-certs >/dev/null
  "${k[@]}" config set-context "$TC_NAME" --cluster="$TC_NAME" --user="$1" >/dev/null
  "${k[@]}" config use-context "$TC_NAME" >/dev/null
  chmod 600 "$file"
}
