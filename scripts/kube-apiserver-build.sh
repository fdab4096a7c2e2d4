#!/usr/bin/env bash
# Build a real kube-apiserver (Debian bookworm's `kubernetes` 1.20.2 source, Debian's Go 1.19) and
# fetch Debian's etcd 3.4, for the admission webhook's end-to-end test. Test-only: 1.20 is out of
# upstream support. Nothing is installed system-wide; apt runs with a private configuration under
# the work directory.
#
#   scripts/kube-apiserver-build.sh          # build once; later runs print the cached paths
#   scripts/kube-apiserver-build.sh --clean  # also delete the work directory (~2 GB) afterwards
#
# Output (cached between runs, never committed):
#   ${PLIMSOLL_CACHE:-$HOME/.cache/plimsoll}/kube-apiserver/bin/kube-apiserver  (~150 MB)
#   ${PLIMSOLL_CACHE:-$HOME/.cache/plimsoll}/kube-apiserver/bin/etcd
# The e2e test (crates/plimsoll_server/tests/e2e_apiserver.rs) looks there, or at
# $PLIMSOLL_KUBE_APISERVER / $PLIMSOLL_ETCD.
#
# Cost: ~4 min on 2 cores (clean Go build cache), ~370 MB of source, ~1.5 GB of Go build cache.
# Recipe and pitfalls: ../shared/reference/real-kube-apiserver.md.
set -euo pipefail

CACHE="${PLIMSOLL_CACHE:-$HOME/.cache/plimsoll}/kube-apiserver"
WORK="${PLIMSOLL_K8S_WORK:-${TMPDIR:-/tmp}/plimsoll-k8s-build}"
BIN="$CACHE/bin"
CLEAN=0
[[ "${1:-}" == "--clean" ]] && CLEAN=1

if [[ -x "$BIN/kube-apiserver" && -x "$BIN/etcd" ]]; then
  echo "cached: $BIN/kube-apiserver ($("$BIN/kube-apiserver" --version 2>/dev/null || echo '?'))"
  echo "cached: $BIN/etcd"
  exit 0
fi

mkdir -p "$BIN" "$WORK"
log() { printf '[kube-apiserver-build] %s\n' "$*" >&2; }

# 0. A private apt configuration with deb-src for bookworm.
APT="$WORK/apt"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/parts"
URIS=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
URIS="${URIS:-http://deb.debian.org/debian}"
cat >"$APT/parts/src.sources" <<EOF
Types: deb deb-src
URIs: $URIS
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
A=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$APT/parts"
   -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache"
   -o Debug::NoLocking=1)
log "apt-get update (private lists under $APT)"
apt-get "${A[@]}" update -qq

# 1. Sources, Go toolchain, etcd and a fixed reflect2, unpacked with dpkg -x.
SRC="$WORK/k8ssrc"
if [[ ! -d "$SRC/src" ]]; then
  log "downloading the kubernetes source package"
  rm -rf "$SRC" && mkdir -p "$SRC"
  (cd "$SRC" && apt-get "${A[@]}" source --download-only kubernetes >/dev/null \
     && dpkg-source -x kubernetes_*.dsc src >/dev/null)
fi
GODL="$WORK/godl"
if [[ ! -x "$GODL/root/usr/lib/go-1.19/bin/go" || ! -x "$GODL/etcd/usr/bin/etcd" ]]; then
  log "downloading golang-1.19, etcd-server and reflect2"
  rm -rf "$GODL" && mkdir -p "$GODL"
  (cd "$GODL" && apt-get "${A[@]}" download golang-1.19-go golang-1.19-src etcd-server \
       golang-github-modern-go-reflect2-dev >/dev/null \
     && mkdir -p root etcd r2 \
     && dpkg -x golang-1.19-go_*.deb root && dpkg -x golang-1.19-src_*.deb root \
     && dpkg -x etcd-server_*.deb etcd && dpkg -x golang-github-modern-go-reflect2-dev_*.deb r2)
fi
cp "$GODL/etcd/usr/bin/etcd" "$BIN/etcd.tmp" && mv "$BIN/etcd.tmp" "$BIN/etcd"

# 2. The vendored reflect2 v1.0.1 segfaults under Go >= 1.18: use Debian's 1.0.2.
V="$SRC/src/vendor/github.com/modern-go/reflect2"
if [[ ! -d "$SRC/reflect2-v1.0.1-orig" ]]; then
  log "replacing vendored reflect2 1.0.1 with 1.0.2"
  mv "$V" "$SRC/reflect2-v1.0.1-orig" && mkdir -p "$V"
  cp "$GODL"/r2/usr/share/gocode/src/github.com/modern-go/reflect2/*.go \
     "$GODL"/r2/usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$V/"
  rm -f "$V"/*_test.go
fi

# 3. GOPATH-mode build (k8s 1.20 predates module builds).
export GOROOT="$GODL/root/usr/lib/go-1.19" PATH="$GODL/root/usr/lib/go-1.19/bin:$PATH" \
       GOPATH="$WORK/gopath" GOCACHE="$WORK/gocache" CGO_ENABLED=0 GO111MODULE=off GOFLAGS=
mkdir -p "$GOPATH/src/k8s.io" && ln -sfn "$SRC/src" "$GOPATH/src/k8s.io/kubernetes"
cd "$GOPATH/src/k8s.io/kubernetes"
if [[ ! -s pkg/generated/openapi/zz_generated.openapi.go ]]; then
  log "generating OpenAPI definitions"
  mkdir -p _output/bin
  go build -o _output/bin/openapi-gen ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
  make gen_openapi >/dev/null
fi
LDF=
for p in k8s.io/kubernetes/vendor/k8s.io/component-base/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
  LDF="$LDF -X $p.gitVersion=v1.20.2 -X $p.gitMajor=1 -X $p.gitMinor=20 -X $p.gitTreeState=clean"
done
log "building cmd/kube-apiserver (about 4 minutes on 2 cores)"
start=$(date +%s)
go build -ldflags "$LDF" -o "$BIN/kube-apiserver.tmp" ./cmd/kube-apiserver
mv "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
log "built in $(( $(date +%s) - start )) s: $BIN/kube-apiserver"

if [[ $CLEAN == 1 ]]; then
  chmod -R u+w "$WORK" 2>/dev/null || true
  rm -rf "$WORK"
fi
echo "built: $BIN/kube-apiserver ($("$BIN/kube-apiserver" --version))"
echo "built: $BIN/etcd"
