#include "polytls/time.hpp"

#include <charconv>
#include <cstdio>
#include <string>

namespace polytls {
namespace {

bool read_number(std::string_view text, std::size_t pos, std::size_t len, int &out) {
  if (pos + len > text.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  std::from_chars(text.data() + pos, text.data() + pos + len, out);
  return true;
}

Error bad_time(std::string_view text) {
  return Error(ErrorCode::bad_input,
               "'" + std::string(text) +
                   "' is not a UTC time (use 2030-01-31, 2030-01-31T12:00:00Z or 20300131120000Z)");
}

}  // namespace

UtcTime now_utc() noexcept {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

Result<UtcTime> parse_utc_time(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  bool ok_form = false;
  if (text.size() == 15 && text.back() == 'Z') {  // 20300131120000Z
    ok_form = read_number(text, 0, 4, year) && read_number(text, 4, 2, month) &&
              read_number(text, 6, 2, day) && read_number(text, 8, 2, hour) &&
              read_number(text, 10, 2, minute) && read_number(text, 12, 2, second);
  } else if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
    ok_form = read_number(text, 0, 4, year) && read_number(text, 5, 2, month) &&
              read_number(text, 8, 2, day);
    if (ok_form && text.size() > 10) {
      std::string_view rest = text.substr(10);
      if (rest.back() == 'Z') rest.remove_suffix(1);
      ok_form = rest.size() == 9 && (rest[0] == 'T' || rest[0] == ' ') && rest[3] == ':' &&
                rest[6] == ':' && read_number(rest, 1, 2, hour) &&
                read_number(rest, 4, 2, minute) && read_number(rest, 7, 2, second);
    }
  }
  if (!ok_form) return bad_time(text);
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{year},
                           std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) return bad_time(text);
  return sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second};
}

std::string format_utc_time(UtcTime time) {
  using namespace std::chrono;
  const auto day = floor<days>(time);
  const year_month_day ymd{day};
  const hh_mm_ss hms{time - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace polytls
