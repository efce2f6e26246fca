# Finding the TLS libraries and defining backend targets.

# polytls_find_backend_library(LIB description): resolves POLYTLS_WITH_<LIB>
# (AUTO/ON/OFF) into POLYTLS_BUILD_<LIB> and stops configure with a clear
# message when a library that was asked for (ON) is missing.
function(polytls_find_backend_library lib description)
  set(mode "${POLYTLS_WITH_${lib}}")
  string(TOUPPER "${mode}" mode)
  if(mode STREQUAL "OFF" OR mode STREQUAL "FALSE" OR mode STREQUAL "0" OR mode STREQUAL "NO")
    set(POLYTLS_BUILD_${lib} OFF PARENT_SCOPE)
    return()
  endif()
  if(lib STREQUAL "OPENSSL")
    find_package(OpenSSL 3.0 QUIET)
    set(found ${OPENSSL_FOUND})
  elseif(lib STREQUAL "MBEDTLS")
    find_package(MbedTLS QUIET)
    set(found ${MbedTLS_FOUND})
  elseif(lib STREQUAL "WOLFSSL")
    find_package(wolfSSL QUIET)
    set(found ${wolfSSL_FOUND})
  elseif(lib STREQUAL "GNUTLS")
    find_package(GnuTLS 3.6 QUIET)
    set(found ${GNUTLS_FOUND})
  endif()
  if(found)
    set(POLYTLS_BUILD_${lib} ON PARENT_SCOPE)
  elseif(mode STREQUAL "AUTO")
    message(STATUS "polytls: ${description} not found; the ${lib} backend is left out")
    set(POLYTLS_BUILD_${lib} OFF PARENT_SCOPE)
  else()
    message(FATAL_ERROR "POLYTLS_WITH_${lib}=${POLYTLS_WITH_${lib}} asks for ${description}, "
                        "which was not found. Install it, or configure with "
                        "-DPOLYTLS_WITH_${lib}=OFF (or AUTO).")
  endif()
endfunction()

# polytls_add_backend(name SOURCES ... LIBRARIES ...): one PIC OBJECT
# library of the backend's sources (hidden visibility) and a static library
# polytls::<name> from it that the core links as a built-in backend. The
# plugin packaging reuses the same objects.
function(polytls_add_backend name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;LIBRARIES")
  add_library(polytls_${name}_obj OBJECT ${arg_SOURCES})
  set_target_properties(polytls_${name}_obj PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_compile_features(polytls_${name}_obj PUBLIC cxx_std_20)
  target_link_libraries(polytls_${name}_obj PUBLIC polytls_abi ${arg_LIBRARIES}
                        PRIVATE polytls_warnings)

  if(POLYTLS_BUILD_BUILTINS)
    add_library(polytls_${name} STATIC $<TARGET_OBJECTS:polytls_${name}_obj>)
    add_library(polytls::${name} ALIAS polytls_${name})
    target_link_libraries(polytls_${name} PUBLIC polytls_abi ${arg_LIBRARIES})
    set_target_properties(polytls_${name} PROPERTIES EXPORT_NAME ${name})
    set_property(GLOBAL APPEND PROPERTY POLYTLS_BUILTIN_BACKENDS ${name})
  endif()
  if(POLYTLS_BUILD_PLUGINS)
    # The plugin exports the same table through the one plugin entry point.
    set(POLYTLS_PLUGIN_NAME ${name})
    configure_file(${PROJECT_SOURCE_DIR}/plugins/builtin_entry.cpp.in
                   ${CMAKE_CURRENT_BINARY_DIR}/plugin_entry.cpp @ONLY)
    polytls_add_plugin(${name}
      SOURCES ${CMAKE_CURRENT_BINARY_DIR}/plugin_entry.cpp
      LIBRARIES polytls_${name}_obj ${arg_LIBRARIES})
  endif()
endfunction()

# polytls_add_plugin(name [EXAMPLE] SOURCES ... LIBRARIES ...): a backend
# plugin, libpolytls-<name>.so, a MODULE library that exports only
# polytls_backend_entry. Plugins are built into <build>/plugins and
# installed into <libdir>/polytls, where the core looks for them; an
# EXAMPLE plugin (the template) goes to <build>/examples and is not installed.
function(polytls_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "EXAMPLE" "" "SOURCES;LIBRARIES")
  set(output_dir ${PROJECT_BINARY_DIR}/plugins)
  if(arg_EXAMPLE)
    set(output_dir ${PROJECT_BINARY_DIR}/examples)
  endif()
  add_library(polytls-${name} MODULE ${arg_SOURCES})
  target_link_libraries(polytls-${name} PRIVATE polytls_abi polytls_warnings ${arg_LIBRARIES})
  target_compile_features(polytls-${name} PRIVATE cxx_std_20)
  set_target_properties(polytls-${name} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME polytls-${name}
    LIBRARY_OUTPUT_DIRECTORY ${output_dir}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  # Every symbol must resolve at link time (a plugin that links is a plugin
  # that loads), except under sanitizers, whose runtime the executable brings.
  if(NOT CMAKE_CXX_FLAGS MATCHES "-fsanitize")
    target_link_options(polytls-${name} PRIVATE -Wl,-z,defs)
  endif()
  if(NOT arg_EXAMPLE)
    set_property(GLOBAL APPEND PROPERTY POLYTLS_PLUGINS ${name})
    install(TARGETS polytls-${name} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/polytls
            COMPONENT plugins)
  endif()
endfunction()
