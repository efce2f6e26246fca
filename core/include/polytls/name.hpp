// polytls/name.hpp: X.509 distinguished names.
#ifndef POLYTLS_NAME_HPP
#define POLYTLS_NAME_HPP

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "polytls/result.hpp"

namespace polytls {

// NameAttribute is an attribute type of a distinguished name.
enum class NameAttribute : uint32_t {
  other = 0,
  country = 1,              // C
  state = 2,                // ST
  locality = 3,             // L
  organization = 4,         // O
  organizational_unit = 5,  // OU
  common_name = 6,          // CN
  email = 7,                // emailAddress
};

// to_string gives the short name used in text form: "C", "ST", "CN", "emailAddress".
std::string_view to_string(NameAttribute attribute) noexcept;

// NameEntry is one attribute with its UTF-8 value.
struct NameEntry {
  NameAttribute type = NameAttribute::other;
  std::string value;
  bool operator==(const NameEntry &) const = default;
};

// DistinguishedName is an ordered list of attributes, most significant
// first (C, ST, L, O, OU, CN as usually written).
class DistinguishedName {
 public:
  DistinguishedName() = default;
  explicit DistinguishedName(std::vector<NameEntry> entries) : entries_(std::move(entries)) {}

  // parse reads "C=BR,ST=Distrito Federal,L=Brasília,O=UnB,OU=CIC,CN=localhost".
  // Attributes are separated by ',' (spaces around them are ignored); '\'
  // escapes a ',' '=' or '\' inside a value. It fails with `bad_input` on an
  // unknown attribute, an empty value, invalid UTF-8, a country that is not
  // two letters, or a value longer than X.509 allows (64; 128 for email).
  static Result<DistinguishedName> parse(std::string_view text);

  // validate applies parse's rules to an already built name.
  Result<void> validate() const;

  const std::vector<NameEntry> &entries() const noexcept { return entries_; }
  bool empty() const noexcept { return entries_.empty(); }
  void add(NameAttribute type, std::string value);

  // find returns the first value of `type`, if any.
  std::optional<std::string> find(NameAttribute type) const;
  std::optional<std::string> common_name() const { return find(NameAttribute::common_name); }

  // to_string renders "C=BR, ST=Distrito Federal, ..., CN=localhost",
  // escaping ',' '=' '\' in values so parse can read it back.
  std::string to_string() const;

  bool operator==(const DistinguishedName &) const = default;

 private:
  std::vector<NameEntry> entries_;
};

}  // namespace polytls

#endif  // POLYTLS_NAME_HPP
