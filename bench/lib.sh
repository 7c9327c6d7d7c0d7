# Shared by the bench scenarios (bench/*.sh): build, a private network namespace, starting the
# upstream, the proxies under test and the gateway on fixed loopback ports, and cleanup.
# Everything runs inside a fresh network namespace that has only a loopback interface, so no
# load leaves the machine and no port clashes with anything else running here.
set -euo pipefail
export LC_ALL=C

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
GATEWAY="${GATEWAY:-$BUILD/inference-gateway}"
LOADGEN="${LOADGEN:-$BUILD/bench/gateway_bench/gateway-bench}"
RESULTS="${RESULTS:-$BENCH_DIR/results}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Installs the dependencies and builds (the README's build), unless BENCH_SKIP_BUILD=1.
bench_build() {
  [[ "${BENCH_SKIP_BUILD:-0}" == 1 || "${BENCH_IN_NETNS:-0}" == 1 ]] && return 0
  log "installing dependencies and building (make build)"
  make -C "$ROOT" build >/dev/null
  command -v ip >/dev/null || {
    local sudo_cmd=""; [[ "$(id -u)" -eq 0 ]] || sudo_cmd=sudo
    $sudo_cmd apt-get install -y -qq --no-install-recommends iproute2 >/dev/null
  }
}

# Re-runs the calling script inside a new network namespace (root: `unshare -n`; otherwise a
# user namespace too) with loopback up. Call first, with "$@".
bench_enter_netns() {
  if [[ "${BENCH_IN_NETNS:-0}" != 1 ]]; then
    local flags=(-n)
    [[ "$(id -u)" -eq 0 ]] || flags=(-r -n)
    BENCH_IN_NETNS=1 exec unshare "${flags[@]}" -- bash "$0" "$@"
  fi
  ip link set lo up
  # Many connections open and close quickly in these runs.
  sysctl -qw net.ipv4.ip_local_port_range="10000 65000" 2>/dev/null || true
  sysctl -qw net.core.somaxconn=65535 2>/dev/null || true
  ulimit -n "$(ulimit -Hn)"
}

BENCH_PIDS=()
BENCH_TMP="$(mktemp -d /tmp/gateway-bench.XXXXXX)"
bench_cleanup() {
  local p
  for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.2
  for p in "${BENCH_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [[ "${BENCH_KEEP_TMP:-0}" == 1 ]] || rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT

# wait_port PORT PID: until 127.0.0.1:PORT accepts (10 s at most).
wait_port() {
  local port=$1 pid=$2 i
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || die "process $pid exited before listening on $port"
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.05
  done
  die "nothing listens on 127.0.0.1:$port after 10 s"
}

# start_gateway NAME CONFIG PORT: the gateway binary; prints its pid.
start_gateway() {
  local name=$1 config=$2 port=$3
  "$GATEWAY" --config "$config" --listen "127.0.0.1:$port" >"$BENCH_TMP/$name.log" 2>&1 &
  local pid=$!
  BENCH_PIDS+=("$pid")
  wait_port "$port" "$pid"
  echo "$pid"
}

# start_nginx "UPSTREAM_PORT..." PORT [TLS_PORT CERT KEY]: nginx as a plain reverse proxy on
# equal footing with the gateway: one worker process (the gateway has one reactor thread),
# keep-alive to the upstream (round robin when several ports are given: replicas), no response
# buffering (SSE passes through), no access log. With TLS_PORT it also terminates TLS there
# (the same worker, CERT and KEY in PEM). Prints the master's pid.
start_nginx() {
  local port=$2 tls_port=${3:-} dir="$BENCH_TMP/nginx-$2" servers="" p tls_conf="" tls_listen=""
  for p in $1; do servers+="    server 127.0.0.1:$p;"$'\n'; done
  if [[ -n $tls_port ]]; then
    tls_conf="  ssl_certificate $4;"$'\n'"  ssl_certificate_key $5;"$'\n'"  ssl_protocols TLSv1.2 TLSv1.3;"$'\n'
    tls_listen="    listen 127.0.0.1:$tls_port ssl backlog=65535;"$'\n'
  fi
  mkdir -p "$dir/logs" "$dir/temp"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
$( [[ "$(id -u)" -eq 0 ]] && echo "user root;" )
worker_rlimit_nofile 65535;
events { worker_connections 30000; }
http {
  access_log off;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 600s;
$tls_conf  upstream backend {
$servers    keepalive 1024;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$port backlog=65535;
$tls_listen    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 600s;
    }
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" >"$dir/logs/stdout.log" 2>&1 &
  local pid=$!
  BENCH_PIDS+=("$pid")
  wait_port "$port" "$pid"
  [[ -z $tls_port ]] || wait_port "$tls_port" "$pid"
  echo "$pid"
}

# Portkey's gateway, pinned in bench/portkey (npm needs the network: before the namespace).
bench_install_portkey() {
  local dir="$BENCH_DIR/portkey"
  [[ -d "$dir/node_modules/@portkey-ai/gateway" ]] && return 0
  log "installing Portkey's gateway (npm ci in bench/portkey)"
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
}

# start_portkey PORT: Portkey listens on every interface, which is why it runs in the namespace.
start_portkey() {
  local port=$1 dir="$BENCH_DIR/portkey"
  (cd "$dir" && exec env NODE_ENV=production node node_modules/@portkey-ai/gateway/build/start-server.js \
      --port="$port" --headless) >"$BENCH_TMP/portkey.log" 2>&1 &
  local pid=$!
  BENCH_PIDS+=("$pid")
  wait_port "$port" "$pid"
  echo "$pid"
}

# remote_front_config UPSTREAM_PORT FILE: this gateway in front of the upstream on its
# remote-provider path (plain http to loopback), access log off like the nginx peer's.
remote_front_config() {
  cat >"$2" <<CONF
server: {listen: 127.0.0.1:0, max_body_bytes: 1048576}
log: {level: warn, access_log: false}
providers:
  - {name: upstream, base_url: "http://127.0.0.1:$1/v1", retries: {max_retries: 0}}
models:
  - {id: bench, engine: none, remote: [{provider: upstream, model: bench}]}
CONF
}

# cpu_ticks PID: user + system time so far, all threads, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# rss_kb PID: resident set size in KiB.
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# loadgen ARGS...: gateway-bench without the progress line.
loadgen() { "$LOADGEN" --no-progress "$@"; }
