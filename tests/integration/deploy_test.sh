#!/usr/bin/env bash
# The deploy artifacts of deploy/ against the real gateway: the configuration they ship starts and
# serves, the probes' paths answer as the Deployment expects, every metric the Grafana dashboard,
# the alert rules and the HPA query exists on /metrics (whose text format is checked), the nginx
# site streams and passes request ids, the systemd unit verifies, the timeouts agree with the
# drain, and the Containerfile has what its runtime needs. Tools a clean CI machine may lack
# (python3's yaml, systemd-analyze, readelf/dpkg) skip their check with a note.
#
#   tests/integration/deploy_test.sh [path/to/inference-gateway]   (or GATEWAY_BIN=...)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/gateway.sh"
gw_init "${1:-}"

D="$GATEWAY_SOURCE_DIR/deploy"
for f in gateway.yaml Containerfile kubernetes/configmap.yaml kubernetes/deployment.yaml kubernetes/secret.yaml kubernetes/redis.yaml \
  kubernetes/service.yaml kubernetes/hpa.yaml systemd/inference-gateway.service nginx/inference-gateway.conf \
  grafana/inference-gateway.json prometheus/alerts.yml README.md; do
  [[ -f "$D/$f" ]] || fail "deploy/$f is missing"
done

# --- one configuration: deploy/gateway.yaml is the ConfigMap's gateway.yaml, verbatim ---------
# The block scalar under "  gateway.yaml: |", its 4-space indent removed.
awk '/^  gateway\.yaml: \|$/ { on = 1; next }
     on && /^[^ ]/ { exit }
     on { sub(/^    /, ""); print }' "$D/kubernetes/configmap.yaml" >"$GW_TMP/configmap-gateway.yaml"
[[ -s "$GW_TMP/configmap-gateway.yaml" ]] || fail "no gateway.yaml block in kubernetes/configmap.yaml"
diff -u "$D/gateway.yaml" "$GW_TMP/configmap-gateway.yaml" >"$GW_TMP/config.diff" ||
  fail "kubernetes/configmap.yaml's gateway.yaml differs from deploy/gateway.yaml: $(head -n 20 "$GW_TMP/config.diff")"
"$GATEWAY_BIN" --config "$GW_TMP/configmap-gateway.yaml" --check-config >"$GW_TMP/check.log" 2>&1 ||
  fail "the ConfigMap's gateway.yaml is invalid: $(cat "$GW_TMP/check.log")"
pass "ConfigMap's gateway.yaml is deploy/gateway.yaml and valid"

# --- timeouts against the drain -----------------------------------------------------------------
drain=$(sed -n 's/^  drain_timeout_s: *\([0-9][0-9]*\).*/\1/p' "$D/gateway.yaml")
[[ -n "$drain" ]] || fail "deploy/gateway.yaml sets no server.drain_timeout_s"
grace=$(sed -n 's/^ *terminationGracePeriodSeconds: *\([0-9][0-9]*\).*/\1/p' "$D/kubernetes/deployment.yaml")
prestop=$(grep -A3 'preStop:' "$D/kubernetes/deployment.yaml" | sed -n 's/.*"sleep", *"\([0-9][0-9]*\)".*/\1/p')
[[ -n "$grace" && -n "$prestop" ]] || fail "deployment.yaml: no terminationGracePeriodSeconds or preStop sleep"
((grace >= prestop + drain + 5)) ||
  fail "terminationGracePeriodSeconds $grace < preStop $prestop + drain $drain + 5 s margin"
stop=$(sed -n 's/^TimeoutStopSec=\([0-9][0-9]*\)$/\1/p' "$D/systemd/inference-gateway.service")
[[ -n "$stop" ]] && ((stop >= drain + 5)) || fail "systemd TimeoutStopSec '${stop}' < drain $drain + 5 s margin"
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$D/systemd/inference-gateway.service" || fail "systemd unit: no SIGHUP ExecReload"
pass "grace periods cover the drain: Kubernetes $grace s (preStop $prestop + drain $drain), systemd $stop s"

# --- the gateway on that configuration, probed as the Deployment probes it ---------------------
probe_path() {  # probe_path readinessProbe|livenessProbe: its httpGet path in deployment.yaml
  grep -A2 "^ *$1:" "$D/kubernetes/deployment.yaml" | sed -n 's/.*path: *\(\/[a-z]*\).*/\1/p' | head -n 1
}
ready_path=$(probe_path readinessProbe)
live_path=$(probe_path livenessProbe)
[[ "$ready_path" == /readyz && "$live_path" == /healthz ]] ||
  fail "deployment.yaml probes: readiness '$ready_path' (want /readyz), liveness '$live_path' (want /healthz)"
grep -q 'containerPort: 8080' "$D/kubernetes/deployment.yaml" || fail "deployment.yaml: no containerPort 8080"

start_gateway "$GW_TMP/configmap-gateway.yaml"
base="http://127.0.0.1:$GW_PORT"
for p in "$ready_path" "$live_path"; do
  code=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$base$p") || fail "GET $p: curl failed"
  [[ "$code" == 200 ]] || fail "GET $p: $code, the probe wants 200"
done
pass "probes: $ready_path and $live_path answer 200"

# The container's HEALTHCHECK command, run here against this gateway's port.
hc=$(grep -A1 '^HEALTHCHECK' "$D/Containerfile" | sed -n 's/^ *CMD //p')
[[ -n "$hc" ]] || fail "Containerfile: no HEALTHCHECK ... CMD [...]"
hc_script=$(node -e 'const a = JSON.parse(process.argv[1]); if (a[0] !== "bash" || a[1] !== "-c") process.exit(1); console.log(a[2])' "$hc") ||
  fail "Containerfile: HEALTHCHECK CMD is not [\"bash\", \"-c\", SCRIPT]: $hc"
[[ "$hc_script" == *'/dev/tcp/127.0.0.1/8080'* && "$hc_script" == *'/healthz'* ]] ||
  fail "Containerfile: HEALTHCHECK does not probe 127.0.0.1:8080/healthz: $hc_script"
timeout 5 bash -c "${hc_script//\/8080/\/$GW_PORT}" || fail "the HEALTHCHECK command failed against a healthy gateway"
pass "Containerfile HEALTHCHECK succeeds against the gateway"

model=$(sed -n 's/^  - id: *\([A-Za-z0-9._-]*\).*/\1/p' "$D/gateway.yaml" | head -n 1)
[[ -n "$model" ]] || fail "deploy/gateway.yaml: no model"
code=$(curl -sS --max-time 20 -o "$GW_TMP/c.json" -w '%{http_code}' "$base/v1/chat/completions" -H 'Content-Type: application/json' \
  -d "{\"model\":\"$model\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}") || fail "chat: curl failed"
[[ "$code" == 200 ]] || fail "chat with $model: $code $(cat "$GW_TMP/c.json")"
stream_stamped "$GW_TMP/s.txt" "$GW_TMP/s.hdr" "$base/v1/chat/completions" -H 'Content-Type: application/json' \
  -d "{\"model\":\"$model\",\"max_tokens\":8,\"stream\":true,\"chat_template_kwargs\":{\"enable_thinking\":false},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
((CURL_RC == 0)) || fail "streaming chat: curl exited $CURL_RC"
check_sse "$GW_TMP/s.txt" chat.completion.chunk
code=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$base/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}') || fail "404 chat: curl failed"
[[ "$code" == 404 ]] || fail "unknown model: $code, want 404"
pass "chat (plain and streamed) served by $model"

# --- /metrics: text format, and every metric the dashboard, the alerts and the HPA use -------
curl -sS --max-time 5 -o "$GW_TMP/metrics.txt" "$base/metrics" || fail "GET /metrics failed"
awk '
  /^# TYPE / { if ($3 in type) { print "duplicate # TYPE " $3; bad = 1 }
               if ($4 !~ /^(counter|gauge|histogram|summary|untyped)$/) { print "bad type: " $0; bad = 1 }
               type[$3] = $4; next }
  /^# HELP / || /^$/ { next }
  /^#/ { print "stray comment: " $0; bad = 1; next }
  {
    if ($0 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*,?)?\})? [-+]?([0-9.]+([eE][-+]?[0-9]+)?|NaN|[-+]?Inf)( -?[0-9]+)?$/) {
      print "not a sample line: " $0; bad = 1; next }
    name = $0; sub(/[{ ].*/, "", name)
    fam = name
    if (!(fam in type)) { base = fam; sub(/_(bucket|sum|count)$/, "", base)
      if (base in type && type[base] == "histogram") fam = base }
    if (!(fam in type)) { print "sample without # TYPE: " $0; bad = 1 }
    n++
  }
  END { if (n == 0) { print "no samples"; bad = 1 } exit bad }' "$GW_TMP/metrics.txt" >"$GW_TMP/format.txt" ||
  fail "/metrics is not valid Prometheus text format: $(head -n 5 "$GW_TMP/format.txt")"
sed -n 's/^# TYPE \([^ ]*\) \([a-z]*\)$/\1 \2/p' "$GW_TMP/metrics.txt" >"$GW_TMP/families.txt"
pass "/metrics: $(grep -vc '^#' "$GW_TMP/metrics.txt") samples in $(wc -l <"$GW_TMP/families.txt") families, valid text format"

checked=0
for src in grafana/inference-gateway.json prometheus/alerts.yml kubernetes/hpa.yaml; do
  for name in $(grep -oE 'gateway_[a-z_]+' "$D/$src" | sort -u); do
    fam=$name
    case $name in
      *_bucket | *_sum | *_count)
        base=${name%_bucket}; base=${base%_sum}; base=${base%_count}
        if grep -qx "$base histogram" "$GW_TMP/families.txt"; then fam=$base; fi ;;
    esac
    grep -q "^$fam " "$GW_TMP/families.txt" || fail "deploy/$src uses $name, which /metrics does not have"
    if [[ "$name" == *_bucket ]]; then
      grep -qx "$fam histogram" "$GW_TMP/families.txt" || fail "deploy/$src uses $name, but $fam is no histogram"
    fi
    checked=$((checked + 1))
  done
done
((checked >= 15)) || fail "only $checked metric names found in the dashboard, alerts and HPA"
grep -q 'histogram_quantile' "$D/grafana/inference-gateway.json" || fail "dashboard has no histogram_quantile"
pass "$checked metric names of the dashboard, alerts and HPA all exist on /metrics"

# --- the files parse ---------------------------------------------------------------------------
node -e '
  const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (!Array.isArray(d.panels) || d.panels.length < 10) throw new Error("fewer than 10 panels");
  for (const p of d.panels) {
    if (!p.title || !Array.isArray(p.targets) || p.targets.length === 0) throw new Error("panel without targets: " + p.title);
    for (const t of p.targets) if (typeof t.expr !== "string" || !t.expr.includes("gateway_")) throw new Error("bad target in " + p.title);
  }' "$D/grafana/inference-gateway.json" 2>"$GW_TMP/dash.err" || fail "grafana dashboard: $(tail -n 3 "$GW_TMP/dash.err")"
pass "grafana dashboard parses: every panel queries gateway metrics"

if python3 -c 'import yaml' 2>/dev/null; then
  python3 - "$D" <<'PY' || fail "YAML validation failed"
import sys, yaml
d = sys.argv[1]
groups = yaml.safe_load(open(d + "/prometheus/alerts.yml"))["groups"]
names = {r["alert"] for g in groups for r in g["rules"]}
for r in (r for g in groups for r in g["rules"]):
    assert isinstance(r.get("expr"), str) and r["expr"].strip(), r
    assert "summary" in r.get("annotations", {}), r["alert"]
for want in ("InferenceGatewayDown", "InferenceGatewayHigh5xxRate", "InferenceGatewayTTFTHigh",
             "InferenceGatewayQueueDepthHigh", "InferenceGatewayCircuitOpen", "InferenceGatewayUpstreamErrors"):
    assert want in names, "missing alert " + want
kinds, secrets, services = {}, {}, {}
for f in ("configmap", "secret", "deployment", "service", "hpa", "kustomization", "redis"):
    for doc in yaml.safe_load_all(open(f"{d}/kubernetes/{f}.yaml")):
        if doc["kind"] == "Secret": secrets[doc["metadata"]["name"]] = doc
        if doc["kind"] == "Service": services[doc["metadata"]["name"]] = doc
        if doc["kind"] not in kinds: kinds[doc["kind"]] = doc  # the gateway's own comes first
assert set(kinds) >= {"ConfigMap", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler", "Kustomization",
                      "StatefulSet"}, kinds.keys()
assert "redis.yaml" in kinds["Kustomization"]["resources"]
assert kinds["HorizontalPodAutoscaler"]["apiVersion"] == "autoscaling/v2"
c = kinds["Deployment"]["spec"]["template"]["spec"]["containers"][0]
assert c["args"] == ["--config", "/etc/inference-gateway/gateway.yaml", "--listen", "0.0.0.0:8080"], c["args"]
env_keys = set(secrets["inference-gateway-providers"]["stringData"])
cfg = yaml.safe_load(kinds["ConfigMap"]["data"]["gateway.yaml"])
wanted = {p["api_key_env"] for p in cfg.get("providers", []) if "api_key_env" in p}
assert wanted == env_keys, f"Secret keys {sorted(env_keys)} != api_key_env {sorted(wanted)}"
# The shared state: the config's Redis is the manifest's Service, its password the Secret's, which
# both Redis and the gateway's container read.
redis = cfg["state"]["redis"]
host = redis["url"].split("//", 1)[1].split("@")[-1].split(":")[0].split("/")[0]
assert host in services, f"state.redis.url names {host}, not a Service of the manifests"
assert services[host]["spec"]["ports"][0]["port"] == int(redis["url"].rsplit(":", 1)[1].split("/")[0])
pw = redis["password_env"]
assert pw in secrets["inference-gateway-redis"]["stringData"], pw
env = {e["name"]: e for e in c.get("env", [])}
assert env[pw]["valueFrom"]["secretKeyRef"]["name"] == "inference-gateway-redis", env.get(pw)
r = kinds["StatefulSet"]["spec"]["template"]["spec"]["containers"][0]
assert r["env"][0]["valueFrom"]["secretKeyRef"]["name"] == "inference-gateway-redis"
assert "--requirepass" in r["args"] and "noeviction" in r["args"], r["args"]
PY
  pass "alerts and Kubernetes manifests parse (python3 yaml); Secret keys match api_key_env and state.redis"
else
  log "note: python3 yaml is not installed; alerts.yml and the manifests are not parsed (only grepped)"
  for v in $(sed -n 's/^ *api_key_env: *\([A-Z0-9_]*\).*/\1/p' "$D/gateway.yaml"); do
    grep -q "^  $v:" "$D/kubernetes/secret.yaml" || fail "secret.yaml has no $v (an api_key_env of the config)"
  done
fi

# --- SIGHUP reload (ExecReload) keeps the gateway serving ----------------------------------------
kill -HUP "$GW_PID"
timeout 5 bash -c "until grep -q 'reloaded ' '$GW_LOG'; do sleep 0.05; done" || fail "no 'reloaded' log line after SIGHUP"
gateway_alive || fail "the gateway does not answer after SIGHUP"
pass "SIGHUP reloads the deployed configuration"

# --- the systemd unit ----------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$GW_TMP/systemd"
  unit="$GW_TMP/systemd/inference-gateway.service"
  sed "s|/usr/local/bin/inference-gateway|$(realpath "$GATEWAY_BIN")|" "$D/systemd/inference-gateway.service" >"$unit"
  timeout 20 systemd-analyze verify "$unit" >"$GW_TMP/systemd/verify.log" 2>&1 || true
  # It exits 0 on unknown keys and bad values; its complaints name the file.
  if grep -q 'inference-gateway.service' "$GW_TMP/systemd/verify.log"; then
    fail "systemd-analyze verify: $(grep 'inference-gateway.service' "$GW_TMP/systemd/verify.log" | head -n 5)"
  fi
  pass "systemd unit verifies"
else
  log "note: systemd-analyze is not installed; the systemd unit is not verified"
fi

# --- the nginx site in front of this gateway -------------------------------------------------------
# The site as shipped, but for its listen address, upstream port and log folder.
deploy_site() {
  sed -e "s/^\( *\)listen 80;/\1listen 127.0.0.1:$1;/" -e "s/server 127\.0\.0\.1:8080;/server 127.0.0.1:$GW_PORT;/" \
    -e "s|/var/log/nginx/|$NGINX_DIR/logs/|" "$D/nginx/inference-gateway.conf" >"$NGINX_DIR/site.conf"
  grep -q "listen 127.0.0.1:$1;" "$NGINX_DIR/site.conf" && grep -q "server 127.0.0.1:$GW_PORT;" "$NGINX_DIR/site.conf" ||
    fail "nginx site: no 'listen 80;' or 'server 127.0.0.1:8080;' line to point at the test's ports"
  echo "  include $NGINX_DIR/site.conf;"
}
NGINX_DIR="$GW_TMP/nginx"
mkdir -p "$NGINX_DIR/logs"
launch_nginx deploy_site
pass "nginx -t accepts the site; nginx on 127.0.0.1:$NGINX_PORT -> gateway"
nbase="http://127.0.0.1:$NGINX_PORT"

rid="it-deploy-$$-$RANDOM"
stream_stamped "$GW_TMP/n.txt" "$GW_TMP/n.hdr" "$nbase/v1/chat/completions" -H 'Content-Type: application/json' \
  -H "X-Request-Id: $rid" -d "{\"model\":\"$model\",\"max_tokens\":24,\"stream\":true,\"chat_template_kwargs\":{\"enable_thinking\":false},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
((CURL_RC == 0)) || fail "streaming chat via nginx: curl exited $CURL_RC"
[[ "$(status_line "$GW_TMP/n.hdr")" == "HTTP/1.1 200"* ]] || fail "streaming chat via nginx: $(status_line "$GW_TMP/n.hdr")"
[[ "$(header_value "$GW_TMP/n.hdr" Server)" == nginx* ]] || fail "streaming chat: not served by nginx"
[[ "$(header_value "$GW_TMP/n.hdr" x-request-id)" == "$rid" ]] || fail "streaming chat via nginx: X-Request-Id not passed through"
check_sse "$GW_TMP/n.txt" chat.completion.chunk
timeout 5 bash -c "until grep -q 'request_id=$rid ' '$GW_LOG'; do sleep 0.05; done" || fail "the gateway logged no request $rid"
pass "streaming chat via the nginx site: complete, X-Request-Id passed through ($SSE_CONTENT_CHUNKS content chunks)"

# Without a client id, nginx's own $request_id reaches the gateway (and comes back).
code=$(curl -sS --max-time 20 -D "$GW_TMP/n2.hdr" -o "$GW_TMP/n2.json" -w '%{http_code}' "$nbase/v1/chat/completions" \
  -H 'Content-Type: application/json' -d "{\"model\":\"$model\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}") ||
  fail "chat via nginx: curl failed"
[[ "$code" == 200 ]] || fail "chat via nginx: $code $(cat "$GW_TMP/n2.json")"
nrid=$(header_value "$GW_TMP/n2.hdr" x-request-id)
[[ "$nrid" =~ ^[0-9a-f]{32}$ ]] || fail "chat via nginx without an id: x-request-id '$nrid' is not nginx's \$request_id"
timeout 5 bash -c "until grep -q 'request_id=$nrid ' '$GW_LOG'; do sleep 0.05; done" || fail "the gateway did not log nginx's id $nrid"
timeout 5 bash -c "until grep -q 'rid=$nrid ' '$NGINX_DIR/logs/inference-gateway.access.log' 2>/dev/null; do sleep 0.05; done" ||
  fail "nginx's access log has no rid=$nrid"
pass "nginx's request id $nrid is the gateway's"

for p in /healthz:200 /metrics:404 /readyz:404; do
  code=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$nbase${p%%:*}") || fail "GET ${p%%:*} via nginx: curl failed"
  [[ "$code" == "${p##*:}" ]] || fail "GET ${p%%:*} via nginx: $code, want ${p##*:}"
done
pass "nginx site: /healthz open, /metrics and /readyz closed"

# --- the Containerfile ---------------------------------------------------------------------------
cf="$D/Containerfile"
need() { grep -Eq -e "$1" "$cf" || fail "Containerfile: nothing matches /$1/ ($2)"; }
need '^FROM debian:bookworm(-slim)? AS build$' "a Debian 12 build stage"
need '^FROM debian:bookworm(-slim)? AS runtime$' "a Debian 12 runtime stage"
need '-DGATEWAY_BUILD_TESTS=OFF' "tests off"
need '-DGATEWAY_BUILD_BENCH=OFF' "benchmarks off"
need '--target inference-gateway' "only the gateway's target"
need '^COPY --from=build .*inference-gateway' "the binary from the build stage"
need '^USER [1-9][0-9]*(:[1-9][0-9]*)?$' "a numeric non-root user"
need '^EXPOSE 8080$' "port 8080"
need '^STOPSIGNAL SIGTERM$' "SIGTERM drains"
need '^CMD \["--config", "/etc/inference-gateway/gateway\.yaml", "--listen", "0\.0\.0\.0:8080"\]$' "config and listen"
need '^COPY deploy/gateway\.yaml /etc/inference-gateway/gateway\.yaml$' "the deploy configuration"
# Build packages: the `run` set of .ci/install-deps.sh (but ccache, of no use in a one-off build).
# Each stage as one word a line, to compare package names as fixed strings.
build_stage=$(awk '/^FROM .* AS build$/ { on = 1 } /^FROM .* AS runtime$/ { on = 0 } on' "$cf" | tr -s ' \\\t' '\n')
runtime_stage=$(awk '/^FROM .* AS runtime$/ { on = 1 } on' "$cf" | tr -s ' \\\t' '\n')
run_pkgs=$(sed -n '/^run_packages=(/,/^)/p' "$GATEWAY_SOURCE_DIR/.ci/install-deps.sh" | sed 's/#.*//' | tr -s ' ()=' '\n' |
  grep -E '^[a-z0-9][a-z0-9.+-]+$' | grep -vx 'run_packages\|ccache' || true)
[[ -n "$run_pkgs" ]] || fail "no run_packages in .ci/install-deps.sh"
for p in $run_pkgs; do
  grep -Fqx -e "$p" <<<"$build_stage" || fail "Containerfile build stage does not install $p (.ci/install-deps.sh run)"
done
# Runtime packages: the Debian package of each library the binary needs directly (ldd's first
# level); the base image has libc6, libstdc++6 and libgcc-s1.
if command -v readelf >/dev/null && command -v dpkg >/dev/null; then
  needed=$(readelf -d "$GATEWAY_BIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  if grep -Eq '^lib(asan|tsan|ubsan|clang_rt)' <<<"$needed"; then
    log "note: $GATEWAY_BIN is a sanitizer build; its libraries are not compared with the runtime stage"
  else
    for lib in $needed; do
      path=$(ldd "$GATEWAY_BIN" | awk -v l="$lib" '$1 == l { print $3 }')
      [[ -n "$path" ]] || fail "ldd does not resolve $lib"
      pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1) || true
      [[ -n "$pkg" ]] || pkg=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1) || true
      [[ -n "$pkg" ]] || { log "note: no Debian package owns $path; not checked"; continue; }
      case $pkg in libc6 | libstdc++6 | libgcc-s1) continue ;; esac
      grep -Fqx -e "$pkg" <<<"$runtime_stage" || fail "Containerfile runtime stage lacks $pkg (for $lib)"
    done
    pass "Containerfile runtime stage installs the package of every library the binary links ($(wc -w <<<"$needed") libraries)"
  fi
else
  log "note: readelf or dpkg missing; the runtime stage's libraries are not checked"
fi
pass "Containerfile has the stages and instructions the deployment needs"
