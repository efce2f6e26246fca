# Cross-compiling for 64-bit Arm Linux with Debian's cross toolchain and its
# multiarch arm64 packages (docs/embedded.md):
#
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install g++-aarch64-linux-gnu libmbedtls-dev:arm64 libgtest-dev:arm64 qemu-user
#
# (.ci/setup --cross does this.) Programs built here run on this machine
# through qemu-user: CMAKE_CROSSCOMPILING_EMULATOR makes ctest (and
# add_custom_command) run them as `qemu-aarch64 -L /usr/aarch64-linux-gnu PROGRAM`.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(POLYTLS_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${POLYTLS_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${POLYTLS_CROSS_TRIPLE}-g++)
find_program(CMAKE_AR NAMES ${POLYTLS_CROSS_TRIPLE}-gcc-ar ${POLYTLS_CROSS_TRIPLE}-ar)
find_program(CMAKE_RANLIB NAMES ${POLYTLS_CROSS_TRIPLE}-gcc-ranlib ${POLYTLS_CROSS_TRIPLE}-ranlib)
find_program(CMAKE_STRIP NAMES ${POLYTLS_CROSS_TRIPLE}-strip)

# Debian multiarch: the arm64 C library lives in /usr/aarch64-linux-gnu
# (the cross toolchain's own root), the arm64 packages' libraries in
# /usr/lib/aarch64-linux-gnu and their headers (architecture independent, as
# are CLI11's and nlohmann-json's CMake packages) in /usr/include and
# /usr/share. CMAKE_LIBRARY_ARCHITECTURE makes find_library and
# find_package look in lib/aarch64-linux-gnu and never in the host's
# lib/x86_64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE ${POLYTLS_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH /usr/${POLYTLS_CROSS_TRIPLE} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)   # build tools are the host's
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(POLYTLS_QEMU_AARCH64 qemu-aarch64)
if(POLYTLS_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${POLYTLS_QEMU_AARCH64} -L /usr/${POLYTLS_CROSS_TRIPLE})
endif()
