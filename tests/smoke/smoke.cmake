# Smoke tests of the apps, run directly (in a cross build through
# CMAKE_CROSSCOMPILING_EMULATOR, which ctest puts in front of every target
# it runs; the scripts get it as EMULATOR). Included by tests/CMakeLists.txt
# where the apps' own end-to-end tests cannot run (docs/embedded.md).
set(smoke_dir ${CMAKE_CURRENT_BINARY_DIR}/smoke)
set(smoke_emulator "${CMAKE_CROSSCOMPILING_EMULATOR}")
string(REPLACE ";" " " smoke_emulator_words "${smoke_emulator}")
file(MAKE_DIRECTORY ${smoke_dir})
list(GET POLYTLS_TEST_BACKENDS 0 smoke_backend)

add_test(NAME smoke.certgen_list COMMAND polytls-certgen --list-backends)
set_tests_properties(smoke.certgen_list PROPERTIES PASS_REGULAR_EXPRESSION "${smoke_backend}")

set(certgen_args --backend ${smoke_backend} --key-type ecdsa-p256 --cn localhost
    --san DNS:localhost --san IP:127.0.0.1 --out-cert ${smoke_dir}/cert.pem
    --out-key ${smoke_dir}/key.pem --force)
if(POLYTLS_CERT_CREATE)
  add_test(NAME smoke.certgen COMMAND polytls-certgen ${certgen_args})
  set_tests_properties(smoke.certgen PROPERTIES FIXTURES_SETUP smoke_cert)
  add_test(NAME smoke.certgen_inspect COMMAND polytls-certgen --backend ${smoke_backend}
           --inspect ${smoke_dir}/cert.pem)
  set_tests_properties(smoke.certgen_inspect PROPERTIES FIXTURES_REQUIRED smoke_cert
                       PASS_REGULAR_EXPRESSION "localhost")
else()
  # Built without certificate creation: certgen says exactly that.
  add_test(NAME smoke.certgen COMMAND polytls-certgen ${certgen_args})
  set_tests_properties(smoke.certgen PROPERTIES
    PASS_REGULAR_EXPRESSION "unsupported.*POLYTLS_CERT_CREATE=OFF|POLYTLS_CERT_CREATE=OFF.*unsupported")
endif()

if(POLYTLS_CERT_CREATE AND POLYTLS_TLS_SERVER)
  # Every cell over memory, with the fast key type (RSA key generation under
  # an emulator takes long).
  add_test(NAME smoke.matrix COMMAND polytls-matrix --transport memory --key-type ecdsa-p256
           --payload 4096)
  set_tests_properties(smoke.matrix PROPERTIES PASS_REGULAR_EXPRESSION "pass")
endif()

# Server and client: polytls-server with the certificate above, fetched by
# polytls-client, polytls_tiny_client and the plain-C mbedtls_client.
if(TARGET polytls-server AND TARGET polytls-client)
  set(smoke_port 44711)
  set(clients "$<TARGET_FILE:polytls-client>|https://localhost:${smoke_port}/|--cacert|${smoke_dir}/cert.pem")
  set(names client)
  if(TARGET polytls_tiny_client AND TARGET mbedtls_client)
    list(APPEND clients "$<TARGET_FILE:polytls_tiny_client>|localhost|${smoke_port}|${smoke_dir}/cert.pem"
         "$<TARGET_FILE:mbedtls_client>|localhost|${smoke_port}|${smoke_dir}/cert.pem")
    list(APPEND names tiny_client mbedtls_client)
  endif()
  foreach(client name IN ZIP_LISTS clients names)
    add_test(NAME smoke.server_${name}
             COMMAND ${CMAKE_COMMAND} "-DEMULATOR=${smoke_emulator}"
                     "-DSERVER=$<TARGET_FILE:polytls-server>" -DBACKEND=${smoke_backend}
                     -DCERT=${smoke_dir}/cert.pem -DKEY=${smoke_dir}/key.pem -DPORT=${smoke_port}
                     "-DCLIENT=${client}" -P ${CMAKE_CURRENT_SOURCE_DIR}/smoke/server_client.cmake)
    set_tests_properties(smoke.server_${name} PROPERTIES FIXTURES_REQUIRED smoke_cert
      RESOURCE_LOCK smoke_port TIMEOUT 300
      PASS_REGULAR_EXPRESSION "polytls-server is up")
  endforeach()
endif()

# The menu: make a certificate, start the server, fetch the page, exit.
if(TARGET polytls-menu)
  add_test(NAME smoke.menu
           COMMAND ${CMAKE_COMMAND} "-DEMULATOR=${smoke_emulator}"
                   "-DMENU=$<TARGET_FILE:polytls-menu>" -DBACKEND=${smoke_backend}
                   -DSTATE_DIR=${smoke_dir}/menu-state -DPORT=44712
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/smoke/menu.cmake)
  set_tests_properties(smoke.menu PROPERTIES TIMEOUT 300 PASS_REGULAR_EXPRESSION "200 OK")
endif()

get_property(smoke_tests DIRECTORY PROPERTY TESTS)
list(FILTER smoke_tests INCLUDE REGEX "^smoke\\.")
set_tests_properties(${smoke_tests} PROPERTIES LABELS smoke)
foreach(t IN LISTS smoke_tests)
  get_test_property(${t} TIMEOUT timeout)
  if(NOT timeout)
    set_tests_properties(${t} PROPERTIES TIMEOUT 300)
  endif()
endforeach()
