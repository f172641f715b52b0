#!/usr/bin/env bash
# Installs every Debian package dnngen needs. Idempotent, and fast when everything is
# already present (dpkg query only, no apt-get update). Run as root (or with sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake make g++ pkg-config clang-format git
  clang libclang-rt-14-dev
  verilator yosys iverilog
  opensta nextpnr-ice40 qflow-tech-osu018
  libyaml-cpp-dev libboost-dev libboost-program-options-dev
  libgtest-dev nlohmann-json3-dev libfmt-dev libsystemc-dev
  libonnx-dev libprotobuf-dev
  python3 python3-numpy zlib1g-dev python3-onnx python3-sklearn
  time  # /usr/bin/time -v: wall time and peak memory in scripts/bench_scale.sh
  # testbench/slurm starts its own private munged/slurmctld/slurmd; the system services
  # these packages install are neither used nor needed.
  slurmctld slurmd slurm-client munge
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root or sudo" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
