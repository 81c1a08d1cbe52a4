#!/usr/bin/env bash
# Installs what Tavern needs (Debian 12), builds it, and runs the whole test suite with CTest.
#   scripts/test.sh              the normal build (build/)
#   scripts/test.sh asan         AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)
#   scripts/test.sh tsan         ThreadSanitizer with clang, jobs, core and store suites (build-tsan/)
# Set TAVERN_SKIP_INSTALL=1 to skip the package install (already done).
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-normal}
if [ "${TAVERN_SKIP_INSTALL:-0}" != 1 ]; then scripts/install-deps.sh; fi

jobs=$(nproc)
case "$variant" in
  normal)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
    cmake --build build -j "$jobs"
    ctest --test-dir build --output-on-failure -j "$jobs"
    ;;
  asan)
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
      -DTAVERN_SANITIZE="address;undefined" -DTAVERN_BUILD_BENCH=OFF
    cmake --build build-asan -j "$jobs"
    # DescriptorLimitTest runs a server with no descriptors to spare; UBSan's vptr check then
    # reports "invalid vptr" on valid objects because the sanitizer probes readable memory with a
    # pipe(), which fails with EMFILE there. The test runs in the normal build.
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --test-dir build-asan --output-on-failure -j "$jobs" -E DescriptorLimitTest
    ;;
  tsan)
    # GCC's TSan refuses atomic_thread_fence (moodycamel uses it); clang's does not.
    CC=clang CXX=clang++ cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DTAVERN_SANITIZE=thread -DTAVERN_BUILD_BENCH=OFF
    cmake --build build-tsan -j "$jobs" --target jobs_tests core_tests store_tests
    export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
    build-tsan/tests/jobs/jobs_tests
    build-tsan/tests/core/core_tests --gtest_filter=-*DescriptorLimitTest*  # see asan
    build-tsan/tests/store/store_tests  # the connection pool, the limiter, concurrent logins
    ;;
  *)
    echo "usage: scripts/test.sh [normal|asan|tsan]"; exit 2 ;;
esac
