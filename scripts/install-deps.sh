#!/usr/bin/env bash
# Installs every build, test and demo dependency of kyso from Debian bookworm packages.
# Idempotent: packages already present are left alone, so a warm machine pays one dpkg query.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  clang-format clang-tidy
  # crypto engines
  openssl libssl-dev libbotan-2-dev
  # RPC (gRPC's CMake config needs protobuf-compiler-grpc; libgrpc++-dev does not pull protobuf)
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  # libraries
  libxml2-dev libcurl4-openssl-dev libsqlite3-dev prometheus-cpp-dev libspdlog-dev libfmt-dev
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libarchive-dev
  # the kyso program's allocator (many small allocations per document, on every worker thread)
  libjemalloc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev xmlsec1 python3 python3-lxml python3-cryptography curl strace
  # kyso batch's HTML report is rendered by headless Chromium in a test, its numbers read back by OCR
  chromium tesseract-ocr
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all packages present" >&2
fi
