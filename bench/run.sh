#!/usr/bin/env bash
# Runs Pairgate's benchmark suite and writes, under bench/results/:
#   <stamp>.json            JMH results (-rf json)
#   <stamp>.footprint.json  retained heap per paired device (io.pairgate.bench.Footprint)
#   <stamp>.meta.json       machine, JDK, load, git commit
#   <stamp>.md              the Markdown table with every ratio (bench/report.py)
#
# Usage: bench/run.sh [quick|full] [extra JMH arguments, e.g. a benchmark regex]
#        bench/run.sh gateway [full|quick]   the side-by-side gateway benchmark (bench/gateway.sh):
#          ./pairgate gateway on store-json and SQLite and the real OpenClaw 2026.6.10 gateway
#   quick: every target. 1 fork, 1 x 1 s warm-up, 3 x 1 s measurement (benchmarks with
#          per-invocation setup also warm up in their @Setup); openStore 1 + 2 single shots
#   full:  adds diagnostic extras; 2 forks, 5 x 2 s warm-up, 5 x 2 s measurement; openStore
#          2 + 5 single shots
# With extra arguments only JMH runs (no interleaved check, no footprint): for development.
# Environment: PAIRGATE_BENCH_PG_URL (default jdbc:postgresql://127.0.0.1:5432/test?user=postgres),
#   PAIRGATE_BENCH_DIR (files; default <tmp>/pairgate-bench), JAVA (default: java on PATH).
set -euo pipefail

mode="${1:-quick}"
shift || true
if [[ "$mode" == gateway ]]; then
  exec "$(cd "$(dirname "$0")" && pwd)/gateway.sh" "${1:-full}"
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
java_bin="${JAVA:-java}"

# quick covers every target; full adds the diagnostic extras (legacy v2 connect, cached-key
# verify, decide from frame strings) and more iterations.
case "$mode" in
  quick) jmh_opts=(-f 1 -wi 1 -w 1s -i 3 -r 1s)
         extras='|connectLegacyV2|refBcVerifyCachedKey|FromStrings'
         open_opts=(-f 1 -wi 1 -i 2); slow_connect_opts=(-f 1 -wi 0 -i 1); ab_seconds=3 ;;
  full)  jmh_opts=(-f 2 -wi 5 -w 2s -i 5 -r 2s); extras=''
         open_opts=(-f 2 -wi 2 -i 5); slow_connect_opts=(-f 1 -wi 1 -i 3); ab_seconds=20 ;;
  *) echo "usage: $0 [quick|full] [JMH args] | $0 gateway [full|quick]" >&2; exit 2 ;;
esac
devices=100000

# Build the jar when it is missing or older than any source it is made of.
if [[ ! -f "$jar" ]] || [[ -n "$(find "$root" -path '*/src/main/*' -newer "$jar" -print -quit)" ]] \
    || [[ "$root/pom.xml" -nt "$jar" ]] || [[ "$here/pom.xml" -nt "$jar" ]]; then
  echo "== building $jar"
  (cd "$root" && ./mvnw -B -q -pl bench -am package -DskipTests)
fi

mkdir -p "$here/results"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
# Benchmark forks of this run share one writable copy of the 100 000-device store-json directory.
export PAIRGATE_BENCH_RUN="$stamp"
bench_dir="${PAIRGATE_BENCH_DIR:-/tmp/pairgate-bench}"  # java.io.tmpdir is /tmp on Linux
trap 'rm -rf "$bench_dir/run-$PAIRGATE_BENCH_RUN"' EXIT
out="$here/results/$stamp"
start_s=$(date +%s)

# The commit and the tree state when the run starts (the jar is built from them, or before).
commit_start="${PAIRGATE_BENCH_COMMIT:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
dirty_start="$( (git -C "$root" status --porcelain --untracked-files=no 2>/dev/null || true) | wc -l)"
[[ -n "${PAIRGATE_BENCH_COMMIT:-}" ]] && dirty_start=0
export commit_start dirty_start

load() { cut -d' ' -f1-3 /proc/loadavg; }
load_start="$(load)"

filter='^(# Benchmark:|# Parameters|# Warmup Iteration|Iteration|# Run complete)|Exception|Error'
if [[ $# -gt 0 ]]; then
  # Development: only the benchmarks named by the extra arguments.
  echo "== JMH ($mode, $*) -> $out.json"
  "$java_bin" -jar "$jar" "${jmh_opts[@]}" -rf json -rff "$out.json" "$@" 2>&1 | tee "$out.log" \
    | grep --line-buffered -E "$filter" || true
else
  # Everything but the single-shot benchmarks with the mode's settings; then openStore (one
  # open per iteration) and the store-json connect scaling check with fewer iterations.
  echo "== JMH ($mode) -> $out.json"
  "$java_bin" -jar "$jar" "${jmh_opts[@]}" -rf json -rff "$out.main.json" \
    -e "OpenStoreBench|StoreConnectBench$extras" \
    2>&1 | tee "$out.log" | grep --line-buffered -E "$filter" || true
  "$java_bin" -jar "$jar" "${open_opts[@]}" -rf json -rff "$out.open.json" OpenStoreBench \
    2>&1 | tee -a "$out.log" | grep --line-buffered -E "$filter" || true
  "$java_bin" -jar "$jar" "${slow_connect_opts[@]}" -rf json -rff "$out.slow.json" \
    StoreConnectBench 2>&1 | tee -a "$out.log" | grep --line-buffered -E "$filter" || true
  python3 - "$out.json" "$out.main.json" "$out.open.json" "$out.slow.json" <<'PY'
import json, os, sys
merged = []
for p in sys.argv[2:]:
    if os.path.exists(p):
        merged += json.load(open(p))
        os.remove(p)
json.dump(merged, open(sys.argv[1], "w"), indent=2)
PY

  echo "== interleaved A/B cross-check (${ab_seconds} s per pair)"
  "$java_bin" -Xms1g -Xmx1g -cp "$jar" io.pairgate.bench.Interleaved "$ab_seconds" \
    > "$out.interleaved.json" 2>>"$out.log"

  echo "== footprint ($devices devices)"
  "$java_bin" -Xms3g -Xmx3g -cp "$jar" io.pairgate.bench.Footprint "$devices" \
    > "$out.footprint.json" 2>>"$out.log"
fi
load_end="$(load)"

python3 - "$out.meta.json" "$mode" "$load_start" "$load_end" "$start_s" "$java_bin" "$root" <<'PY'
import json, os, platform, subprocess, sys, time
path, mode, l0, l1, t0, java, root = sys.argv[1:]
def sh(*cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, check=False)
        return r.stdout + r.stderr
    except OSError:
        return ""
cpu = ""
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip(); break
mem = ""
for line in open("/proc/meminfo"):
    if line.startswith("MemTotal"):
        mem = "%.1f GiB" % (int(line.split()[1]) / 1048576); break
meta = {
    "mode": mode,
    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(t0))),
    "wallSeconds": int(time.time()) - int(t0),
    "cpu": cpu, "cpus": os.cpu_count(), "memory": mem,
    "kernel": platform.release(),
    "java": " / ".join(sh(java, "-version").strip().splitlines()[:2]),
    "loadStart": l0, "loadEnd": l1,
    "commit": os.environ.get("commit_start", "unknown"),
    "uncommittedFiles": int(os.environ.get("dirty_start", "0") or 0),
}
json.dump(meta, open(path, "w"), indent=2)
PY

python3 "$here/report.py" "$out" > "$out.md"
echo "== wrote $out.json, $out.md ($(( $(date +%s) - start_s )) s)"
