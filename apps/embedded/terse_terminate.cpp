// terse_terminate.cpp: replaces libstdc++'s verbose terminate handler, which
// prints the demangled type of an uncaught exception and so links the whole
// C++ demangler (about 50 KiB on aarch64) into every static program. This
// one says the same thing without the type name. Linked only into the
// programs of a POLYTLS_TERSE_TERMINATE build (docs/embedded.md); it changes
// nothing else, and polytls itself never lets an exception escape.
#include <cstdio>
#include <cstdlib>

namespace __gnu_cxx {

// Same name and signature as libstdc++'s (bits/exception_defines.h), so the
// static link takes this definition and leaves vterminate.o out.
void __verbose_terminate_handler() {
  std::fputs("terminate called (uncaught exception or noexcept violation)\n", stderr);
  std::abort();
}

}  // namespace __gnu_cxx
