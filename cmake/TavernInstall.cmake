# `cmake --install <build> --prefix <dir>`: the package a game links.
#
#   include/{jobs,core,protocol,admin}/*.h   the headers, included as "core/Service.h"
#   include/tavern/options.proto, options.pb.h   the packet_id option, for a game's .proto files
#   lib/libtavern_*.a                            the libraries
#   bin/protoc-gen-tavern                        the plugin tavern_add_protocol() runs
#   lib/cmake/Tavern/                            TavernConfig.cmake (+ version, targets) and
#                                                TavernProtocol.cmake (tavern_add_protocol)
#
# A game then writes find_package(Tavern) and links Tavern::core, Tavern::jobs,
# Tavern::protocol, Tavern::log (and Tavern::admin where it was built).
include(CMakePackageConfigHelpers)

set(TAVERN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/Tavern")

set(_tavern_exported tavern_jobs tavern_core tavern_protocol tavern_log concurrentqueue)
set_target_properties(tavern_jobs PROPERTIES EXPORT_NAME jobs)
set_target_properties(tavern_core PROPERTIES EXPORT_NAME core)
set_target_properties(tavern_protocol PROPERTIES EXPORT_NAME protocol)
set_target_properties(tavern_log PROPERTIES EXPORT_NAME log)
if(TARGET tavern_admin)
  set_target_properties(tavern_admin PROPERTIES EXPORT_NAME admin)
  list(APPEND _tavern_exported tavern_admin)
endif()
if(TARGET protoc-gen-tavern)
  list(APPEND _tavern_exported protoc-gen-tavern)
endif()
# The same names inside this build, so that a game can be built in-tree or against the package.
foreach(_target IN LISTS _tavern_exported)
  get_target_property(_name ${_target} EXPORT_NAME)
  get_target_property(_type ${_target} TYPE)
  if(_name AND NOT _type STREQUAL "EXECUTABLE" AND NOT TARGET Tavern::${_name})
    add_library(Tavern::${_name} ALIAS ${_target})
  endif()
endforeach()
set_target_properties(concurrentqueue PROPERTIES EXPORT_NAME concurrentqueue)

install(TARGETS ${_tavern_exported} EXPORT TavernTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

foreach(_dir jobs core protocol)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/${_dir}/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/${_dir}"
          FILES_MATCHING PATTERN "*.h"
          PATTERN "generator" EXCLUDE PATTERN "proto" EXCLUDE PATTERN "tavern" EXCLUDE
          PATTERN "cmake" EXCLUDE
          PATTERN "ws" EXCLUDE)  # core/ws is not in the package yet (its library is not exported)
endforeach()
install(FILES "${PROJECT_SOURCE_DIR}/admin/JsonLogFormatter.h"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/admin")
if(TARGET tavern_admin)
  install(FILES "${PROJECT_SOURCE_DIR}/admin/AdminServer.h" "${PROJECT_SOURCE_DIR}/admin/EngineMetrics.h"
                "${PROJECT_SOURCE_DIR}/admin/MetricFamilies.h"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/admin")
endif()
install(FILES "${PROJECT_SOURCE_DIR}/protocol/tavern/options.proto"
              "${PROJECT_BINARY_DIR}/protocol/gen/tavern/options.pb.h"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/tavern")

install(EXPORT TavernTargets NAMESPACE Tavern:: DESTINATION "${TAVERN_INSTALL_CMAKEDIR}")
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/TavernConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/TavernConfig.cmake"
                              INSTALL_DESTINATION "${TAVERN_INSTALL_CMAKEDIR}"
                              PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/TavernConfigVersion.cmake"
                                 VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/TavernConfig.cmake"
              "${PROJECT_BINARY_DIR}/TavernConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/protocol/cmake/TavernProtocol.cmake"
        DESTINATION "${TAVERN_INSTALL_CMAKEDIR}")
