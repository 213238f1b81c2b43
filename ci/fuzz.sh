#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz", clang) and fuzzes each one for SECONDS (default
# 30) from its committed corpus, copied to a temporary folder so the committed one never grows.
# Fails on any crash, leak, timeout or out-of-memory; the inputs that failed are kept in
# build/fuzz/artifacts/<target>/. Prints executions and coverage per target (docs/fuzzing.md).
# Usage: ci/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: ci/fuzz.sh [SECONDS]" >&2; exit 2; }

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

# target binary (under build/fuzz) and its committed corpus
targets=(
  "core/protocol/fuzz/fuzz_command core/protocol/fuzz/corpus/fuzz_command"
  "core/protocol/fuzz/fuzz_server_session core/protocol/fuzz/corpus/fuzz_server_session"
  "core/protocol/fuzz/fuzz_response_decoder core/protocol/fuzz/corpus/fuzz_response_decoder"
  "core/protocol/fuzz/fuzz_sasl core/protocol/fuzz/corpus/fuzz_sasl"
  "mockserver/fuzz/fuzz_scenario mockserver/fuzz/corpus/fuzz_scenario"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

status=0
printf '%-22s %12s %8s %8s %14s  %s\n' target executions cov ft corpus result
for entry in "${targets[@]}"; do
  read -r binary corpus <<<"$entry"
  name=$(basename "$binary")
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  cp "$corpus"/* "$work/$name/corpus/"
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=512 -malloc_limit_mb=256
           -print_final_stats=1 -artifact_prefix="$work/$name/artifacts/")
  # The scenario loader reads whole files: allow inputs up to its 64 KiB cap.
  [[ $name == fuzz_scenario ]] && options+=(-max_len=65536)
  result=ok
  # ASan's memory profile after an out-of-memory can take very long: bound the whole run.
  if ! timeout --kill-after=30 $((seconds + 300)) "build/fuzz/$binary" "${options[@]}" \
      "$work/$name/corpus" >"$work/$name/log" 2>&1; then
    result=FAILED
    status=1
  fi
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$name/log" | tail -n 1 || true)
  [[ -n $done_line ]] || done_line=$(grep -E '^#[0-9]+[[:space:]]' "$work/$name/log" | tail -n 1 || true)
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name/log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$done_line")
  printf '%-22s %12s %8s %8s %14s  %s\n' "$name" "${executions:-?}" "${cov:-?}" "${ft:-?}" \
    "${corp:-?}" "$result"
  if [[ $result != ok ]]; then
    kept="build/fuzz/artifacts/$name"
    mkdir -p "$kept"
    cp "$work/$name/artifacts/"* "$kept/" 2>/dev/null || true
    echo "---- $name log (last 60 lines); failing inputs in $kept/" >&2
    tail -n 60 "$work/$name/log" >&2
  fi
done
exit $status
