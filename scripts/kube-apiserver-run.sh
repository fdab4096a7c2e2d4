#!/usr/bin/env bash
# Start (or stop) etcd + the real kube-apiserver built by scripts/kube-apiserver-build.sh, on
# loopback, for trying the webhook or the chart by hand. The e2e test starts its own.
#
#   scripts/kube-apiserver-run.sh start DIR   # prints `export KUBECONFIG=DIR/kubeconfig`
#   scripts/kube-apiserver-run.sh stop DIR
#
# Ports: etcd 23790/23800, API server 64430 (override with ETCD_PORT, ETCD_PEER_PORT, API_PORT).
# Admin token: devtoken-0123456789 (system:masters). Privileged pods are allowed (so that the
# webhook, not the API server, is what denies them); the ServiceAccount admission plugin is off
# (no controller-manager creates service accounts here).
set -euo pipefail

CMD="${1:-}"
DIR="${2:-}"
[[ -n "$CMD" && -n "$DIR" ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
BIN="${PLIMSOLL_CACHE:-$HOME/.cache/plimsoll}/kube-apiserver/bin"
APISERVER="${PLIMSOLL_KUBE_APISERVER:-$BIN/kube-apiserver}"
ETCD="${PLIMSOLL_ETCD:-$BIN/etcd}"
ETCD_PORT="${ETCD_PORT:-23790}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-23800}"
API_PORT="${API_PORT:-64430}"

stop() {
  for p in kube-apiserver etcd; do
    if [[ -f "$DIR/$p.pid" ]]; then
      kill "$(cat "$DIR/$p.pid")" 2>/dev/null || true
      rm -f "$DIR/$p.pid"
    fi
  done
}

case "$CMD" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

[[ -x "$APISERVER" && -x "$ETCD" ]] || {
  echo "kube-apiserver/etcd not built: run scripts/kube-apiserver-build.sh" >&2; exit 1; }
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

"$ETCD" --data-dir "$DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "default=http://127.0.0.1:$ETCD_PEER_PORT" >"$DIR/etcd.log" 2>&1 &
echo $! >"$DIR/etcd.pid"

[[ -f "$DIR/sa.key" ]] || openssl ecparam -name prime256v1 -genkey -noout -out "$DIR/sa.key" 2>/dev/null
openssl ec -in "$DIR/sa.key" -pubout -out "$DIR/sa.pub" 2>/dev/null
echo "devtoken-0123456789,admin,admin-uid,system:masters" >"$DIR/tokens.csv"

"$APISERVER" --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" --insecure-port=0 \
  --endpoint-reconciler-type=none --cert-dir="$DIR/certs" --service-cluster-ip-range=10.0.0.0/24 \
  --service-account-key-file="$DIR/sa.pub" --service-account-signing-key-file="$DIR/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc --token-auth-file="$DIR/tokens.csv" \
  --authorization-mode=RBAC --enable-priority-and-fairness=false --allow-privileged=true \
  --disable-admission-plugins=ServiceAccount >"$DIR/kube-apiserver.log" 2>&1 &
echo $! >"$DIR/kube-apiserver.pid"

cat >"$DIR/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:$API_PORT", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: devtoken-0123456789}
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
EOF

for _ in $(seq 1 150); do
  if kubectl --kubeconfig "$DIR/kubeconfig" get --raw /readyz >/dev/null 2>&1; then
    echo "export KUBECONFIG=$DIR/kubeconfig"
    exit 0
  fi
  sleep 0.2
done
echo "kube-apiserver not ready after 30 s; see $DIR/kube-apiserver.log" >&2
stop
exit 1
