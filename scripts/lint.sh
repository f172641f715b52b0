#!/usr/bin/env bash
# Lint gate for rtl/: every check must pass with no warning at all.
#
#   1. Verilator 5 `--lint-only -Wall` on every .sv file, that file's module as the top
#      (default parameters), the other RTL directories on the search path.
#   2. Verilator on dnn_systolic_top at a set of parameter sets (-G), both dataflows:
#      defaults, 1x1, 3x5, unsigned, saturating with AccBits 20, int16.
#   3. Yosys 0.23: read everything and `synth` every module (default parameters), and
#      the top at a small configuration for both dataflows.
#   4. The other engines' tops at the parameter sets in rtl/filelists/<variant>.lint.
#   5. Parameter checks: the bad parameter sets in rtl/filelists/*.lint must fail
#      elaboration in both tools with the module's own message.
#
# Packages (rtl/**/*_pkg.sv) are read first by every check: modules refer to them by
# qualified name (dnn_pkg::idx_bits), which Verilator resolves only when the package has
# been read (it does not search the include path for packages).
#
# Waivers, if one is ever needed, go in rtl/lint.vlt, scoped to a file and a message,
# each with its reason; there are none today. The only Yosys message tolerated is
# "Replacing memory ... with list of registers": Yosys prints it for every small
# unpacked array written in a loop or under an asynchronous reset (skew stages, PE
# weight banks, array links), which it keeps as flip-flops, as intended. STYLE.md
# allows internal unpacked arrays.
#
# Usage: scripts/lint.sh [-j N]     (JOBS=N works too; default 2)
# Exit status: 0 clean, 1 any warning or error (each failure printed with its command).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RTL="$ROOT/rtl"
JOBS=${JOBS:-2}
if [[ ${1:-} == "-j" && -n ${2:-} ]]; then JOBS=$2; fi

for tool in verilator yosys; do
  if ! command -v "$tool" >/dev/null; then
    echo "lint.sh: $tool not found on PATH" >&2
    exit 1
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dnngen-lint-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
START=$EPOCHREALTIME

# Packages first: Yosys needs them read before the modules that use them.
mapfile -t SOURCES < <({ (cd "$RTL" && find . -name '*_pkg.sv' | sort | sed "s|^\./|$RTL/|"); (cd "$RTL" && find . -name '*.sv' ! -name '*_pkg.sv' | sort | sed "s|^\./|$RTL/|"); })
mapfile -t PACKAGES < <(printf '%s\n' "${SOURCES[@]}" | grep '_pkg\.sv$')
mapfile -t DIRS < <(for f in "${SOURCES[@]}"; do dirname "$f"; done | sort -u)
SEARCH=()
for d in "${DIRS[@]}"; do SEARCH+=("-I$d"); done
WAIVERS=()
[[ -f "$RTL/lint.vlt" ]] && WAIVERS=("$RTL/lint.vlt")
BENIGN='^Warning: Replacing memory .* with list of registers'

NAMES=()
COMMANDS=()

# check NAME CMD...: runs CMD in the background (at most $JOBS at a time); it passes if
# it exits 0 and prints no warning or error.
# check_fails NAME MESSAGE CMD...: the same, but passes only if CMD exits non-zero and its
# output contains MESSAGE (a parameter check refusing a bad parameter set).
check() {
  run_check "" "$@"
}
check_fails() {
  local name=$1 message=$2
  shift 2
  run_check "$message" "$name" "$@"
}
run_check() {
  local expect=$1 name=$2
  shift 2
  while (($(jobs -rp | wc -l) >= JOBS)); do wait -n; done
  local id=${#NAMES[@]}
  NAMES+=("$name")
  COMMANDS+=("$(printf '%q ' "$@")")
  (
    start=$EPOCHREALTIME
    "$@" >"$WORK/$id.log" 2>&1
    rc=$?
    seconds=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%5.1f s", b - a }')
    if [[ -n $expect ]]; then
      if ((rc != 0)) && grep -qF "$expect" "$WORK/$id.log"; then
        echo "ok    $seconds (refused, as it must)" >"$WORK/$id.result"
      else
        echo "FAIL  $seconds exit $rc, expected a refusal naming '$expect'" >"$WORK/$id.result"
      fi
    elif ((rc == 0)) && ! grep -Ev "$BENIGN" "$WORK/$id.log" | grep -qE '^%(Warning|Error)|^Warning:|^ERROR:'; then
      echo "ok    $seconds" >"$WORK/$id.result"
    else
      echo "FAIL  $seconds exit $rc" >"$WORK/$id.result"
    fi
  ) &
}

VERILATOR=(verilator --lint-only -Wall "${SEARCH[@]}" "${WAIVERS[@]}" "${PACKAGES[@]}")

# Above the SRAM itself, dnn_sram_1r1w is a black box, as in `dnngen synth`: mapping a
# core's KiB buffers to flip-flops would only make the check slow.
yosys_script() {  # yosys_script TOP [chparam args]: the script for `yosys -p`
  local script="read_verilog -sv -DSYNTHESIS ${SOURCES[*]}"
  local macro=""
  [[ $1 != dnn_sram_1r1w ]] && macro=yes
  # Derived copies carry hdlname; an instance with default parameters uses the module
  # itself, marked here (the same selection as model/src/synth/synth.cpp).
  [[ $macro ]] && script+="; setattr -mod -set dnngen_macro 1 dnn_sram_1r1w"
  [[ -n ${2:-} ]] && script+="; chparam $2 $1"
  script+="; hierarchy -check -top $1"
  # A chparam'd module that other modules also instantiate keeps its derived $paramod name
  # after hierarchy (Yosys 0.23): name the top back so synth -top finds it.
  [[ -n ${2:-} ]] && script+="; rename -top $1"
  [[ $macro ]] && script+="; blackbox A:hdlname=\\dnn_sram_1r1w A:dnngen_macro"
  echo "$script; ${YOSYS_PASS:-synth -top $1}"
}

# 1. every file on its own
for f in "${SOURCES[@]}"; do
  module=$(basename "$f" .sv)
  if [[ $module == *_pkg ]]; then  # already on the command line
    check "verilator ${f#"$ROOT"/}" "${VERILATOR[@]}" --top-module "$module"
  else
    check "verilator ${f#"$ROOT"/}" "${VERILATOR[@]}" --top-module "$module" "$f"
  fi
done

# 2. the top at several configurations, both dataflows
TOP_FILE="$RTL/systolic/dnn_systolic_top.sv"
PARAM_SETS=(
  ""
  "-GNumRows=1 -GNumCols=1 -GMaxM=1 -GMaxN=1 -GMaxK=1"
  "-GNumRows=3 -GNumCols=5 -GMaxM=7 -GMaxN=11 -GMaxK=13"
  "-GSigned=0 -GAccBits=24"
  "-GSaturate=1 -GAccBits=20"
  "-GInBits=16 -GWBits=16 -GAccBits=48 -GNumRows=2 -GNumCols=3"
)
for dataflow in 0 1; do
  for params in "${PARAM_SETS[@]}"; do
    # shellcheck disable=SC2086  # word splitting of the -G list is intended
    check "verilator dnn_systolic_top -GDataflow=$dataflow $params" \
      "${VERILATOR[@]}" --top-module dnn_systolic_top "$TOP_FILE" "-GDataflow=$dataflow" $params
  done
done

# 3. Yosys: every module at its defaults, then the top small, both dataflows. A module a
#    list names in a `yosys-defaults-elsewhere TOP WHERE` line is synthesized at its defaults
#    (or the configuration's equal) by the test WHERE names, so not here again.
mapfile -t ELSEWHERE < <(cat "$RTL"/filelists/*.lint 2>/dev/null | awk '$1 == "yosys-defaults-elsewhere" { print $2 }')
for f in "${SOURCES[@]}"; do
  module=$(basename "$f" .sv)
  [[ $module == *_pkg ]] && continue
  if printf '%s\n' "${ELSEWHERE[@]}" | grep -qx "$module"; then continue; fi
  check "yosys synth $module" yosys -q -p "$(yosys_script "$module")"
done
for dataflow in 0 1; do
  small="-set NumRows 2 -set NumCols 3 -set MaxM 8 -set MaxN 8 -set MaxK 8 -set Dataflow $dataflow"
  check "yosys synth dnn_systolic_top ($small)" yosys -q -p "$(yosys_script dnn_systolic_top "$small")"
done

# 4. Other engine variants: rtl/filelists/<variant>.lint lists, one per line,
#      verilator TOP -GName=V ...     a Verilator -Wall run of TOP at those parameters
#      yosys TOP -set Name V ...      a Yosys synth of TOP at those parameters
#      yosys-elaborate TOP -set Name V ...  Yosys reads and elaborates TOP there (hierarchy,
#                                     proc), for a variant whose modules are synthesized
#                                     elsewhere and whose own synth would take minutes
#    (blank lines and # comments skipped).
# 5. and, in any of those lists, parameter sets that must be refused:
#      verilator-refuses TOP -GName=V ...   Verilator fails, naming TOP in its message
#      yosys-refuses TOP -set Name V ...    Yosys fails, naming TOP in its message
#    (and `yosys-defaults-elsewhere TOP WHERE`, read by step 3).
for list in "$RTL"/filelists/*.lint; do
  [[ -f $list ]] || continue
  while read -r tool top params; do
    [[ -z $tool || $tool == \#* ]] && continue
    case $tool in
      verilator)
        # shellcheck disable=SC2086  # word splitting of the -G list is intended
        check "verilator $top $params" "${VERILATOR[@]}" --top-module "$top" "$(find "$RTL" -name "$top.sv")" $params ;;
      yosys)
        check "yosys synth $top ($params)" yosys -q -p "$(yosys_script "$top" "$params")" ;;
      verilator-refuses)
        # shellcheck disable=SC2086  # word splitting of the -G list is intended
        check_fails "verilator refuses $top $params" "$top: " \
          "${VERILATOR[@]}" --top-module "$top" "$(find "$RTL" -name "$top.sv")" $params ;;
      yosys-refuses)
        check_fails "yosys refuses $top ($params)" "$top: " yosys -q -p "$(yosys_script "$top" "$params")" ;;
      yosys-elaborate)
        check "yosys elaborate $top ($params)" yosys -q -p "$(YOSYS_PASS="proc; opt_clean" yosys_script "$top" "$params")" ;;
      yosys-defaults-elsewhere) ;;  # step 3
      *)
        echo "lint.sh: $list: unknown tool '$tool' (expected verilator, yosys, yosys-elaborate, verilator-refuses, yosys-refuses or yosys-defaults-elsewhere)" >&2
        exit 1 ;;
    esac
  done <"$list"
done

wait
failed=0
for id in "${!NAMES[@]}"; do
  result=$(cat "$WORK/$id.result" 2>/dev/null || echo "FAIL  no result")
  echo "$result  ${NAMES[$id]}"
  if [[ $result != ok* ]]; then
    failed=$((failed + 1))
    echo "      command: ${COMMANDS[$id]}"
    grep -Ev "$BENIGN" "$WORK/$id.log" | head -40 | sed 's/^/      | /'
  fi
done
ELAPSED=$(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "lint.sh: ${#NAMES[@]} checks, $failed failed, $ELAPSED s"
((failed == 0))
