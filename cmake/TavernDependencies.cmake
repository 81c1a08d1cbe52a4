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
