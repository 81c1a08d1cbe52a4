#!/usr/bin/env bash
# Prepares everything the Windows (mingw-w64 + Wine) build needs, on Debian 12, as root or
# with sudo. Idempotent: what is already there (and of the same version) is not redone, so a
# second run takes a second or two.
#
#   - Debian packages: mingw-w64 (posix threads), wine64, cmake, ninja, and the Debian packages
#     whose sources or headers the Windows build reuses (googletest, protobuf, spdlog, fmt, CLI11,
#     concurrentqueue), plus what the host build of protoc-gen-tavern needs.
#   - A prefix of Windows libraries, OUTSIDE the repository:
#       $TAVERN_WIN_DEPS_DIR/prefix   (default ${XDG_CACHE_HOME:-$HOME/.cache}/tavern-win-deps)
#     GoogleTest built from /usr/src/googletest; libprotobuf (the full runtime: the packet_id
#     option needs descriptor.proto) cross-built from Debian's protobuf source package; the
#     spdlog, fmt, CLI11 and concurrentqueue headers with small CMake package files
#     (spdlog and fmt are used header-only on Windows: SPDLOG_HEADER_ONLY, FMT_HEADER_ONLY).
#   - A Wine prefix: $TAVERN_WIN_DEPS_DIR/wine (override with WINEPREFIX).
#
# Prints the dependency prefix on its last line.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEPS="${TAVERN_WIN_DEPS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tavern-win-deps}"
PREFIX="$DEPS/prefix"
STAMPS="$DEPS/stamps"
TOOLCHAIN="$REPO/cmake/toolchains/mingw-w64-x86_64.cmake"
JOBS="${TAVERN_JOBS:-$(nproc)}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

log() { echo "prepare-deps: $*" >&2; }

# --- Debian packages ----------------------------------------------------------------------------
PACKAGES=(
  # the cross toolchain and the runner
  g++-mingw-w64-x86-64-posix wine64 cmake ninja-build dpkg-dev
  # sources and headers reused for Windows
  googletest libconcurrentqueue-dev libspdlog-dev libfmt-dev libcli11-dev protobuf-compiler
  # the host build of protoc-gen-tavern (and the Linux test client)
  build-essential pkg-config liburing-dev libprotobuf-dev libprotoc-dev
)
missing=()
for package in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)"
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

WINE64="$(dpkg -L wine64 | grep -E '/wine64$' | head -n 1)"
[ -x "$WINE64" ] || { log "no wine64 loader in the wine64 package"; exit 1; }

version_of() { dpkg-query -W -f='${Version}' "$1"; }
toolchain_hash="$(sha256sum "$TOOLCHAIN" | cut -c1-16)"
# stamp NAME CONTENT: true when $STAMPS/NAME already holds CONTENT (that work is done).
stamp_is() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
stamp_set() { mkdir -p "$STAMPS"; echo "$2" > "$STAMPS/$1"; }

mkdir -p "$PREFIX/include" "$PREFIX/lib/cmake" "$DEPS/src"

cross_configure() {  # source dir, build dir, extra cmake arguments...
  local source="$1" build="$2"
  shift 2
  cmake -S "$source" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" -DTAVERN_WIN_DEPS="$PREFIX" \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" "$@" > "$build.configure.log" 2>&1 ||
    { cat "$build.configure.log" >&2; return 1; }
}

# --- Header-only libraries, with CMake package files ---------------------------------------------
# Debian's packages' CMake files point at /usr/include and at Linux shared libraries; a cross
# build must not see either, so the headers are copied and described here.
write_interface_package() {  # name, target, version, compile definitions, link libraries, deps
  local name="$1" target="$2" version="$3" defines="$4" links="$5" deps="$6"
  local dir="$PREFIX/lib/cmake/$name"
  mkdir -p "$dir"
  cat > "$dir/${name}Config.cmake" <<EOF
# Written by Tavern's scripts/windows/prepare-deps.sh: $name $version, headers only.
include(CMakeFindDependencyMacro)
foreach(_dep $deps)
  find_dependency(\${_dep})
endforeach()
get_filename_component(_${name}_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET $target)
  add_library($target INTERFACE IMPORTED)
  set_target_properties($target PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "\${_${name}_prefix}/include"
    INTERFACE_COMPILE_DEFINITIONS "$defines"
    INTERFACE_LINK_LIBRARIES "$links")
endif()
set(${name}_FOUND TRUE)
EOF
  cat > "$dir/${name}ConfigVersion.cmake" <<EOF
set(PACKAGE_VERSION "$version")
if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()
EOF
}

headers_version="$(version_of libconcurrentqueue-dev) $(version_of libspdlog-dev) $(version_of libfmt-dev) $(version_of libcli11-dev)"
if ! stamp_is headers "$headers_version"; then
  log "copying the concurrentqueue, spdlog, fmt and CLI11 headers"
  rm -rf "$PREFIX/include/concurrentqueue" "$PREFIX/include/spdlog" "$PREFIX/include/fmt" \
         "$PREFIX/include/CLI"
  cp -r /usr/include/concurrentqueue /usr/include/spdlog /usr/include/fmt /usr/include/CLI \
        "$PREFIX/include/"
  fmt_version="$(version_of libfmt-dev | sed -E 's/^[0-9]+://; s/[+~-].*//')"
  spdlog_version="$(version_of libspdlog-dev | sed -E 's/^[0-9]+://; s/[+~-].*//')"
  cli11_version="$(version_of libcli11-dev | sed -E 's/^[0-9]+://; s/[+~-].*//')"
  write_interface_package fmt fmt::fmt-header-only "$fmt_version" "FMT_HEADER_ONLY=1" "" ""
  # Debian's spdlog/tweakme.h selects the external fmt (SPDLOG_FMT_EXTERNAL).
  write_interface_package spdlog spdlog::spdlog "$spdlog_version" \
    "SPDLOG_HEADER_ONLY;SPDLOG_FMT_EXTERNAL" "fmt::fmt-header-only" "fmt"
  write_interface_package CLI11 CLI11::CLI11 "$cli11_version" "" "" ""
  stamp_set headers "$headers_version"
fi

# --- GoogleTest, from Debian's sources ---------------------------------------------------------
gtest_version="$(version_of googletest) $toolchain_hash"
if ! stamp_is googletest "$gtest_version"; then
  log "building GoogleTest $(version_of googletest) for Windows"
  build="$DEPS/src/googletest-build"
  rm -rf "$build"
  cross_configure /usr/src/googletest "$build" -DBUILD_GMOCK=ON -DINSTALL_GTEST=ON
  cmake --build "$build" -j "$JOBS" > "$build.log" 2>&1 || { tail -50 "$build.log" >&2; exit 1; }
  cmake --install "$build" > /dev/null
  rm -rf "$build" "$build.log" "$build.configure.log"
  stamp_set googletest "$gtest_version"
fi

# --- protobuf (full runtime), from Debian's source package --------------------------------------
protobuf_version="$(version_of libprotobuf-dev)"
protobuf_stamp="$protobuf_version $toolchain_hash"
if ! stamp_is protobuf "$protobuf_stamp"; then
  log "building libprotobuf $protobuf_version for Windows (a few minutes, once)"
  if ! apt-get source --print-uris protobuf="$protobuf_version" > /dev/null 2>&1; then
    log "adding a deb-src entry for bookworm"
    $SUDO tee /etc/apt/sources.list.d/tavern-deb-src.sources > /dev/null <<'EOF'
# Added by Tavern's scripts/windows/prepare-deps.sh: Debian source packages (apt-get source).
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    $SUDO apt-get update
  fi
  source_dir="$DEPS/src/protobuf-source"
  rm -rf "$source_dir"
  mkdir -p "$source_dir"
  (cd "$source_dir" && apt-get source protobuf="$protobuf_version" > apt-source.log 2>&1) ||
    { cat "$source_dir/apt-source.log" >&2; exit 1; }
  tree="$(find "$source_dir" -maxdepth 1 -mindepth 1 -type d -name 'protobuf-*' | head -n 1)"
  [ -n "$tree" ] || { log "apt-get source protobuf unpacked nothing"; exit 1; }
  cmake_dir="$tree"
  [ -f "$tree/CMakeLists.txt" ] || cmake_dir="$tree/cmake"
  build="$DEPS/src/protobuf-build"
  rm -rf "$build"
  cross_configure "$cmake_dir" "$build" -Dprotobuf_BUILD_TESTS=OFF \
    -Dprotobuf_BUILD_PROTOC_BINARIES=OFF -Dprotobuf_BUILD_SHARED_LIBS=OFF \
    -Dprotobuf_WITH_ZLIB=OFF -Dprotobuf_BUILD_EXAMPLES=OFF -Dprotobuf_INSTALL=ON \
    -DCMAKE_CXX_FLAGS="-Wno-deprecated-declarations"
  cmake --build "$build" -j "$JOBS" > "$build.log" 2>&1 || { tail -50 "$build.log" >&2; exit 1; }
  cmake --install "$build" > /dev/null
  rm -rf "$build" "$build.log" "$build.configure.log" "$source_dir"
  stamp_set protobuf "$protobuf_stamp"
fi

# --- A Wine prefix ------------------------------------------------------------------------------
export WINEPREFIX="${WINEPREFIX:-$DEPS/wine}"
export WINEDEBUG="${WINEDEBUG:--all}"
wine_stamp="$(version_of wine64) $WINEPREFIX"
if ! stamp_is wine "$wine_stamp" || [ ! -f "$WINEPREFIX/system.reg" ]; then
  log "creating the Wine prefix $WINEPREFIX"
  mkdir -p "$WINEPREFIX"
  # Wine needs no display for console programs; say so, so wineboot does not look for one.
  DISPLAY="" WINEDLLOVERRIDES="mscoree,mshtml=" "$WINE64" wineboot --init > "$DEPS/wineboot.log" 2>&1 || true
  "$(dirname "$WINE64")/wineserver" -w 2>/dev/null || wineserver -w 2>/dev/null || true
  [ -f "$WINEPREFIX/system.reg" ] || { cat "$DEPS/wineboot.log" >&2; exit 1; }
  stamp_set wine "$wine_stamp"
fi

log "ready: $PREFIX"
echo "$PREFIX"
