# Third-party libraries, all from Debian packages (see scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Protobuf REQUIRED)

# moodycamel::ConcurrentQueue is header-only; Debian installs it under concurrentqueue/.
find_path(CONCURRENTQUEUE_INCLUDE_DIR concurrentqueue/concurrentqueue.h REQUIRED)
add_library(concurrentqueue INTERFACE)
target_include_directories(concurrentqueue SYSTEM INTERFACE ${CONCURRENTQUEUE_INCLUDE_DIR})

if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(LIBURING REQUIRED IMPORTED_TARGET liburing>=2.3)
endif()

# The store (store/): Linux only for now (TAVERN_BUILD_STORE).
if(TAVERN_BUILD_STORE)
  find_package(PkgConfig REQUIRED)
  find_package(SQLite3 REQUIRED)
  find_package(PostgreSQL REQUIRED)
  pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.15)
  # GNU libunistring ships no pkg-config file or CMake package.
  find_path(UNISTRING_INCLUDE_DIR uninorm.h REQUIRED)
  find_library(UNISTRING_LIBRARY unistring REQUIRED)
  add_library(Unistring::Unistring UNKNOWN IMPORTED)
  set_target_properties(Unistring::Unistring PROPERTIES
    IMPORTED_LOCATION "${UNISTRING_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${UNISTRING_INCLUDE_DIR}")
endif()

# The bus (bus/): Linux only for now (TAVERN_BUILD_BUS). Debian's libnats-dev (nats.c 3.4) has a
# pkg-config file; its CMake package names a static library Debian does not ship.
if(TAVERN_BUILD_BUS)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(NATS REQUIRED IMPORTED_TARGET libnats>=3.3)
endif()

if(TAVERN_WITH_ADMIN)
  find_package(prometheus-cpp REQUIRED)
  find_package(civetweb REQUIRED)
endif()

if(TAVERN_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(TAVERN_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
