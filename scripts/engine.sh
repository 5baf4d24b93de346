#!/usr/bin/env bash
# Local test engine: BuildKit daemon, OCI registry and git server, all on
# loopback, plus the base images the tests and plans use (`busybox`, `alpine`)
# built offline from Debian's busybox-static and pushed into the registry.
#
#   scripts/engine.sh up       install what is missing, start what is not running
#   scripts/engine.sh down     stop everything this script started
#   scripts/engine.sh env      print `export ...` lines for the tests
#   scripts/engine.sh status   say what runs and where
#
# With DAGGER_ENGINE_DOCKER=1, `up` also starts a Docker engine (Debian's
# docker.io) for the client's Docker connection mode, best effort.
#
# Every command is idempotent. State, sockets and logs live in $DAGGER_ENGINE_DIR
# (default: .engine/ in the repository, gitignored); compiled binaries are cached
# by version under ~/.cache/dagger-engine/ so later runs skip the Go builds.
set -euo pipefail

# ---- the one place for versions, addresses and paths -----------------------
BUILDKIT_VERSION=v0.34.2
REGISTRY_VERSION=v3.0.0
REGISTRY_ADDR=127.0.0.1:5000
GIT_PORT=9418
GIT_ADDR=127.0.0.1:$GIT_PORT

REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${DAGGER_ENGINE_DIR:-$REPO_ROOT/.engine}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/dagger-engine"
BK_BIN="$CACHE/$BUILDKIT_VERSION/bin"
REG_BIN="$CACHE/registry-$REGISTRY_VERSION/bin"
LOGS="$STATE/logs"
BK_DIR="$STATE/buildkitd"
BK_SOCK="$BK_DIR/buildkitd.sock"
REG_DIR="$STATE/registry"
GIT_DIR_BASE="$STATE/git"
IMAGES_DIR="$STATE/images"

# A unix socket path must fit in 108 bytes; fall back to /tmp for deep clones.
if [ "${#BK_SOCK}" -gt 100 ]; then
  BK_SOCK="/tmp/dagger-engine-$(printf %s "$STATE" | sha256sum | cut -c1-12).sock"
fi
BUILDKIT_HOST="unix://$BK_SOCK"
# Optional Docker engine (DAGGER_ENGINE_DOCKER=1), for the Docker connection
# mode of the client; its runtime dir holds sockets, so keep it short.
DOCKER_DIR="$STATE/docker"
DOCKER_EXEC="/tmp/dagger-docker-$(printf %s "$STATE" | sha256sum | cut -c1-12)"
DOCKER_SOCK="$DOCKER_EXEC/docker.sock"

# Go may be installed without being on PATH (e.g. a minimal CI environment).
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH="$PATH:/usr/local/go/bin"
fi

log() { printf 'engine: %s\n' "$*" >&2; }
die() { printf 'engine: error: %s\n' "$*" >&2; exit 1; }

# ---- installation ------------------------------------------------------------
APT_UPDATED=0
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    apt-get update -qq >"$LOGS/apt.log" 2>&1 || die "apt-get update failed (see $LOGS/apt.log)"
    APT_UPDATED=1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>"$LOGS/apt.log" 2>&1 \
    || die "apt-get install ${missing[*]} failed (see $LOGS/apt.log)"
}

install_buildkit() {
  if [ -x "$BK_BIN/buildkitd" ] && [ -x "$BK_BIN/buildctl" ]; then return 0; fi
  command -v go >/dev/null || die "Go is needed to build BuildKit $BUILDKIT_VERSION"
  log "building BuildKit $BUILDKIT_VERSION from the Go module cache (about 2 minutes)"
  # `go install pkg@version` refuses BuildKit's go.mod (it has exclude
  # directives), so build inside the module cache with BuildKit's own go.mod.
  go mod download "github.com/moby/buildkit@$BUILDKIT_VERSION" >>"$LOGS/build.log" 2>&1 \
    || die "go mod download of BuildKit failed (see $LOGS/build.log)"
  local src tmp
  src="$(go env GOMODCACHE)/github.com/moby/buildkit@$BUILDKIT_VERSION"
  tmp="$BK_BIN.tmp"
  mkdir -p "$tmp"
  (cd "$src" && go build -o "$tmp/" ./cmd/buildkitd ./cmd/buildctl) >>"$LOGS/build.log" 2>&1 \
    || die "building BuildKit failed (see $LOGS/build.log)"
  rm -rf "$BK_BIN" && mkdir -p "$(dirname "$BK_BIN")" && mv "$tmp" "$BK_BIN"
}

install_registry() {
  if [ -x "$REG_BIN/registry" ]; then return 0; fi
  command -v go >/dev/null || die "Go is needed to install the registry $REGISTRY_VERSION"
  log "installing the distribution registry $REGISTRY_VERSION"
  GOBIN="$REG_BIN.tmp" go install "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION" \
    >>"$LOGS/build.log" 2>&1 || die "go install of the registry failed (see $LOGS/build.log)"
  rm -rf "$REG_BIN" && mkdir -p "$(dirname "$REG_BIN")" && mv "$REG_BIN.tmp" "$REG_BIN"
}

# ---- process helpers ---------------------------------------------------------
pid_alive() { # NAME
  local f="$STATE/$1.pid"
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

start_bg() { # NAME CMD...
  local name=$1; shift
  nohup "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/$name.pid"
}

wait_for() { # WHAT SECONDS CHECK...
  local what=$1 secs=$2; shift 2
  local i
  for ((i = 0; i < secs * 10; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "$what did not answer within ${secs}s (logs in $LOGS)"
}

stop() { # NAME
  local f="$STATE/$1.pid" pid i
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    log "stopped $1"
  fi
  rm -f "$f"
}

# ---- checks ------------------------------------------------------------------
buildkit_ok() { "$BK_BIN/buildctl" --addr "$BUILDKIT_HOST" debug workers >/dev/null 2>&1; }
registry_ok() { curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; }
docker_ok() { curl -fsS --unix-socket "$DOCKER_SOCK" http://docker/_ping >/dev/null 2>&1; }
git_ok() { git ls-remote "git://$GIT_ADDR/hello.git" >/dev/null 2>&1; }
image_ok() { # NAME
  curl -fsS -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY_ADDR/v2/library/$1/manifests/latest" 2>/dev/null
}

# ---- services ----------------------------------------------------------------
start_registry() {
  if pid_alive registry && registry_ok; then return 0; fi
  stop registry
  mkdir -p "$REG_DIR/data"
  cat >"$REG_DIR/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REG_DIR/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
  log "starting registry on $REGISTRY_ADDR"
  start_bg registry "$REG_BIN/registry" serve "$REG_DIR/config.yml"
  wait_for "registry" 20 registry_ok
}

start_buildkitd() {
  if pid_alive buildkitd && buildkit_ok; then return 0; fi
  stop buildkitd
  mkdir -p "$BK_DIR/root"
  cat >"$BK_DIR/buildkitd.toml" <<EOF
# Generated by scripts/engine.sh: resolve docker.io through the local registry.
[worker.oci]
  enabled = true
[worker.containerd]
  enabled = false
[registry."docker.io"]
  mirrors = ["$REGISTRY_ADDR"]
[registry."$REGISTRY_ADDR"]
  http = true
  insecure = true
EOF
  rm -f "$BK_SOCK"
  log "starting buildkitd on $BUILDKIT_HOST"
  start_bg buildkitd "$BK_BIN/buildkitd" --root "$BK_DIR/root" --addr "$BUILDKIT_HOST" \
    --config "$BK_DIR/buildkitd.toml"
  wait_for "buildkitd" 60 buildkit_ok
}

# Test repositories with fixed dates, so their commit ids are the same on
# every machine: hello.git has branch main (2 commits), branch feature, tag v1.0.0.
make_git_repos() {
  local repos="$GIT_DIR_BASE/repos" work="$GIT_DIR_BASE/work"
  [ -d "$repos/hello.git" ] && return 0
  rm -rf "$work" && mkdir -p "$repos" "$work"
  export GIT_AUTHOR_NAME=dagger GIT_AUTHOR_EMAIL=dagger@example.invalid
  export GIT_COMMITTER_NAME=dagger GIT_COMMITTER_EMAIL=dagger@example.invalid
  export GIT_AUTHOR_DATE="2021-01-01T00:00:00Z" GIT_COMMITTER_DATE="2021-01-01T00:00:00Z"
  (
    cd "$work"
    git init -q -b main hello
    cd hello
    git config commit.gpgsign false
    printf 'hello from v1\n' >README.md
    git add README.md && git commit -q -m "first"
    git tag -a v1.0.0 -m "version 1.0.0"
    printf 'hello from main\n' >README.md
    mkdir -p sub && printf 'nested\n' >sub/file.txt
    git add -A && git commit -q -m "second"
    git checkout -q -b feature
    printf 'feature only\n' >feature.txt
    git add feature.txt && git commit -q -m "feature"
    git checkout -q main
  ) >>"$LOGS/git.log" 2>&1
  git clone -q --bare "$work/hello" "$repos/hello.git" >>"$LOGS/git.log" 2>&1
  touch "$repos/hello.git/git-daemon-export-ok"
  rm -rf "$work"
}

start_git() {
  make_git_repos
  if pid_alive git-daemon && git_ok; then return 0; fi
  stop git-daemon
  log "starting git daemon on $GIT_ADDR"
  start_bg git-daemon git daemon --reuseaddr --export-all --base-path="$GIT_DIR_BASE/repos" \
    --listen=127.0.0.1 --port="$GIT_PORT" "$GIT_DIR_BASE/repos"
  wait_for "git daemon" 20 git_ok
}

# Best effort: a Docker engine that fails to start only costs its own test.
start_docker() {
  [ "${DAGGER_ENGINE_DOCKER:-0}" = 1 ] || return 0
  if pid_alive dockerd && docker_ok; then return 0; fi
  if ! dpkg -s docker.io >/dev/null 2>&1; then
    (apt_install docker.io) || { log "warning: docker.io could not be installed; Docker mode untested"; return 0; }
  fi
  stop dockerd
  mkdir -p "$DOCKER_DIR/data" "$DOCKER_EXEC"
  log "starting dockerd on unix://$DOCKER_SOCK"
  start_bg dockerd dockerd --host "unix://$DOCKER_SOCK" --data-root "$DOCKER_DIR/data" \
    --exec-root "$DOCKER_EXEC/exec" --pidfile "$DOCKER_EXEC/docker.pid"
  local i
  for ((i = 0; i < 300; i++)); do docker_ok && return 0; sleep 0.1; done
  log "warning: dockerd did not answer within 30s (see $LOGS/dockerd.log); Docker mode untested"
  stop dockerd
}

# ---- base images ---------------------------------------------------------------
busybox_binary() {
  local b
  for b in /usr/bin/busybox /bin/busybox; do
    if [ -x "$b" ] && file_is_static "$b"; then echo "$b"; return 0; fi
  done
  die "no static busybox found (apt-get install busybox-static)"
}
file_is_static() { ! ldd "$1" >/dev/null 2>&1; }

# NAME EXTRA_DOCKERFILE_LINES
build_image() {
  local name=$1 extra=$2 ctx="$IMAGES_DIR/$1"
  rm -rf "$ctx" && mkdir -p "$ctx/rootfs/etc" "$ctx/rootfs/root"
  cp "$(busybox_binary)" "$ctx/busybox"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
    >"$ctx/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$ctx/rootfs/etc/group"
  if [ "$name" = alpine ]; then
    printf 'Welcome to Alpine Linux 3.13\nKernel \\r on an \\m (\\l)\n\n' >"$ctx/rootfs/etc/issue"
    cat >"$ctx/rootfs/etc/os-release" <<'EOF'
NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.13.5
PRETTY_NAME="Alpine Linux v3.13"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://bugs.alpinelinux.org/"
EOF
  fi
  cat >"$ctx/Dockerfile" <<EOF
FROM scratch
COPY busybox /bin/busybox
COPY rootfs/ /
RUN ["/bin/busybox", "mkdir", "-p", "/tmp", "/root", "/usr/bin", "/usr/sbin", "/sbin", "/var", "/home"]
RUN ["/bin/busybox", "chmod", "1777", "/tmp"]
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
$extra
CMD ["/bin/sh"]
EOF
  log "building and pushing $REGISTRY_ADDR/library/$name:latest"
  "$BK_BIN/buildctl" --addr "$BUILDKIT_HOST" build --progress=plain --frontend dockerfile.v0 \
    --local context="$ctx" --local dockerfile="$ctx" \
    --output "type=image,name=$REGISTRY_ADDR/library/$name:latest,push=true,registry.insecure=true" \
    >>"$LOGS/images.log" 2>&1 || die "building the $name image failed (see $LOGS/images.log)"
}

build_images() {
  image_ok busybox || build_image busybox ""
  image_ok alpine || build_image alpine ""
}

# ---- commands -------------------------------------------------------------------
cmd_up() {
  mkdir -p "$STATE" "$LOGS"
  # apache2-utils: htpasswd (bcrypt) and openssl: certificates, for the
  # registry-credentials and remote-TLS tests' throwaway engines.
  apt_install runc git busybox-static apache2-utils openssl
  install_buildkit
  install_registry
  start_registry
  start_git
  start_buildkitd
  build_images
  start_docker
  log "ready: $BUILDKIT_HOST, registry $REGISTRY_ADDR, git git://$GIT_ADDR"
}

cmd_down() {
  stop dockerd
  stop buildkitd
  stop git-daemon
  stop registry
}

cmd_env() {
  echo "export BUILDKIT_HOST=$BUILDKIT_HOST"
  echo "export DAGGER_TEST_REGISTRY=$REGISTRY_ADDR"
  echo "export DAGGER_TEST_GIT=git://$GIT_ADDR"
  echo "export DAGGER_TEST_BUILDCTL=$BK_BIN/buildctl"
  if docker_ok; then echo "export DAGGER_TEST_DOCKER_HOST=unix://$DOCKER_SOCK"; fi
}

cmd_status() {
  local rc=0
  if buildkit_ok; then echo "buildkitd: running at $BUILDKIT_HOST"; else echo "buildkitd: down"; rc=1; fi
  if registry_ok; then echo "registry:  running at $REGISTRY_ADDR"; else echo "registry:  down"; rc=1; fi
  if git_ok; then echo "git:       running at git://$GIT_ADDR"; else echo "git:       down"; rc=1; fi
  if docker_ok; then echo "docker:    running at unix://$DOCKER_SOCK"; else echo "docker:    not running (optional: DAGGER_ENGINE_DOCKER=1)"; fi
  return $rc
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env) cmd_env ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|env|status" >&2; exit 2 ;;
esac
