# Cross-compiles Tavern for 64-bit Windows with Debian's mingw-w64 (posix-threads flavour:
# std::thread, std::mutex and std::condition_variable need it) and runs what it builds under
# Wine. Used by scripts/windows/build-and-test.sh; usable by hand:
#
#   cmake -S . -B build-windows -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64.cmake \
#     -DTAVERN_WIN_DEPS=$HOME/.cache/tavern-win-deps/prefix \
#     -DTAVERN_PROTOC_PLUGIN=<host build>/protocol/generator/protoc-gen-tavern
#
# TAVERN_WIN_DEPS is the prefix scripts/windows/prepare-deps.sh fills with the Windows builds
# of protobuf and GoogleTest and the header-only libraries (also read from the environment).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(TAVERN_MINGW_TRIPLE x86_64-w64-mingw32)
find_program(TAVERN_MINGW_CXX NAMES ${TAVERN_MINGW_TRIPLE}-g++-posix REQUIRED)
find_program(TAVERN_MINGW_CC NAMES ${TAVERN_MINGW_TRIPLE}-gcc-posix REQUIRED)
set(CMAKE_CXX_COMPILER "${TAVERN_MINGW_CXX}")
set(CMAKE_C_COMPILER "${TAVERN_MINGW_CC}")
set(CMAKE_RC_COMPILER ${TAVERN_MINGW_TRIPLE}-windres)

# Where the Windows libraries are: the mingw-w64 sysroot and the prepared dependency prefix.
if(NOT TAVERN_WIN_DEPS AND DEFINED ENV{TAVERN_WIN_DEPS})
  set(TAVERN_WIN_DEPS "$ENV{TAVERN_WIN_DEPS}")
endif()
set(TAVERN_WIN_DEPS "${TAVERN_WIN_DEPS}" CACHE PATH "Prefix of the Windows dependencies")
# try_compile projects see the same prefix.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES TAVERN_WIN_DEPS)
set(CMAKE_FIND_ROOT_PATH /usr/${TAVERN_MINGW_TRIPLE})
if(TAVERN_WIN_DEPS)
  list(PREPEND CMAKE_FIND_ROOT_PATH "${TAVERN_WIN_DEPS}")
  list(APPEND CMAKE_PREFIX_PATH "${TAVERN_WIN_DEPS}")
endif()
# Programs (protoc, the protoc plugin) are the host's; libraries and headers only the target's.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# A static runtime (libgcc, libstdc++, winpthread), so an .exe needs no DLL beside it under Wine.
# (The Windows version and the windows.h macros Tavern wants are set by core/CMakeLists.txt.)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")

# Test discovery and try_run go through Wine when it is installed (Debian keeps the wine64
# loader outside PATH, in /usr/lib/wine).
find_program(TAVERN_WINE64 NAMES wine64 PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(TAVERN_WINE64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${TAVERN_WINE64}")
endif()
