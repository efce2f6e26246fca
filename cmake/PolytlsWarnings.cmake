# polytls_warnings: the warning flags for polytls's own code, linked PRIVATE
# to each of our targets. Library headers come in as SYSTEM includes, so
# their warnings stay theirs.
add_library(polytls_warnings INTERFACE)
target_compile_options(polytls_warnings INTERFACE
  $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor>
  $<$<COMPILE_LANG_AND_ID:C,GNU,Clang>:-Wall -Wextra -Wpedantic>)
if(POLYTLS_WARNINGS_AS_ERRORS)
  target_compile_options(polytls_warnings INTERFACE $<$<C_COMPILER_ID:GNU,Clang>:-Werror>)
endif()
