# Installing polytls: headers, the core library, the built-in backends, the
# plugins (installed by polytls_add_plugin), a CMake package with imported
# targets (polytls::core, polytls::abi, polytls::<backend>) and polytls.pc.
include(CMakePackageConfigHelpers)

set(POLYTLS_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/polytls)

set_target_properties(polytls_core PROPERTIES EXPORT_NAME core)
set_target_properties(polytls_abi PROPERTIES EXPORT_NAME abi)
set(exported polytls_core polytls_abi)
foreach(backend IN LISTS POLYTLS_BUILTIN_BACKENDS)
  list(APPEND exported polytls_${backend})
endforeach()
install(TARGETS ${exported}
        EXPORT polytls-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT polytls-targets NAMESPACE polytls:: DESTINATION ${POLYTLS_INSTALL_CMAKEDIR})

# The package finds the TLS libraries the built-in backends link.
set(POLYTLS_PACKAGE_DEPENDENCIES "")
foreach(backend IN LISTS POLYTLS_BUILTIN_BACKENDS)
  if(backend STREQUAL "openssl")
    string(APPEND POLYTLS_PACKAGE_DEPENDENCIES "find_dependency(OpenSSL 3.0)\n")
  elseif(backend STREQUAL "mbedtls")
    string(APPEND POLYTLS_PACKAGE_DEPENDENCIES "find_dependency(MbedTLS)\n")
  elseif(backend STREQUAL "wolfssl")
    string(APPEND POLYTLS_PACKAGE_DEPENDENCIES "find_dependency(wolfSSL)\n")
  endif()
endforeach()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/polytls-config.cmake.in
  ${PROJECT_BINARY_DIR}/polytls-config.cmake
  INSTALL_DESTINATION ${POLYTLS_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/polytls-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/polytls-config.cmake
              ${PROJECT_BINARY_DIR}/polytls-config-version.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindMbedTLS.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindwolfSSL.cmake
        DESTINATION ${POLYTLS_INSTALL_CMAKEDIR})

# pkg-config: the core is a static library, so its users link the built-in
# backends and their TLS libraries too.
set(POLYTLS_PC_LIBS "-lpolytls")
set(POLYTLS_PC_REQUIRES "")
set(POLYTLS_PC_EXTRA "")
foreach(backend IN LISTS POLYTLS_BUILTIN_BACKENDS)
  string(APPEND POLYTLS_PC_LIBS " -lpolytls_${backend}")
  if(backend STREQUAL "openssl")
    string(APPEND POLYTLS_PC_REQUIRES " libssl libcrypto")
  elseif(backend STREQUAL "wolfssl")
    string(APPEND POLYTLS_PC_REQUIRES " wolfssl")
  elseif(backend STREQUAL "mbedtls")
    string(APPEND POLYTLS_PC_EXTRA " -lmbedtls -lmbedx509 -lmbedcrypto")
  endif()
endforeach()
string(APPEND POLYTLS_PC_LIBS "${POLYTLS_PC_EXTRA}")
if(POLYTLS_PLUGIN_LOADER)
  foreach(lib IN LISTS CMAKE_DL_LIBS)
    string(APPEND POLYTLS_PC_LIBS " -l${lib}")
  endforeach()
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/polytls.pc.in ${PROJECT_BINARY_DIR}/polytls.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/polytls.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
