#!/usr/bin/env bash
# Runs Pairgate's benchmark suite and writes, under bench/results/:
#   <stamp>.json            JMH results (-rf json)
#   <stamp>.footprint.json  retained heap per paired device (io.pairgate.bench.Footprint)
#   <stamp>.meta.json       machine, JDK, load, git commit
#   <stamp>.md              the Markdown table with every ratio (bench/report.py)
#
# Usage: bench/run.sh [quick|full] [extra JMH arguments, e.g. a benchmark regex]
#   quick: 1 fork, 2 x 1 s warm-up, 3 x 1 s measurement (under 5 minutes)
#   full:  2 forks, 5 x 2 s warm-up, 5 x 2 s measurement
# Environment: PAIRGATE_BENCH_PG_URL (default jdbc:postgresql://127.0.0.1:5432/test?user=postgres),
#   PAIRGATE_BENCH_DIR (files; default <tmp>/pairgate-bench), JAVA (default: java on PATH).
set -euo pipefail

mode="${1:-quick}"
shift || true
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
java_bin="${JAVA:-java}"

case "$mode" in
  quick) jmh_opts=(-f 1 -wi 2 -w 1s -i 3 -r 1s); devices=100000 ;;
  full)  jmh_opts=(-f 2 -wi 5 -w 2s -i 5 -r 2s); devices=100000 ;;
  *) echo "usage: $0 [quick|full] [JMH args]" >&2; exit 2 ;;
esac

# Build the jar when it is missing or older than any source it is made of.
if [[ ! -f "$jar" ]] || [[ -n "$(find "$root" -path '*/src/main/*' -newer "$jar" -print -quit)" ]] \
    || [[ "$root/pom.xml" -nt "$jar" ]] || [[ "$here/pom.xml" -nt "$jar" ]]; then
  echo "== building $jar"
  (cd "$root" && ./mvnw -B -q -pl bench -am package -DskipTests)
fi

mkdir -p "$here/results"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
out="$here/results/$stamp"
start_s=$(date +%s)

load() { cut -d' ' -f1-3 /proc/loadavg; }
load_start="$(load)"

echo "== JMH ($mode) -> $out.json"
"$java_bin" -jar "$jar" "${jmh_opts[@]}" -rf json -rff "$out.json" "$@" 2>&1 | tee "$out.log" \
  | grep -E '^(# Benchmark:|# Parameters|Iteration|# Run complete)|Exception' || true

if [[ $# -eq 0 ]]; then
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
    "commit": sh("git", "-C", root, "rev-parse", "--short", "HEAD").strip(),
}
json.dump(meta, open(path, "w"), indent=2)
PY

python3 "$here/report.py" "$out" > "$out.md"
echo "== wrote $out.json, $out.md ($(( $(date +%s) - start_s )) s)"
