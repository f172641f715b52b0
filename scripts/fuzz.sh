#!/usr/bin/env bash
# Fuzzes the readers of user files with libFuzzer (clang from Debian): the YAML config
# loader, the .npy reader, the workload CSV reader and the Liberty reader
# (testbench/fuzz/fuzz_targets.hpp). Builds them with -fsanitize=fuzzer,address,undefined
# in build-fuzz/, runs each for FUZZ_SECONDS (default 600) from the seed corpus in
# testbench/fuzz/corpus/<target>/ (new inputs go to build-fuzz/corpus/<target>/), and
# prints one line per target. Each run stops an input after 10 s (-timeout) and at 2 GB.
# A finding lands in build-fuzz/findings/<target>/: copy it
# into the seed corpus as crash-<name>, fix the reader, and ctest fuzz_corpus keeps it.
#
#   scripts/fuzz.sh [TARGET...]        FUZZ_SECONDS=N, FUZZ_BUILD=DIR
# Exit status: 0 no finding, 1 a finding (or a build failure).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-600}
TARGETS=("$@")
[[ ${#TARGETS[@]} -eq 0 ]] && TARGETS=(config_yaml npy workload_csv liberty onnx idx)

sanitize="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
mkdir -p "$BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDNNGEN_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="$sanitize" -DCMAKE_EXE_LINKER_FLAGS="$sanitize" >"$BUILD/configure.log" 2>&1 ||
  { tail -20 "$BUILD/configure.log"; exit 1; }
cmake --build "$BUILD" -j "${JOBS:-2}" --target "${TARGETS[@]/#/fuzz_}" >"$BUILD/build.log" 2>&1 ||
  { tail -30 "$BUILD/build.log"; exit 1; }

status=0
for t in "${TARGETS[@]}"; do
  corpus="$BUILD/corpus/$t" findings="$BUILD/findings/$t"
  mkdir -p "$corpus" "$findings"
  log="$BUILD/$t.log"
  stamp="$BUILD/$t.started"  # findings of earlier runs stay, but are not this run's
  touch "$stamp"
  set +e
  "$BUILD/testbench/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$findings/" "$corpus" "$ROOT/testbench/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  found=$(find "$findings" -type f -newer "$stamp" | wc -l)
  printf 'fuzz %-13s %5s s  %10s execs  %7s exec/s  cov %5s  corpus %5s  findings %s  (exit %s)\n' \
    "$t" "$SECONDS_EACH" "$runs" "$rate" "$cov" "$(find "$corpus" -type f | wc -l)" "$found" "$rc"
  if [[ $rc -ne 0 || $found -ne 0 ]]; then
    status=1
    grep -m3 -E 'ERROR|SUMMARY|terminate|what\(\)' "$log" | sed 's/^/    /' || true
  fi
done
exit $status
