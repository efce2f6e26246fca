# FindwolfSSL: finds wolfSSL through pkg-config when available, else by
# header and library name, and defines wolfSSL::wolfssl.
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_wolfSSL QUIET wolfssl)
endif()
find_path(wolfSSL_INCLUDE_DIR wolfssl/options.h HINTS ${PC_wolfSSL_INCLUDE_DIRS})
find_library(wolfSSL_LIBRARY wolfssl HINTS ${PC_wolfSSL_LIBRARY_DIRS})
if(wolfSSL_INCLUDE_DIR AND EXISTS "${wolfSSL_INCLUDE_DIR}/wolfssl/version.h")
  file(STRINGS "${wolfSSL_INCLUDE_DIR}/wolfssl/version.h" line
       REGEX "^#define[ \t]+LIBWOLFSSL_VERSION_STRING[ \t]+\"[0-9.]+\"")
  string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" wolfSSL_VERSION "${line}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(wolfSSL
  REQUIRED_VARS wolfSSL_INCLUDE_DIR wolfSSL_LIBRARY VERSION_VAR wolfSSL_VERSION)
if(wolfSSL_FOUND AND NOT TARGET wolfSSL::wolfssl)
  add_library(wolfSSL::wolfssl UNKNOWN IMPORTED)
  set_target_properties(wolfSSL::wolfssl PROPERTIES
    IMPORTED_LOCATION "${wolfSSL_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${wolfSSL_INCLUDE_DIR}")
endif()
mark_as_advanced(wolfSSL_INCLUDE_DIR wolfSSL_LIBRARY)
