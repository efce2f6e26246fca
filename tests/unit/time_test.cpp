#include "polytls/time.hpp"

#include <gtest/gtest.h>

#include "support.hpp"

namespace polytls {
namespace {

TEST(Time, ParsesEveryAcceptedForm) {
  const UtcTime expected = std::chrono::sys_days{std::chrono::year{2030} / 1 / 31} +
                           std::chrono::hours{12} + std::chrono::minutes{34} +
                           std::chrono::seconds{56};
  EXPECT_EQ(parse_utc_time("2030-01-31T12:34:56Z").value(), expected);
  EXPECT_EQ(parse_utc_time("2030-01-31 12:34:56").value(), expected);
  EXPECT_EQ(parse_utc_time("20300131123456Z").value(), expected);
  EXPECT_EQ(parse_utc_time("2030-01-31").value(),
            std::chrono::sys_days{std::chrono::year{2030} / 1 / 31});
  EXPECT_EQ(format_utc_time(expected), "2030-01-31T12:34:56Z");
}

TEST(Time, RefusesImpossibleDates) {
  for (const char *bad :
       {"", "2030", "2030-02-30", "2030-13-01", "2030-01-31T24:00:00Z", "2030-01-31T12:60:00Z",
        "31/01/2030", "2030-01-31T12:34Z", "2030013112345Z", "x030-01-31"}) {
    EXPECT_ERROR(parse_utc_time(bad), ErrorCode::bad_input) << bad;
  }
  EXPECT_OK(parse_utc_time("2028-02-29"));
  EXPECT_ERROR(parse_utc_time("2029-02-29"), ErrorCode::bad_input);
}

}  // namespace
}  // namespace polytls
