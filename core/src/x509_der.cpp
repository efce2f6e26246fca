#include "x509_der.hpp"

#include <chrono>
#include <cstdio>

namespace polytls::der {
namespace {

const char *attribute_oid(NameAttribute type) {
  switch (type) {
    case NameAttribute::country: return "2.5.4.6";
    case NameAttribute::state: return "2.5.4.8";
    case NameAttribute::locality: return "2.5.4.7";
    case NameAttribute::organization: return "2.5.4.10";
    case NameAttribute::organizational_unit: return "2.5.4.11";
    case NameAttribute::common_name: return "2.5.4.3";
    case NameAttribute::email: return "1.2.840.113549.1.9.1";
    default: return nullptr;
  }
}

uint8_t string_tag(NameAttribute type) {
  switch (type) {
    case NameAttribute::country: return kPrintableString;
    case NameAttribute::email: return kIa5String;
    default: return kUtf8String;
  }
}

}  // namespace

Bytes encode_name(const DistinguishedName &name) {
  Bytes rdns;
  for (const NameEntry &entry : name.entries()) {
    const char *oid_text = attribute_oid(entry.type);
    if (oid_text == nullptr) continue;  // validated names never hold `other`
    const Bytes type = oid(oid_text);
    const Bytes value = tlv(string_tag(entry.type), view(entry.value));
    const Bytes atv = sequence({view(type), view(value)});
    const Bytes rdn = set({view(atv)});
    rdns.insert(rdns.end(), rdn.begin(), rdn.end());
  }
  return tlv(kSequence, rdns);
}

Bytes encode_time(UtcTime time) {
  using namespace std::chrono;
  const auto day = floor<days>(time);
  const year_month_day ymd{day};
  const hh_mm_ss hms{time - day};
  const int year = static_cast<int>(ymd.year());
  char buf[32];
  if (year >= 1950 && year <= 2049) {
    std::snprintf(buf, sizeof buf, "%02d%02u%02u%02d%02d%02dZ", year % 100,
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return tlv(kUtcTime, view(std::string_view(buf)));
  }
  std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02dZ", year,
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return tlv(kGeneralizedTime, view(std::string_view(buf)));
}

Result<Bytes> encode_general_names(std::span<const SubjectAltName> names) {
  Bytes body;
  for (const SubjectAltName &name : names) {
    Bytes entry;
    switch (name.type) {
      case SubjectAltName::Type::dns: entry = tlv(context_tag(2, false), view(name.value)); break;
      case SubjectAltName::Type::ip: {
        const std::vector<uint8_t> ip = name.ip_bytes();
        if (ip.empty()) return Error(ErrorCode::bad_input, "invalid IP address " + name.value);
        entry = tlv(context_tag(7, false), ip);
        break;
      }
      default:
        return Error(
            ErrorCode::unsupported,
            "only DNS and IP SubjectAltNames can be put in certificates, not " + name.to_string());
    }
    body.insert(body.end(), entry.begin(), entry.end());
  }
  return tlv(kSequence, body);
}

Bytes encode_ext_key_usage(uint32_t bits) {
  static constexpr struct {
    uint32_t bit;
    const char *oid;
  } kPurposes[] = {
      {1u << 0, "1.3.6.1.5.5.7.3.1"}, {1u << 1, "1.3.6.1.5.5.7.3.2"},
      {1u << 2, "1.3.6.1.5.5.7.3.3"}, {1u << 3, "1.3.6.1.5.5.7.3.4"},
      {1u << 4, "1.3.6.1.5.5.7.3.8"}, {1u << 5, "1.3.6.1.5.5.7.3.9"},
  };
  Bytes body;
  for (const auto &purpose : kPurposes) {
    if ((bits & purpose.bit) == 0) continue;
    const Bytes o = oid(purpose.oid);
    body.insert(body.end(), o.begin(), o.end());
  }
  return tlv(kSequence, body);
}

Result<View> certificate_subject(View certificate) {
  POLYTLS_TRY(Tlv cert, parse_single(certificate, kSequence, "certificate"));
  Reader outer(cert.content);
  POLYTLS_TRY(Tlv tbs, outer.expect(kSequence, "tbsCertificate"));
  Reader fields(tbs.content);
  if (fields.peek_tag() == context_tag(0, true)) {
    POLYTLS_TRY(Tlv version, fields.read());
    (void)version;
  }
  POLYTLS_TRY(Tlv serial, fields.expect(kInteger, "serialNumber"));
  POLYTLS_TRY(Tlv signature, fields.expect(kSequence, "signature"));
  POLYTLS_TRY(Tlv issuer, fields.expect(kSequence, "issuer"));
  POLYTLS_TRY(Tlv validity, fields.expect(kSequence, "validity"));
  POLYTLS_TRY(Tlv subject, fields.expect(kSequence, "subject"));
  (void)serial, (void)signature, (void)issuer, (void)validity;
  return subject.encoding;
}

Result<View> spki_public_key(View spki) {
  POLYTLS_TRY(Tlv info, parse_single(spki, kSequence, "SubjectPublicKeyInfo"));
  Reader fields(info.content);
  POLYTLS_TRY(Tlv algorithm, fields.expect(kSequence, "algorithm"));
  POLYTLS_TRY(Tlv key, fields.expect(kBitString, "subjectPublicKey"));
  POLYTLS_CHECK(fields.expect_end("SubjectPublicKeyInfo"));
  (void)algorithm;
  if (key.content.empty() || key.content[0] != 0) {
    return Error(ErrorCode::bad_input, "subjectPublicKey: unexpected unused bits");
  }
  return key.content.subspan(1);
}

}  // namespace polytls::der
