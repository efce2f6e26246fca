# polytls_warnings: the warning flags for polytls's own code, linked PRIVATE
# to each of our targets. Library headers come in as SYSTEM includes, so
# their warnings stay theirs.
add_library(polytls_warnings INTERFACE)
target_compile_options(polytls_warnings INTERFACE
  $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor>
  $<$<COMPILE_LANG_AND_ID:C,GNU,Clang>:-Wall -Wextra -Wpedantic>)
# GCC 12 reports -Wrestrict false positives inside libstdc++ for
# `"text" + std::string` at -O2/-O3 (GCC bug 105651, fixed in GCC 13).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(polytls_warnings INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Wno-restrict>)
endif()
if(POLYTLS_WARNINGS_AS_ERRORS)
  target_compile_options(polytls_warnings INTERFACE $<$<C_COMPILER_ID:GNU,Clang>:-Werror>)
endif()
