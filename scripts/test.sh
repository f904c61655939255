#!/usr/bin/env bash
# The README's second command: install what is needed, build, and run every test with ctest:
#   1. the normal build (RelWithDebInfo): unit, integration, cross-check, conformance tests,
#      and the fuzz targets replaying their seed corpus;
#   2. an AddressSanitizer + UndefinedBehaviorSanitizer build of the same tests;
#   3. the libFuzzer targets built with clang, each fuzzed for a bounded time;
# after checking that the C++ sources are formatted (.clang-format).
# ccache keeps rebuilds cheap; -j2 matches the 2-core machines.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

jobs=${KYSO_JOBS:-2}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-2G}

run_suite() {  # NAME BUILD_DIR CTEST_ARGS CMAKE_ARGS...
  local name=$1 dir=$2 ctest_args=$3
  shift 3
  echo "== [$name] configure and build in $dir"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  ninja -C "$dir" -j "$jobs"
  echo "== [$name] ctest"
  # shellcheck disable=SC2086  # ctest_args is a word list on purpose
  (cd "$dir" && ctest -j "$jobs" --output-on-failure --timeout 600 $ctest_args)
}

echo "== [format] clang-format --dry-run over the C++ sources"
git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror

run_suite release build "" -DCMAKE_BUILD_TYPE=RelWithDebInfo
run_suite asan build-asan "" -DCMAKE_BUILD_TYPE=Debug -DKYSO_SANITIZE=ON -DKYSO_BUILD_BENCH=OFF
if [ "${KYSO_SKIP_FUZZ:-0}" != 1 ]; then
  # Only the fuzz-labelled tests here: the other tests already ran in the two builds above.
  CC=clang CXX=clang++ run_suite fuzz build-fuzz "-L fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKYSO_FUZZ=ON \
    -DKYSO_BUILD_BENCH=OFF
fi
