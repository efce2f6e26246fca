# cmake -DEMULATOR=... -DMENU=... -DBACKEND=... -DSTATE_DIR=... -DPORT=... -P menu.cmake
# polytls-menu on a script: make a certificate, start the server, fetch the
# page with the built-in client, exit (which stops the server).
file(REMOVE_RECURSE "${STATE_DIR}")
file(MAKE_DIRECTORY "${STATE_DIR}")
file(WRITE "${STATE_DIR}/input" "1\n2\n3\n0\n")
execute_process(
  COMMAND ${EMULATOR} ${MENU} --backend ${BACKEND} --no-browser --state-dir ${STATE_DIR}
          --port ${PORT}
  INPUT_FILE "${STATE_DIR}/input" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "polytls-menu failed (${rc}): ${err}")
endif()
