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

  add_library(polytls_${name} STATIC $<TARGET_OBJECTS:polytls_${name}_obj>)
  add_library(polytls::${name} ALIAS polytls_${name})
  target_link_libraries(polytls_${name} PUBLIC polytls_abi ${arg_LIBRARIES})
  set_property(GLOBAL APPEND PROPERTY POLYTLS_BUILTIN_BACKENDS ${name})
endfunction()
