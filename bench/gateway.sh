#!/usr/bin/env bash
# The side-by-side gateway benchmark (issue 15 item 6), run by `bench/run.sh gateway [quick]`:
# ./pairgate gateway on store-json and on SQLite, and the real OpenClaw gateway 2026.6.10, each
# prepopulated with the same paired.json (100, 10 000 and 100 000 paired devices; quick: 100 and
# 1 000), measured by the Java load generator (io.pairgate.bench.GatewayBench, bench/WsLoad) on this
# machine. Writes bench/results/<stamp>.gateway.<target>-<n>.json, <stamp>.gateway.meta.json and
# <stamp>.gateway.md (the table, also printed).
# Environment: PAIRGATE_BENCH_DIR (work files; default /tmp/pairgate-bench), JAVA,
#   PAIRGATE_BENCH_GATEWAY_JAVA_OPTS (JVM options of the Pairgate gateway; default none),
#   PAIRGATE_BENCH_GATEWAY_TARGETS (default "json sqlite openclaw"),
#   PAIRGATE_BENCH_GATEWAY_SIZES (default by mode), PAIRGATE_OPENCLAW_CACHE (the install cache),
#   PAIRGATE_BENCH_GATEWAY_CLI_IMPORT_MAX (default 10000): larger fleets are prepopulated by
#   GatewayBench import (SQLite: the same OpenClawFiles import without per-row fsync; store-json:
#   1 000 devices imported, the rest cloned from device 0's imported file), because the CLI import
#   makes one durable write per device (10 000 took 128 s here).
set -euo pipefail
mode="${1:-full}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
cli_jar="$root/cli/target/pairgate-cli.jar"
java_bin="${JAVA:-java}"
token="tok-bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

case "$mode" in
  full)  sizes="${PAIRGATE_BENCH_GATEWAY_SIZES:-100 10000 100000}"
         phase=(--verify 3 --warmup 5 --quiet 15 --storm 15 --approvals 20 --approve-budget 60)
         ready_timeout=600 ;;
  quick) sizes="${PAIRGATE_BENCH_GATEWAY_SIZES:-100 1000}"
         phase=(--verify 1 --warmup 1 --quiet 3 --storm 3 --approvals 5 --approve-budget 20)
         ready_timeout=120 ;;
  *) echo "usage: $0 [full|quick]" >&2; exit 2 ;;
esac
targets="${PAIRGATE_BENCH_GATEWAY_TARGETS:-json sqlite openclaw}"

# Build what is missing or older than its sources (the same check as run.sh and ./pairgate).
if [[ ! -f "$jar" ]] || [[ -n "$(find "$root" -path '*/src/main/*' -newer "$jar" -print -quit)" ]]; then
  echo "== building $jar"
  (cd "$root" && ./mvnw -B -q -pl bench -am package -DskipTests)
fi
"$root/pairgate" --version >/dev/null  # builds the CLI jar when needed

mkdir -p "$here/results"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
out="$here/results/$stamp.gateway"
work="${PAIRGATE_BENCH_DIR:-/tmp/pairgate-bench}/gateway-$stamp"
mkdir -p "$work"
printf '%s\n' "$token" > "$work/token"; chmod 600 "$work/token"
started=()
cleanup() {
  for p in "${started[@]}"; do [[ -n "$p" ]] && stop "$p"; done
  rm -rf "$work"
}
# Stops a process this script started, and its descendants (OpenClaw's children), by their PIDs.
stop() {
  local pid="$1" kids k
  kids="$(ps -o pid= --ppid "$pid" 2>/dev/null || true)"
  kill "$pid" 2>/dev/null || true
  for k in $kids; do kill "$k" 2>/dev/null || true; done
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  for k in $kids; do kill -9 "$k" 2>/dev/null || true; done
  wait "$pid" 2>/dev/null || true
}
trap cleanup EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
load_start="$(load)"
start_s=$(date +%s)
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$( (git -C "$root" status --porcelain --untracked-files=no 2>/dev/null || true) | wc -l)"

bench() { "$java_bin" -cp "$jar" io.pairgate.bench.GatewayBench "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [[ " $targets " == *" openclaw "* ]]; then
  echo "== OpenClaw 2026.6.10 (installed with the tests' OpenClawInstall, cached)"
  eval "$(bench install)"
fi

measure() {  # target n url pid
  local target="$1" n="$2" url="$3" pid="$4"
  echo "== measure $target, $n devices ($url, pid $pid, load $(load))"
  bench measure --url "$url" --token "$token" --devices "$n" --pid "$pid" \
    --ready-timeout "$ready_timeout" --family "$stamp-$target-$n" "${phase[@]}" \
    --out "$out.$target-$n.json" 2>&1 | sed -u 's/^/   /'
}

for n in $sizes; do
  state="$work/oc-$n/state"
  echo "== paired.json with $n devices"
  bench populate --devices "$n" --state "$state"
  for target in $targets; do
    case "$target" in
      json|sqlite)
        if [[ "$target" == json ]]; then store=(--store "$work/pg-json-$n");
        else store=(--jdbc "jdbc:sqlite:$work/pg-$n.db"); fi
        t0=$(date +%s.%N)
        if (( n <= ${PAIRGATE_BENCH_GATEWAY_CLI_IMPORT_MAX:-10000} )); then
          import_how="pairgate store import-openclaw"
          "$java_bin" -jar "$cli_jar" store import-openclaw "${store[@]}" "$state" > "$work/import.log" 2>&1 \
            || { cat "$work/import.log"; exit 1; }
        elif [[ "$target" == json ]]; then
          import_how="1000 imported, the rest cloned"
          bench import --state "$state" --store "$work/pg-json-$n" --through 1000 > "$work/import.log" 2>&1 \
            || { cat "$work/import.log"; exit 1; }
        else
          import_how="OpenClawFiles import, durableCommits(false)"
          bench import --state "$state" --sqlite "$work/pg-$n.db" > "$work/import.log" 2>&1 \
            || { cat "$work/import.log"; exit 1; }
        fi
        import_s=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
        echo "   imported into $target in ${import_s} s ($import_how)"
        log="$work/gw-$target-$n.log"
        # shellcheck disable=SC2086
        "$java_bin" ${PAIRGATE_BENCH_GATEWAY_JAVA_OPTS:-} -jar "$cli_jar" "${store[@]}" gateway --port 0 \
          --token-file "$work/token" --no-auto-approve-local --trusted-proxy 127.0.0.1 \
          --no-console > "$log" 2>&1 &
        pid=$!; started+=("$pid")
        url=""
        for _ in $(seq 1 1200); do
          url="$(grep -oE 'ws://127\.0\.0\.1:[0-9]+' "$log" | head -1 || true)"
          [[ -n "$url" ]] && break
          kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
          sleep 0.5
        done
        [[ -n "$url" ]] || { echo "gateway did not start: $(tail -5 "$log")"; exit 1; }
        measure "$target" "$n" "$url" "$pid"
        python3 - "$out.$target-$n.json" "$import_s" "$import_how" <<'PY'
import json, sys
p = sys.argv[1]; r = json.load(open(p)); r["importSeconds"] = float(sys.argv[2])
r["importMethod"] = sys.argv[3]
json.dump(r, open(p, "w"), indent=2)
PY
        stop "$pid"; started=("${started[@]/$pid}")
        ;;
      openclaw)
        home="$work/oc-$n/home"; mkdir -p "$home"
        port="$(free_port)"
        cat > "$state/openclaw.json" <<EOF
{
  "gateway": { "mode": "local", "bind": "loopback", "port": $port,
               "auth": { "mode": "token", "token": "$token" } },
  "discovery": { "mdns": { "mode": "off" } },
  "update": { "checkOnStart": false },
  "logging": { "file": "$home/openclaw.log" }
}
EOF
        (cd "$home" && exec env -i PATH="$(dirname "$NODE"):/usr/bin:/bin" HOME="$home" \
          OPENCLAW_STATE_DIR="$state" OPENCLAW_CONFIG_PATH="$state/openclaw.json" \
          OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_SKIP_CANVAS_HOST=1 OPENCLAW_SKIP_CRON=1 \
          OPENCLAW_SKIP_GMAIL_WATCHER=1 OPENCLAW_NO_AUTO_UPDATE=1 \
          "$NODE" "$OPENCLAW_MJS" gateway run --allow-unconfigured --bind loopback \
          --port "$port" --auth token --token "$token") > "$home/stdout.log" 2>&1 &
        pid=$!; started+=("$pid")
        # the measure's ready phase waits (up to $ready_timeout s) for the first hello-ok
        measure openclaw "$n" "ws://127.0.0.1:$port" "$pid"
        stop "$pid"; started=("${started[@]/$pid}")
        ;;
      *) echo "unknown target $target" >&2; exit 2 ;;
    esac
  done
  rm -rf "$work/oc-$n" "$work/pg-json-$n" "$work/pg-$n.db"*
done

load_end="$(load)"
python3 - "$out.meta.json" "$mode" "$load_start" "$load_end" "$start_s" "$java_bin" "$commit" "$dirty" <<'PY'
import json, os, platform, subprocess, sys, time
path, mode, l0, l1, t0, java, commit, dirty = sys.argv[1:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")
mem = next(("%.1f GiB" % (int(l.split()[1]) / 1048576) for l in open("/proc/meminfo") if l.startswith("MemTotal")), "")
jv = subprocess.run([java, "-version"], capture_output=True, text=True)
json.dump({"mode": mode, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(t0))),
           "wallSeconds": int(time.time()) - int(t0), "cpu": cpu, "cpus": os.cpu_count(),
           "memory": mem, "kernel": platform.release(),
           "java": " / ".join((jv.stdout + jv.stderr).strip().splitlines()[:2]),
           "loadStart": l0, "loadEnd": l1, "commit": commit, "uncommittedFiles": int(dirty)},
          open(path, "w"), indent=2)
PY
python3 "$here/gateway_report.py" "$out" | tee "$out.md"
echo "== wrote $out.*.json and $out.md ($(( $(date +%s) - start_s )) s)"
