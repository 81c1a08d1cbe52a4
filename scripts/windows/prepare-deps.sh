#!/usr/bin/env bash
# Prepares everything the Windows (mingw-w64 + Wine) build needs, on Debian 12, as root or
# with sudo. Idempotent: what is already there (and of the same version) is not redone, so a
# second run takes a second or two.
#
#   - Debian packages: mingw-w64 (posix threads), wine64, cmake, ninja, and the Debian packages
#     whose sources or headers the Windows build reuses, plus what the host build of
#     protoc-gen-tavern and test_client needs.
#   - A prefix of Windows libraries, OUTSIDE the repository:
#       $TAVERN_WIN_DEPS_DIR/prefix   (default ${XDG_CACHE_HOME:-$HOME/.cache}/tavern-win-deps)
#     GoogleTest (gtest only) built from /usr/src/googletest; libprotobuf (the full runtime: the
#     packet_id option needs descriptor.proto), fmt and spdlog (compiled libraries, not header
#     only: header-only spdlog doubles the compile time of every file that logs) cross-built
#     from Debian's source packages (`apt-get source`, which needs deb-src entries: added when
#     missing, copied from the system's own Debian entries); for WebSocket (core/ws), static
#     http-parser and nettle (libnettle only) from theirs, and wslay from Debian's aria2 source
#     package (deps/wslay: the wslay source package's tarballs are gone from the archive); the
#     CLI11 and concurrentqueue headers from their Debian packages.
#   - A Wine prefix: $TAVERN_WIN_DEPS_DIR/wine (override with WINEPREFIX), created in the
#     background while the libraries build.
#
# Only what Tavern links is built: libprotobuf without protoc, libprotoc, libprotobuf-lite or
# tests; gtest without gmock. Libraries are built with -O1 and no debug information: they only
# serve the tests under Wine, and -O1 builds protobuf about a third faster than -O2.
#
# Prints the dependency prefix on its last line (everything else goes to stderr).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEPS="${TAVERN_WIN_DEPS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tavern-win-deps}"
PREFIX="$DEPS/prefix"
STAMPS="$DEPS/stamps"
TOOLCHAIN="$REPO/cmake/toolchains/mingw-w64-x86_64.cmake"
JOBS="${TAVERN_JOBS:-$(nproc)}"
# Bump when a recipe below changes, so that caches built by an older recipe are rebuilt.
RECIPE=2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

log() { echo "prepare-deps: $*" >&2; }
started=$SECONDS
timed() { log "$1 done in $((SECONDS - $2)) s"; }

# --- Debian packages ----------------------------------------------------------------------------
PACKAGES=(
  # the cross toolchain and the runner (wine64 alone: console programs need no 32-bit Wine)
  g++-mingw-w64-x86-64-posix wine64 cmake ninja-build dpkg-dev xz-utils
  # sources and headers reused for Windows
  googletest libconcurrentqueue-dev libspdlog-dev libfmt-dev libcli11-dev protobuf-compiler
  libwslay-dev libhttp-parser-dev nettle-dev
  # the host build of protoc-gen-tavern (and the Linux test client)
  build-essential pkg-config liburing-dev libprotobuf-dev libprotoc-dev
)
missing=()
for package in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)"
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  step_start=$SECONDS
  log "installing ${missing[*]}"
  $SUDO apt-get update >&2
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2
  timed "packages" "$step_start"
fi

WINE64="$(dpkg -L wine64 | grep -E '/wine64$' | head -n 1)"
[ -x "$WINE64" ] || { log "no wine64 loader in the wine64 package"; exit 1; }
WINESERVER="$(dirname "$WINE64")/wineserver64"
[ -x "$WINESERVER" ] || WINESERVER="$(dirname "$WINE64")/wineserver"

version_of() { dpkg-query -W -f='${Version}' "$1"; }
toolchain_hash="$(sha256sum "$TOOLCHAIN" | cut -c1-16)"
# stamp NAME CONTENT: true when $STAMPS/NAME already holds CONTENT (that work is done).
stamp_is() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
stamp_set() { mkdir -p "$STAMPS"; echo "$2" > "$STAMPS/$1"; }

mkdir -p "$PREFIX/include" "$PREFIX/lib/cmake" "$DEPS/src"

# --- A Wine prefix, in the background -----------------------------------------------------------
export WINEPREFIX="${WINEPREFIX:-$DEPS/wine}"
export WINEDEBUG="${WINEDEBUG:--all}"
wine_stamp="$(version_of wine64) $WINEPREFIX"
wine_pid=""
if ! stamp_is wine "$wine_stamp" || [ ! -f "$WINEPREFIX/system.reg" ]; then
  log "creating the Wine prefix $WINEPREFIX (in the background)"
  mkdir -p "$WINEPREFIX"
  # Console programs need no display, Mono or Gecko; saying so keeps wineboot from asking.
  (
    DISPLAY="" WINEDLLOVERRIDES="mscoree,mshtml=" "$WINE64" wineboot --init || true
    "$WINESERVER" -w || true
  ) > "$DEPS/wineboot.log" 2>&1 &
  wine_pid=$!
fi

# --- Debian source packages ---------------------------------------------------------------------
# The deb-src entries this script adds: the system's own entries for the Debian archive (same
# URIs, suites, components and Signed-By, so apt sees no conflicting options), as deb-src.
# Third-party repositories are left out: most publish no sources, and apt-get update would fail.
SRC_LIST_DIR=/etc/apt/sources.list.d
SRC_NAME=tavern-deb-src

# URI: the Debian archive or a mirror of it (a debian.org host, or a path ending in /debian or
# /debian-security; the entry must also list the component main).
is_debian_archive() {
  local uri="${1%/}"
  local host="${uri#*://}"
  host="${host%%/*}"
  [[ "$host" == *debian.org ]] || [[ "$uri" =~ /debian(-security)?$ ]]
}

write_deb_src_entries() {  # directory to write ${SRC_NAME}.sources / .list into
  local out="$1" file
  local sources="$out/$SRC_NAME.sources" list="$out/$SRC_NAME.list"
  : > "$sources.tmp"
  : > "$list.tmp"
  # deb822 files: every enabled stanza of Types "deb" whose URIs are all the Debian archive,
  # copied with Types deb-src (comments dropped).
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    [ "$(basename "$file")" = "$SRC_NAME.sources" ] && continue
    while IFS= read -r -d '' stanza; do
      stanza="$(grep -v '^#' <<< "$stanza" || true)"
      local types uris uri ok=1
      types="$(sed -n 's/^Types:[ \t]*//p' <<< "$stanza")"
      [[ " $types " == *" deb "* ]] || continue
      grep -qiE '^Enabled:[ \t]*no' <<< "$stanza" && continue
      uris="$(sed -n 's/^URIs:[ \t]*//p' <<< "$stanza")"
      [ -n "$uris" ] || continue
      [[ " $(sed -n 's/^Components:[ \t]*//p' <<< "$stanza") " == *" main "* ]] || continue
      for uri in $uris; do is_debian_archive "$uri" || ok=0; done
      [ "$ok" = 1 ] || continue
      printf '%s\n\n' "$(sed 's/^Types:.*/Types: deb-src/' <<< "$stanza")" >> "$sources.tmp"
    done < <(awk -v RS= '{ printf "%s%c", $0, 0 }' "$file")
  done
  # One-line files: "deb [options] URI suite components" -> "deb-src ...".
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    [ "$(basename "$file")" = "$SRC_NAME.list" ] && continue
    while read -r type rest; do
      [ "$type" = deb ] || continue
      local uri="$rest"
      if [[ "$uri" == \[* ]]; then uri="${uri#*]}"; fi
      # URI suite components...: Debian's own entries always carry "main".
      [[ " $(echo "$uri" | awk '{ $1 = ""; $2 = ""; print }') " == *" main "* ]] || continue
      uri="$(echo "$uri" | awk '{ print $1 }')"
      is_debian_archive "$uri" && echo "deb-src $rest" >> "$list.tmp"
    done < "$file"
  done
  for file in "$sources" "$list"; do
    if [ -s "$file.tmp" ]; then
      { echo "# Added by Tavern's scripts/windows/prepare-deps.sh (apt-get source): the Debian"
        echo "# archive entries of this system, as deb-src."
        cat "$file.tmp"; } > "$file"
    fi
    rm -f "$file.tmp"
  done
}

# source_package BINARY: "name=version" of the source package BINARY was built from.
source_package() {
  dpkg-query -W -f='${source:Package}=${source:Version}' "$1"
}

# fetch_source BINARY DIR: unpacks the source of the installed BINARY package into DIR/<tree>
# and prints the tree's path.
fetch_source() { fetch_source_spec "$(source_package "$1")" "$2"; }

# fetch_source_spec NAME[=VERSION] DIR: the same for a source package named directly.
deb_src_checked=0
fetch_source_spec() {
  local spec="$1" dir="$2"
  if [ "$deb_src_checked" = 0 ] &&
     ! apt-get source --print-uris "$spec" > /dev/null 2>&1; then
    local step_start=$SECONDS
    log "no deb-src entry for $spec: adding the system's Debian entries as deb-src"
    local staging
    staging="$(mktemp -d)"
    write_deb_src_entries "$staging"
    if [ -z "$(ls -A "$staging")" ]; then
      log "found no Debian archive entry in /etc/apt to copy; add a deb-src entry by hand"
      exit 1
    fi
    $SUDO cp "$staging"/* "$SRC_LIST_DIR/"
    # Refresh only these entries: the other indexes are kept as they are (List-Cleanup=0), and
    # a third-party repository that is down cannot fail this step.
    $SUDO apt-get update -o Dir::Etc::SourceList=/dev/null \
      -o Dir::Etc::SourceParts="$staging" -o APT::Get::List-Cleanup=0 >&2
    rm -rf "$staging"
    timed "deb-src entries" "$step_start"
  fi
  deb_src_checked=1
  rm -rf "$dir"
  mkdir -p "$dir"
  # apt-get source downloads as root when _apt cannot write here; that is expected.
  if ! (cd "$dir" && apt-get source -o APT::Sandbox::User=root "$spec" > apt-source.log 2>&1)
  then
    # The exact version may be gone from the archive (a newer point release): any source of
    # the same upstream version will do for a library built from it.
    local name="${spec%%=*}" upstream
    upstream="$(echo "${spec#*=}" | sed -E 's/^[0-9]+://; s/-[^-]*$//')"
    log "$spec is not in the source indexes; trying the newest $name"
    (cd "$dir" && apt-get source -o APT::Sandbox::User=root "$name" > apt-source.log 2>&1) ||
      { cat "$dir/apt-source.log" >&2; exit 1; }
    ls -d "$dir"/*"$upstream"*/ > /dev/null 2>&1 ||
      { log "the source of $name in the archive is not upstream $upstream"; exit 1; }
  fi
  find "$dir" -maxdepth 1 -mindepth 1 -type d | head -n 1
}

# --- Cross builds -------------------------------------------------------------------------------
cross_build() {  # name, source dir, cmake targets (space separated, "" = all), cmake arguments...
  local name="$1" source="$2" targets="$3"
  shift 3
  local build="$DEPS/src/$name-build"
  rm -rf "$build"
  cmake -S "$source" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" -DCMAKE_C_FLAGS_RELEASE="-O1 -DNDEBUG" \
    -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" -DTAVERN_WIN_DEPS="$PREFIX" \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" "$@" > "$build.configure.log" 2>&1 ||
    { cat "$build.configure.log" >&2; return 1; }
  local target_args=()
  for target in $targets; do target_args+=(--target "$target"); done
  cmake --build "$build" -j "$JOBS" "${target_args[@]}" > "$build.log" 2>&1 ||
    { tail -50 "$build.log" >&2; return 1; }
}
cleanup_build() { rm -rf "$DEPS/src/$1-build" "$DEPS/src/$1-build.log" \
                         "$DEPS/src/$1-build.configure.log" "$DEPS/src/$1-source"; }

# --- Header-only libraries: CLI11 and concurrentqueue -------------------------------------------
# Debian's CMake files point at /usr/include, which a cross build must not see: the headers are
# copied, and CLI11 gets a small CMake package file (concurrentqueue is found by its header).
write_interface_package() {  # name, target, version
  local name="$1" target="$2" version="$3"
  local dir="$PREFIX/lib/cmake/$name"
  mkdir -p "$dir"
  cat > "$dir/${name}Config.cmake" <<EOF
# Written by Tavern's scripts/windows/prepare-deps.sh: $name $version, headers only.
get_filename_component(_${name}_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET $target)
  add_library($target INTERFACE IMPORTED)
  set_target_properties($target PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "\${_${name}_prefix}/include")
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

upstream_of() { version_of "$1" | sed -E 's/^[0-9]+://; s/[+~-].*//'; }

headers_stamp="$RECIPE $(version_of libconcurrentqueue-dev) $(version_of libcli11-dev)"
if ! stamp_is headers "$headers_stamp"; then
  log "copying the concurrentqueue and CLI11 headers"
  rm -rf "$PREFIX/include/concurrentqueue" "$PREFIX/include/CLI" "$PREFIX/lib/cmake/CLI11"
  cp -r /usr/include/concurrentqueue /usr/include/CLI "$PREFIX/include/"
  write_interface_package CLI11 CLI11::CLI11 "$(upstream_of libcli11-dev)"
  stamp_set headers "$headers_stamp"
fi

# --- GoogleTest, from Debian's sources ---------------------------------------------------------
gtest_stamp="$RECIPE $(version_of googletest) $toolchain_hash"
if ! stamp_is googletest "$gtest_stamp"; then
  step_start=$SECONDS
  log "building GoogleTest $(version_of googletest) for Windows"
  rm -rf "$PREFIX/include/gtest" "$PREFIX/include/gmock" "$PREFIX/lib/cmake/GTest" \
         "$PREFIX"/lib/libgtest* "$PREFIX"/lib/libgmock*
  cross_build googletest /usr/src/googletest "" -DBUILD_GMOCK=OFF -DINSTALL_GTEST=ON
  cmake --install "$DEPS/src/googletest-build" > /dev/null
  cleanup_build googletest
  stamp_set googletest "$gtest_stamp"
  timed "GoogleTest" "$step_start"
fi

# --- fmt and spdlog, compiled, from Debian's source packages -------------------------------------
fmt_stamp="$RECIPE $(source_package libfmt-dev) $toolchain_hash"
if ! stamp_is fmt "$fmt_stamp"; then
  step_start=$SECONDS
  log "building fmt $(version_of libfmt-dev) for Windows"
  rm -rf "$PREFIX/include/fmt" "$PREFIX/lib/cmake/fmt" "$PREFIX"/lib/libfmt*
  tree="$(fetch_source libfmt-dev "$DEPS/src/fmt-source")"
  cross_build fmt "$tree" "" -DFMT_DOC=OFF -DFMT_TEST=OFF -DFMT_INSTALL=ON
  cmake --install "$DEPS/src/fmt-build" > /dev/null
  cleanup_build fmt
  stamp_set fmt "$fmt_stamp"
  rm -f "$STAMPS/spdlog"  # built against this fmt
  timed "fmt" "$step_start"
fi

spdlog_stamp="$RECIPE $(source_package libspdlog-dev) $toolchain_hash"
if ! stamp_is spdlog "$spdlog_stamp"; then
  step_start=$SECONDS
  log "building spdlog $(version_of libspdlog-dev) for Windows"
  rm -rf "$PREFIX/include/spdlog" "$PREFIX/lib/cmake/spdlog" "$PREFIX"/lib/libspdlog*
  tree="$(fetch_source libspdlog-dev "$DEPS/src/spdlog-source")"
  cross_build spdlog "$tree" "" -DSPDLOG_FMT_EXTERNAL=ON -DSPDLOG_BUILD_EXAMPLE=OFF \
    -DSPDLOG_BUILD_TESTS=OFF -DSPDLOG_BUILD_BENCH=OFF -DSPDLOG_INSTALL=ON
  cmake --install "$DEPS/src/spdlog-build" > /dev/null
  cleanup_build spdlog
  stamp_set spdlog "$spdlog_stamp"
  timed "spdlog" "$step_start"
fi

# --- libprotobuf (full runtime), from Debian's source package ----------------------------------
# Only the libprotobuf target is built (protoc runs on the host; libprotobuf-lite is not used),
# so protobuf's install rules, which want every library, are not run: the headers and the
# library are copied by hand. CMake's FindProtobuf finds them in the prefix.
protobuf_stamp="$RECIPE $(source_package libprotobuf-dev) $toolchain_hash"
if ! stamp_is protobuf "$protobuf_stamp"; then
  step_start=$SECONDS
  log "building libprotobuf $(version_of libprotobuf-dev) for Windows (minutes, once)"
  rm -rf "$PREFIX/include/google" "$PREFIX/lib/cmake/protobuf" "$PREFIX/lib/pkgconfig" \
         "$PREFIX"/lib/libprotobuf*
  tree="$(fetch_source libprotobuf-dev "$DEPS/src/protobuf-source")"
  cmake_dir="$tree"
  [ -f "$tree/CMakeLists.txt" ] || cmake_dir="$tree/cmake"
  cross_build protobuf "$cmake_dir" libprotobuf -Dprotobuf_BUILD_TESTS=OFF \
    -Dprotobuf_BUILD_PROTOC_BINARIES=OFF -Dprotobuf_BUILD_LIBPROTOC=OFF \
    -Dprotobuf_BUILD_SHARED_LIBS=OFF -Dprotobuf_WITH_ZLIB=OFF -Dprotobuf_BUILD_EXAMPLES=OFF \
    -Dprotobuf_INSTALL=OFF -DCMAKE_CXX_FLAGS="-Wno-deprecated-declarations"
  (cd "$tree/src" && find google -type f \( -name '*.h' -o -name '*.inc' -o -name '*.proto' \) \
      -not -path '*/testdata/*' -not -name '*unittest*' -not -name '*test_util*' \
      -exec cp --parents -t "$PREFIX/include" {} +)
  cp "$(find "$DEPS/src/protobuf-build" -name libprotobuf.a | head -n 1)" "$PREFIX/lib/"
  cleanup_build protobuf
  stamp_set protobuf "$protobuf_stamp"
  timed "libprotobuf" "$step_start"
fi

# --- WebSocket (core/ws): wslay, http-parser, nettle, from Debian's source packages ------------
MINGW_CC="$(command -v x86_64-w64-mingw32-gcc-posix)"
MINGW_AR="$(command -v x86_64-w64-mingw32-ar)"
compiler_version="$("$MINGW_CC" -dumpfullversion)"

# static_c_library NAME FLAGS... -- SOURCES...: compiles the C SOURCES with mingw-w64's gcc
# (-O1, as the other libraries) into $PREFIX/lib/libNAME.a. For libraries of a few files whose
# own build (autotools, gyp) is more than they need.
static_c_library() {
  local name="$1" flags=() objects=() source object
  shift
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  local build="$DEPS/src/$name-build"
  rm -rf "$build"
  mkdir -p "$build"
  for source in "$@"; do
    object="$build/$(basename "${source%.c}").o"
    "$MINGW_CC" -O1 -DNDEBUG "${flags[@]}" -c "$source" -o "$object"
    objects+=("$object")
  done
  rm -f "$PREFIX/lib/lib$name.a"
  "$MINGW_AR" rcs "$PREFIX/lib/lib$name.a" "${objects[@]}"
}

# wslay: Debian's wslay source package is no longer downloadable from the archive (its tarballs
# answer 404), but Debian's aria2 source package carries the same wslay release in deps/wslay.
# Its four .c files are built here; it must be the release of the libwslay-dev the Linux build
# links, so both builds use one wslay.
wslay_upstream="$(upstream_of libwslay-dev)"
wslay_stamp="$RECIPE aria2 $wslay_upstream $compiler_version"
if ! stamp_is wslay "$wslay_stamp"; then
  step_start=$SECONDS
  log "building wslay $wslay_upstream for Windows (from Debian's aria2 source package)"
  rm -rf "$PREFIX/include/wslay" "$PREFIX"/lib/libwslay*
  tree="$(fetch_source_spec aria2 "$DEPS/src/wslay-source")"
  wslay="$tree/deps/wslay"
  version="$(sed -n 's/^AC_INIT(\[wslay\], \[\([^]]*\)\].*/\1/p' "$wslay/configure.ac")"
  if [ "$version" != "$wslay_upstream" ]; then
    log "aria2's deps/wslay is wslay '$version', libwslay-dev is $wslay_upstream"
    exit 1
  fi
  mkdir -p "$PREFIX/include/wslay"
  cp "$wslay/lib/includes/wslay/wslay.h" "$PREFIX/include/wslay/"
  sed "s/@PACKAGE_VERSION@/$version/" "$wslay/lib/includes/wslay/wslayver.h.in" \
    > "$PREFIX/include/wslay/wslayver.h"
  # winsock2.h for ntohl/htons (wslay's configure defines HAVE_WINSOCK2_H for mingw).
  static_c_library wslay -DHAVE_WINSOCK2_H -I"$PREFIX/include" -- "$wslay"/lib/wslay_*.c
  cleanup_build wslay
  stamp_set wslay "$wslay_stamp"
  timed "wslay" "$step_start"
fi

# http-parser: one .c file and its header (Debian's patches applied by apt-get source).
http_parser_stamp="$RECIPE $(source_package libhttp-parser-dev) $compiler_version"
if ! stamp_is http-parser "$http_parser_stamp"; then
  step_start=$SECONDS
  log "building http-parser $(version_of libhttp-parser-dev) for Windows"
  rm -f "$PREFIX/include/http_parser.h" "$PREFIX"/lib/libhttp_parser*
  tree="$(fetch_source libhttp-parser-dev "$DEPS/src/http-parser-source")"
  cp "$tree/http_parser.h" "$PREFIX/include/"
  # HTTP_PARSER_STRICT=0: as its Makefile builds the library Debian ships.
  static_c_library http_parser -DHTTP_PARSER_STRICT=0 -- "$tree/http_parser.c"
  cleanup_build http-parser
  stamp_set http-parser "$http_parser_stamp"
  timed "http-parser" "$step_start"
fi

# nettle: its own configure, for libnettle.a alone (core/ws uses SHA-1 and base64): no
# libhogweed (public-key), no shared library, no documentation, and no assembler (nettle's .asm
# files need m4; C SHA-1 is ample for a handshake each connection).
nettle_stamp="$RECIPE $(source_package nettle-dev) $compiler_version"
if ! stamp_is nettle "$nettle_stamp"; then
  step_start=$SECONDS
  log "building nettle $(version_of nettle-dev) for Windows (libnettle only)"
  rm -rf "$PREFIX/include/nettle" "$PREFIX"/lib/libnettle*
  tree="$(fetch_source nettle-dev "$DEPS/src/nettle-source")"
  build_log="$DEPS/src/nettle-build.log"
  # Debian's patches leave aclocal.m4 newer than config.h.in, and make would then run
  # autoheader (not installed): the generated files in the source package are used as they are.
  no_autotools="AUTOCONF=true AUTOHEADER=true"
  (cd "$tree" &&
   ./configure --host=x86_64-w64-mingw32 CC="$MINGW_CC" CFLAGS="-O1 -DNDEBUG" \
     --prefix="$PREFIX" --disable-shared --disable-public-key --disable-documentation \
     --disable-openssl --disable-assembler &&
   make -j "$JOBS" $no_autotools libnettle.a &&
   make $no_autotools install-headers install-static) > "$build_log" 2>&1 ||
    { tail -50 "$build_log" >&2; exit 1; }
  cleanup_build nettle
  stamp_set nettle "$nettle_stamp"
  timed "nettle" "$step_start"
fi

if [ -n "$wine_pid" ]; then
  step_start=$SECONDS
  wait "$wine_pid" || true
  [ -f "$WINEPREFIX/system.reg" ] || { cat "$DEPS/wineboot.log" >&2; exit 1; }
  stamp_set wine "$wine_stamp"
  timed "Wine prefix (waited)" "$step_start"
fi

log "ready in $((SECONDS - started)) s: $PREFIX"
echo "$PREFIX"
