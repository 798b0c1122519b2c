#!/usr/bin/env bash
# Fuzzes Pairgate's @FuzzTest targets with Jazzer, one at a time, at the lowest CPU priority.
#
#   ./fuzz.sh                      every target, 10 minutes each
#   ./fuzz.sh CidrFuzzTest ...     the named targets
#   JAZZER_MAX_DURATION=30m ./fuzz.sh ProofFuzzTest
#
# A finding stops that target's run; Jazzer writes the input as crash-<sha1> into the target's
# src/test/resources/.../<Class>Inputs/<method>/ folder, where every ordinary build (regression
# mode) replays it. The growing corpus stays in <module>/.cifuzz-corpus/ (not committed). Each run's
# log is .fuzzlogs/<Class>.log; the summary line (executions, duration, result) is printed at the end.
# See docs/security-fuzzing.md.
set -u
cd "$(dirname "$0")"
declare -A MODULE=(
  [PublicKeyFuzzTest]=core [ProofFuzzTest]=core [ForwardedHeadersFuzzTest]=core [CidrFuzzTest]=core
  [StoreJsonRecordFuzzTest]=store-json [OpenClawImportFuzzTest]=store-json
  [JdbcRecordCodecFuzzTest]=store-jdbc [ScenarioVectorFuzzTest]=testkit
  [RecordJsonFuzzTest]=testkit
)
ORDER=(PublicKeyFuzzTest ProofFuzzTest ForwardedHeadersFuzzTest CidrFuzzTest StoreJsonRecordFuzzTest
  JdbcRecordCodecFuzzTest OpenClawImportFuzzTest ScenarioVectorFuzzTest RecordJsonFuzzTest)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${ORDER[@]}")
export JAZZER_FUZZ=1
export JAZZER_MAX_DURATION="${JAZZER_MAX_DURATION:-10m}"
mkdir -p .fuzzlogs
for t in "${targets[@]}"; do
  m="${MODULE[$t]:-}"
  if [ -z "$m" ]; then echo "unknown target $t (known: ${ORDER[*]})" >&2; exit 2; fi
  log=".fuzzlogs/$t.log"
  start=$(date -u +%Y-%m-%dT%H:%M:%SZ); t0=$(date +%s)
  nice -n 19 ./mvnw -B -pl "$m" -am test -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.instrument='io.pairgate.**' >"$log" 2>&1
  rc=$?; secs=$(( $(date +%s) - t0 ))
  runs=$(grep -ho 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$log" | tail -1)
  finding=$(grep -h 'FuzzTestFindingException' "$log" | head -1 | cut -c1-300)
  echo "$t start=$start wall=${secs}s rc=$rc ${runs:-no run summary} (${cov}) ${finding:+FINDING: $finding}" | tee -a .fuzzlogs/summary.txt
done
