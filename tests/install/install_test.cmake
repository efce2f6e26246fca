# install_test.cmake: installs the build into a stage directory, builds a
# small out-of-tree program against it twice (CMake package, pkg-config)
# and runs it with an installed plugin.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DSTAGE_DIR=... -DGENERATOR=... -P install_test.cmake
foreach(var BUILD_DIR SOURCE_DIR STAGE_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_test.cmake needs -D${var}=...")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  TIMEOUT 300)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${STAGE_DIR})
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${STAGE_DIR})
file(GLOB plugins ${STAGE_DIR}/lib/polytls/libpolytls-*.so)
if(NOT plugins)
  message(FATAL_ERROR "no plugin was installed in ${STAGE_DIR}/lib/polytls")
endif()
list(GET plugins 0 plugin)

# 1. find_package(polytls)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install/consumer -B ${STAGE_DIR}/consumer-build
    -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${STAGE_DIR})
run(${CMAKE_COMMAND} --build ${STAGE_DIR}/consumer-build)
run(${STAGE_DIR}/consumer-build/consumer ${plugin})
message(STATUS "CMake package consumer: ${last_output}")
if(NOT last_output MATCHES "consumer: ok with")
  message(FATAL_ERROR "the consumer did not say ok")
endif()
if(NOT last_output MATCHES "plugin dir ${STAGE_DIR}/lib/polytls")
  message(FATAL_ERROR "polytls_PLUGIN_DIR does not point into the stage")
endif()

# 2. pkg-config
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${STAGE_DIR}/lib/pkgconfig)
run(${PKG_CONFIG} --cflags --libs polytls)
string(STRIP "${last_output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(${CXX_COMPILER} ${SOURCE_DIR}/tests/install/consumer/main.cpp -o ${STAGE_DIR}/consumer-pc
    -DPOLYTLS_CONSUMER_PLUGIN_DIR="pkg-config" ${flags})
run(${STAGE_DIR}/consumer-pc ${plugin})
message(STATUS "pkg-config consumer: ${last_output}")
if(NOT last_output MATCHES "consumer: ok with")
  message(FATAL_ERROR "the pkg-config consumer did not say ok")
endif()
