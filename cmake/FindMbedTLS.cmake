# FindMbedTLS: Mbed TLS 2.28 has no CMake package on Debian; this finds its
# headers and three libraries and defines MbedTLS::mbedtls, MbedTLS::mbedx509
# and MbedTLS::mbedcrypto.
#
# MbedTLS_USE_STATIC_LIBS=ON finds the static archives (libmbedtls.a, ...)
# only, as a static or cross build wants (Debian ships them in
# libmbedtls-dev, for arm64 in /usr/lib/aarch64-linux-gnu).
find_path(MbedTLS_INCLUDE_DIR mbedtls/ssl.h)
if(MbedTLS_USE_STATIC_LIBS)
  set(_mbedtls_names_tls libmbedtls.a)
  set(_mbedtls_names_x509 libmbedx509.a)
  set(_mbedtls_names_crypto libmbedcrypto.a)
else()
  set(_mbedtls_names_tls mbedtls)
  set(_mbedtls_names_x509 mbedx509)
  set(_mbedtls_names_crypto mbedcrypto)
endif()
find_library(MbedTLS_TLS_LIBRARY NAMES ${_mbedtls_names_tls})
find_library(MbedTLS_X509_LIBRARY NAMES ${_mbedtls_names_x509})
find_library(MbedTLS_CRYPTO_LIBRARY NAMES ${_mbedtls_names_crypto})
if(MbedTLS_INCLUDE_DIR)
  foreach(header mbedtls/build_info.h mbedtls/version.h)
    if(EXISTS "${MbedTLS_INCLUDE_DIR}/${header}")
      file(STRINGS "${MbedTLS_INCLUDE_DIR}/${header}" line
           REGEX "^#define[ \t]+MBEDTLS_VERSION_STRING[ \t]+\"[0-9.]+\"")
      if(line)
        string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" MbedTLS_VERSION "${line}")
        break()
      endif()
    endif()
  endforeach()
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(MbedTLS
  REQUIRED_VARS MbedTLS_INCLUDE_DIR MbedTLS_TLS_LIBRARY MbedTLS_X509_LIBRARY MbedTLS_CRYPTO_LIBRARY
  VERSION_VAR MbedTLS_VERSION)
if(MbedTLS_FOUND AND NOT TARGET MbedTLS::mbedcrypto)
  add_library(MbedTLS::mbedcrypto UNKNOWN IMPORTED)
  set_target_properties(MbedTLS::mbedcrypto PROPERTIES
    IMPORTED_LOCATION "${MbedTLS_CRYPTO_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${MbedTLS_INCLUDE_DIR}")
  add_library(MbedTLS::mbedx509 UNKNOWN IMPORTED)
  set_target_properties(MbedTLS::mbedx509 PROPERTIES
    IMPORTED_LOCATION "${MbedTLS_X509_LIBRARY}"
    INTERFACE_LINK_LIBRARIES MbedTLS::mbedcrypto)
  add_library(MbedTLS::mbedtls UNKNOWN IMPORTED)
  set_target_properties(MbedTLS::mbedtls PROPERTIES
    IMPORTED_LOCATION "${MbedTLS_TLS_LIBRARY}"
    INTERFACE_LINK_LIBRARIES MbedTLS::mbedx509)
endif()
mark_as_advanced(MbedTLS_INCLUDE_DIR MbedTLS_TLS_LIBRARY MbedTLS_X509_LIBRARY MbedTLS_CRYPTO_LIBRARY)
