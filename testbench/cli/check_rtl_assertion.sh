#!/usr/bin/env bash
# An RTL assertion that fires during co-simulation fails the run like a mismatch: exit 1,
# a JSON report with pass false and the count, and the replay line (issue 11: it used to
# abort the simulator, exit 134, with neither). The RTL is a copy of rtl/ in which
# dnn_job_ctrl's "finish while idle" check is made to fire every cycle.
#
#   testbench/cli/check_rtl_assertion.sh DNNGEN SOURCE_DIR
set -euo pipefail
dnngen=$1 src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/dnngen-assert-XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$src/rtl" "$work/rtl"
sed -i 's/if (finish_i \&\& !busy_q) \$error/if (1'"'"'b1) $error/' "$work/rtl/common/dnn_job_ctrl.sv"
grep -q "if (1'b1) \$error" "$work/rtl/common/dnn_job_ctrl.sv" || { echo "could not plant the assertion"; exit 1; }
set +e
DNNGEN_RTL_DIR="$work/rtl" DNNGEN_CACHE="$work/cache" "$dnngen" cosim "$src/configs/systolic_ws_4x4_int8.yaml" \
  --random --count 2 --quiet --json "$work/r.json" >"$work/out.log" 2>&1
rc=$?
set -e
cat "$work/out.log" | tail -5
[[ $rc -eq 1 ]] || { echo "expected exit 1, got $rc"; exit 1; }
grep -q '"pass": false' "$work/r.json" || { echo "JSON does not say pass false"; exit 1; }
grep -q '"rtl_assertions": [1-9]' "$work/r.json" || { echo "JSON does not count the assertions"; exit 1; }
grep -q '^replay: dnngen cosim' "$work/out.log" || { echo "no replay line"; exit 1; }
echo "RTL assertion reported as a failure: exit 1, JSON, replay line"
