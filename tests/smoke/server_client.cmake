# cmake -DEMULATOR=... -DSERVER=... -DBACKEND=... -DCERT=... -DKEY=... -DPORT=...
#       -DCLIENT="program|arg|..." -P server_client.cmake
# Starts polytls-server in the background, waits until it listens, runs the
# client once and prints what it printed; stops the server.
string(REPLACE "|" ";" client "${CLIENT}")
set(script [=[
emulator=$1; server=$2; backend=$3; cert=$4; key=$5; port=$6; shift 6
$emulator "$server" --backend "$backend" --cert "$cert" --key "$key" --port "$port" --quiet &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
i=0
until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 600 ]; then echo "the server did not start" >&2; exit 1; fi
  if ! kill -0 $pid 2>/dev/null; then echo "the server exited" >&2; exit 1; fi
  sleep 0.1
done
$emulator "$@"
]=])
string(REPLACE ";" " " emulator "${EMULATOR}")
execute_process(
  COMMAND bash -c "${script}" smoke "${emulator}" "${SERVER}" "${BACKEND}" "${CERT}" "${KEY}"
          "${PORT}" ${client}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "client failed (${rc}): ${err}")
endif()
