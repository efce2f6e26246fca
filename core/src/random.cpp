#include "random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace polytls::detail {

Result<void> random_bytes(std::span<uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(ErrorCode::internal,
                   std::string("cannot read random bytes: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return ok();
}

}  // namespace polytls::detail
