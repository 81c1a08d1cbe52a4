# tavern_add_protocol(<target> SIDE server|client NAME <Basename> PROTOS <files...>
#                     [SESSION <ns::Type> SESSION_HEADER <header>] [IMPORT_DIRS <dirs...>])
#
# Turns packet .proto files into a static library <target> for one side of a protocol:
#   - <file>.pb.h / .pb.cc      the messages (host protoc --cpp_out), one run per file;
#   - <Basename>.h / .cc         the PacketId enum, Handle_X declarations and the
#                                Server/ClientPacketHandler (protoc + protoc-gen-tavern),
#                                one run over all PROTOS, so ids are checked across files.
# SESSION is the game's own session class (a tavern::PacketSession) that the handlers take, and
# SESSION_HEADER the header (as the game includes it) that declares it: the generated dispatch
# calls `Handle_X(ns::Type& session, X& pkt)`, or the member `session.Handle_X(pkt)` when the
# class has one, with no downcast in the game's code. Without SESSION the handlers take a
# tavern::PacketSession&.
# <target> links tavern_protocol; its include directories expose every generated header, so
# `#include "ServerPackets.h"` and `#include "Protocol.pb.h"` just work. The game defines the
# Handle_X functions; until it does, <target> is a static library with undefined references.
#
# The messages of a set of PROTOS are compiled once per build, in a library shared by every
# tavern_add_protocol call with the same PROTOS (a server side and a client side of one protocol
# can then be linked into one binary). A .proto belongs to one such set.
#
# PROTOS are paths relative to the calling directory (or absolute). Each file's import root is
# the first of IMPORT_DIRS that contains it, else its own directory; the roots, IMPORT_DIRS and
# Tavern's options (tavern/options.proto) are on protoc's import path.
#
# protoc is always the host's (Protobuf_PROTOC_EXECUTABLE). The plugin is the protoc-gen-tavern
# target, or the host executable named by TAVERN_PROTOC_PLUGIN (needed when cross-compiling).
include_guard(GLOBAL)

set(TAVERN_PROTOC_PLUGIN "" CACHE FILEPATH
    "A prebuilt host protoc-gen-tavern; empty builds it from protocol/generator")

function(tavern_add_protocol target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "SIDE;NAME;SESSION;SESSION_HEADER" "PROTOS;IMPORT_DIRS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tavern_add_protocol(${target}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SIDE STREQUAL "server" AND NOT arg_SIDE STREQUAL "client")
    message(FATAL_ERROR "tavern_add_protocol(${target}): SIDE must be server or client")
  endif()
  if(NOT arg_NAME MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "tavern_add_protocol(${target}): NAME must be a C++-style identifier")
  endif()
  set(session_args "")
  if(arg_SESSION OR arg_SESSION_HEADER)
    if(NOT arg_SESSION MATCHES "^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$"
       OR NOT arg_SESSION_HEADER)
      message(FATAL_ERROR "tavern_add_protocol(${target}): SESSION ns::Type and SESSION_HEADER "
                          "<header> go together (got '${arg_SESSION}', '${arg_SESSION_HEADER}')")
    endif()
    # protoc's parameter syntax cannot carry "::" (a ':' ends the parameters): '.' instead.
    string(REPLACE "::" "." session_dotted "${arg_SESSION}")
    set(session_args ",session=${session_dotted},session_header=${arg_SESSION_HEADER}")
  endif()
  if(NOT arg_PROTOS)
    message(FATAL_ERROR "tavern_add_protocol(${target}): PROTOS is empty")
  endif()
  if(NOT Protobuf_PROTOC_EXECUTABLE)
    message(FATAL_ERROR "tavern_add_protocol: no host protoc (set Protobuf_PROTOC_EXECUTABLE)")
  endif()

  get_filename_component(options_dir "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/.." ABSOLUTE)
  set(options_proto "${options_dir}/tavern/options.proto")
  if(TAVERN_PROTOC_PLUGIN)
    set(plugin "${TAVERN_PROTOC_PLUGIN}")
    set(plugin_depends "${TAVERN_PROTOC_PLUGIN}")
  elseif(TARGET protoc-gen-tavern)
    set(plugin "$<TARGET_FILE:protoc-gen-tavern>")
    set(plugin_depends protoc-gen-tavern)
  else()
    message(FATAL_ERROR "tavern_add_protocol: no protoc-gen-tavern target and no TAVERN_PROTOC_PLUGIN")
  endif()

  # Absolute paths; each proto's import root and its path below that root.
  set(import_dirs "")
  foreach(dir IN LISTS arg_IMPORT_DIRS)
    get_filename_component(dir "${dir}" ABSOLUTE)
    list(APPEND import_dirs "${dir}")
  endforeach()
  set(protos "")
  set(roots "${import_dirs}")
  set(relatives "")
  foreach(proto IN LISTS arg_PROTOS)
    get_filename_component(proto "${proto}" ABSOLUTE)
    if(NOT EXISTS "${proto}")
      message(FATAL_ERROR "tavern_add_protocol(${target}): ${proto} does not exist")
    endif()
    get_filename_component(root "${proto}" DIRECTORY)
    foreach(dir IN LISTS import_dirs)
      string(FIND "${proto}" "${dir}/" at)
      if(at EQUAL 0)
        set(root "${dir}")
        break()
      endif()
    endforeach()
    file(RELATIVE_PATH relative "${root}" "${proto}")
    list(APPEND protos "${proto}")
    list(APPEND roots "${root}")
    list(APPEND relatives "${relative}")
  endforeach()
  list(APPEND roots "${options_dir}")
  list(REMOVE_DUPLICATES roots)
  set(import_args "")
  foreach(root IN LISTS roots)
    list(APPEND import_args "-I${root}")
  endforeach()

  # The messages: one library per set of PROTOS, shared by both sides.
  set(sorted_protos "${protos}")
  list(SORT sorted_protos)
  string(SHA1 set_key "${sorted_protos}")
  get_property(messages GLOBAL PROPERTY "TAVERN_PROTO_SET_${set_key}")
  if(NOT messages)
    set(messages "${target}_messages")
    _tavern_add_proto_messages("${messages}" "${protos}" "${relatives}" "${import_args}"
                               "${options_proto}")
    set_property(GLOBAL PROPERTY "TAVERN_PROTO_SET_${set_key}" "${messages}")
  endif()

  list(JOIN relatives ", " relatives_text)
  # The handler code for this side, from one protoc run over every file.
  set(gen_dir "${CMAKE_CURRENT_BINARY_DIR}/${target}_gen")
  set(outputs "${gen_dir}/${arg_NAME}.h" "${gen_dir}/${arg_NAME}.cc")
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${gen_dir}"
    COMMAND "${Protobuf_PROTOC_EXECUTABLE}" "--plugin=protoc-gen-tavern=${plugin}"
            "--tavern_out=side=${arg_SIDE},name=${arg_NAME}${session_args}:${gen_dir}"
            ${import_args} ${protos}
    DEPENDS ${protos} "${options_proto}" ${plugin_depends}
    COMMENT "protoc-gen-tavern: ${arg_NAME} (${arg_SIDE} side of ${relatives_text})"
    COMMAND_EXPAND_LISTS
    VERBATIM)

  add_library(${target} STATIC ${outputs})
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${gen_dir}>")
  target_link_libraries(${target} PUBLIC ${messages} tavern_protocol)
  if(COMMAND tavern_target_defaults)
    tavern_target_defaults(${target})
  endif()
endfunction()

# Internal: the .pb.cc/.pb.h of a set of protos, one protoc run per file so each run can write
# a depfile (protoc refuses --dependency_out with several inputs): an edit to any imported
# .proto then regenerates the files that import it.
function(_tavern_add_proto_messages messages protos relatives import_args options_proto)
  set(gen_dir "${CMAKE_CURRENT_BINARY_DIR}/${messages}_gen")
  set(sources "")
  foreach(proto relative IN ZIP_LISTS protos relatives)
    string(REGEX REPLACE "\\.proto$" "" stem "${relative}")
    set(outputs "${gen_dir}/${stem}.pb.cc" "${gen_dir}/${stem}.pb.h")
    set(depfile_args "")
    if(CMAKE_GENERATOR MATCHES "Ninja|Makefiles")
      string(MAKE_C_IDENTIFIER "${stem}" depname)
      set(depfile "${gen_dir}/${depname}.pb.d")
      set(depfile_args DEPFILE "${depfile}")
      set(dependency_out "--dependency_out=${depfile}")
    else()
      set(dependency_out "")
    endif()
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${gen_dir}"
      COMMAND "${Protobuf_PROTOC_EXECUTABLE}" "--cpp_out=${gen_dir}" ${dependency_out}
              ${import_args} "${proto}"
      DEPENDS "${proto}" "${options_proto}"
      ${depfile_args}
      COMMENT "protoc: ${relative}"
      COMMAND_EXPAND_LISTS
      VERBATIM)
    list(APPEND sources ${outputs})
  endforeach()

  add_library(${messages} STATIC ${sources})
  target_include_directories(${messages} PUBLIC "$<BUILD_INTERFACE:${gen_dir}>")
  target_link_libraries(${messages} PUBLIC tavern_protocol protobuf::libprotobuf)
  # protoc's output is protobuf's to keep warning-free: no Tavern -Werror flags on these sources
  # (a newer protobuf must not break the build). The handler code (<Basename>.cc) is ours and
  # gets them.

  foreach(proto IN LISTS protos)
    string(SHA1 file_key "${proto}")
    get_property(owner GLOBAL PROPERTY "TAVERN_PROTO_FILE_${file_key}")
    if(owner)
      message(FATAL_ERROR "tavern_add_protocol: ${proto} is already compiled by ${owner}; "
                          "every side of a protocol must list the same PROTOS")
    endif()
    set_property(GLOBAL PROPERTY "TAVERN_PROTO_FILE_${file_key}" "${messages}")
  endforeach()
endfunction()

