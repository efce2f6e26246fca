// random.hpp: random bytes from the operating system.
#ifndef POLYTLS_CORE_RANDOM_HPP
#define POLYTLS_CORE_RANDOM_HPP

#include <cstdint>
#include <span>

#include "polytls/result.hpp"

namespace polytls::detail {

// random_bytes fills `out` from the kernel's CSPRNG (getrandom); failure is `internal`.
Result<void> random_bytes(std::span<uint8_t> out);

}  // namespace polytls::detail

#endif  // POLYTLS_CORE_RANDOM_HPP
