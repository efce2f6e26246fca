#include "polytls/name.hpp"

#include <cctype>
#include <string>

#include "utf8.hpp"

namespace polytls {
namespace {

struct AttributeName {
  std::string_view text;
  NameAttribute type;
};
constexpr AttributeName kNames[] = {
    {"C", NameAttribute::country},
    {"ST", NameAttribute::state},
    {"L", NameAttribute::locality},
    {"O", NameAttribute::organization},
    {"OU", NameAttribute::organizational_unit},
    {"CN", NameAttribute::common_name},
    {"emailAddress", NameAttribute::email},
    {"E", NameAttribute::email},
    {"S", NameAttribute::state},
};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// max_length is the X.520 upper bound for an attribute, in characters.
std::size_t max_length(NameAttribute type) {
  switch (type) {
    case NameAttribute::country: return 2;
    case NameAttribute::state:
    case NameAttribute::locality: return 128;
    case NameAttribute::email: return 255;
    default: return 64;
  }
}

Result<void> validate_entry(const NameEntry &entry) {
  const std::string label(to_string(entry.type));
  if (entry.type == NameAttribute::other) {
    return Error(ErrorCode::bad_input, "unknown name attribute in a certificate request");
  }
  if (entry.value.empty()) return Error(ErrorCode::bad_input, label + " must not be empty");
  const auto length = detail::utf8_length(entry.value);
  if (!length) return Error(ErrorCode::bad_input, label + " is not valid UTF-8");
  if (entry.type == NameAttribute::country) {
    const bool letters = entry.value.size() == 2 &&
                         std::isupper(static_cast<unsigned char>(entry.value[0])) &&
                         std::isupper(static_cast<unsigned char>(entry.value[1]));
    if (!letters) {
      return Error(
          ErrorCode::bad_input,
          "C must be a two-letter ISO 3166 country code in capitals, not '" + entry.value + "'");
    }
  }
  if (*length > max_length(entry.type)) {
    return Error(ErrorCode::bad_input, label + " is longer than X.509 allows (" +
                                           std::to_string(max_length(entry.type)) + " characters)");
  }
  if (entry.type == NameAttribute::email) {
    for (char c : entry.value) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        return Error(ErrorCode::bad_input, "emailAddress must be ASCII");
      }
    }
  }
  return ok();
}

}  // namespace

std::string_view to_string(NameAttribute attribute) noexcept {
  switch (attribute) {
    case NameAttribute::country: return "C";
    case NameAttribute::state: return "ST";
    case NameAttribute::locality: return "L";
    case NameAttribute::organization: return "O";
    case NameAttribute::organizational_unit: return "OU";
    case NameAttribute::common_name: return "CN";
    case NameAttribute::email: return "emailAddress";
    default: return "other";
  }
}

Result<DistinguishedName> DistinguishedName::parse(std::string_view text) {
  DistinguishedName name;
  std::size_t i = 0;
  while (i <= text.size()) {
    // One "key=value" up to an unescaped ','.
    std::string key;
    std::string value;
    bool in_value = false;
    bool escaped = false;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (escaped) {
        (in_value ? value : key) += c;
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == ',') {
        break;
      } else if (c == '=' && !in_value) {
        in_value = true;
      } else {
        (in_value ? value : key) += c;
      }
    }
    if (escaped) return Error(ErrorCode::bad_input, "name ends with a lone '\\'");
    const std::string_view k = trim(key);
    const std::string_view v = trim(value);
    if (!in_value) {
      if (k.empty() && i >= text.size() && name.empty()) {
        return Error(ErrorCode::bad_input, "empty name (expected e.g. 'CN=localhost')");
      }
      return Error(ErrorCode::bad_input,
                   "'" + std::string(k) + "' is not an attribute=value pair (e.g. 'CN=localhost')");
    }
    NameAttribute type = NameAttribute::other;
    for (const AttributeName &candidate : kNames) {
      if (equal_ignoring_case(candidate.text, k)) type = candidate.type;
    }
    if (type == NameAttribute::other) {
      return Error(ErrorCode::bad_input, "unknown name attribute '" + std::string(k) +
                                             "' (known: C, ST, L, O, OU, CN, emailAddress)");
    }
    NameEntry entry{type, std::string(v)};
    POLYTLS_CHECK(validate_entry(entry));
    name.entries_.push_back(std::move(entry));
    ++i;  // skip the ','
  }
  return name;
}

Result<void> DistinguishedName::validate() const {
  if (entries_.empty()) return Error(ErrorCode::bad_input, "the subject name is empty");
  for (const NameEntry &entry : entries_)
    POLYTLS_CHECK(validate_entry(entry));
  return ok();
}

void DistinguishedName::add(NameAttribute type, std::string value) {
  entries_.push_back(NameEntry{type, std::move(value)});
}

std::optional<std::string> DistinguishedName::find(NameAttribute type) const {
  for (const NameEntry &entry : entries_) {
    if (entry.type == type) return entry.value;
  }
  return std::nullopt;
}

std::string DistinguishedName::to_string() const {
  std::string out;
  for (const NameEntry &entry : entries_) {
    if (!out.empty()) out += ", ";
    out += polytls::to_string(entry.type);
    out += '=';
    for (char c : entry.value) {
      if (c == ',' || c == '=' || c == '\\') out += '\\';
      out += c;
    }
  }
  return out;
}

}  // namespace polytls
