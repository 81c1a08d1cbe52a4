# Build options shared by every target.
option(TAVERN_BUILD_TESTS "Build the GoogleTest suites" ON)
option(TAVERN_BUILD_BENCH "Build the benchmarks" ON)
# The store (accounts and saved state on SQLite / PostgreSQL) is Linux-only for now: its
# libraries (libsqlite3, libpq, libsodium, libunistring) are not cross-built for Windows.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  option(TAVERN_BUILD_STORE "Build the store (store/) and its tests" ON)
else()
  set(TAVERN_BUILD_STORE OFF CACHE BOOL "The store is Linux-only for now" FORCE)
endif()
# The bus (bus/: NATS messaging, JetStream key-value buckets, leases) is Linux-only for now:
# libnats is not cross-built for Windows.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  option(TAVERN_BUILD_BUS "Build the NATS bus (bus/) and its tests" ON)
else()
  set(TAVERN_BUILD_BUS OFF CACHE BOOL "The bus is Linux-only for now" FORCE)
endif()
option(TAVERN_WERROR "Treat warnings as errors" ON)
if(WIN32)
  set(_tavern_admin_default OFF)
else()
  set(_tavern_admin_default ON)
endif()
option(TAVERN_WITH_ADMIN "Build admin/ (HTTP metrics and probes; civetweb, prometheus-cpp)"
       ${_tavern_admin_default})
# WebSocket (core/ws: wslay, http-parser, nettle), on Linux and Windows: the Windows
# cross-build builds those libraries from Debian's sources (scripts/windows/prepare-deps.sh).
option(TAVERN_WITH_WEBSOCKET "Build core/ws (WebSocket listeners and clients)" ON)
set(TAVERN_SANITIZE "" CACHE STRING "Sanitizers: empty, 'address;undefined' or 'thread'")

# Warnings for Tavern's own targets; call tavern_target_defaults(target) on each.
function(tavern_target_defaults target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive-)
    if(TAVERN_WERROR)
      target_compile_options(${target} PRIVATE /WX)
    endif()
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                             -Wnon-virtual-dtor -Wold-style-cast)
    if(TAVERN_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()

if(TAVERN_SANITIZE)
  list(JOIN TAVERN_SANITIZE "," _tavern_san)
  add_compile_options(-fsanitize=${_tavern_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_tavern_san})
endif()
