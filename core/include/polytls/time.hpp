// polytls/time.hpp: UTC times as polytls reads and writes them.
#ifndef POLYTLS_TIME_HPP
#define POLYTLS_TIME_HPP

#include <chrono>
#include <string>
#include <string_view>

#include "polytls/result.hpp"

namespace polytls {

// UtcTime is a point in time to the second.
using UtcTime = std::chrono::sys_seconds;

// now_utc returns the current time, truncated to the second.
UtcTime now_utc() noexcept;

// parse_utc_time reads "2030-01-31", "2030-01-31T12:00:00Z",
// "2030-01-31 12:00:00" (UTC implied) or "20300131120000Z". Anything else,
// or an impossible date, is `bad_input` naming the accepted forms.
Result<UtcTime> parse_utc_time(std::string_view text);

// format_utc_time renders "2030-01-31T12:00:00Z".
std::string format_utc_time(UtcTime time);

}  // namespace polytls

#endif  // POLYTLS_TIME_HPP
