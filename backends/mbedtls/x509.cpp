// x509.cpp: certificate creation (mbedtls_x509write_cert), import, export,
// inspection (mbedtls_x509_crt) and chain verification (mbedtls_x509_crt_verify).
// POLYTLS_MBEDTLS_CERT_CREATE=0 (POLYTLS_CERT_CREATE=OFF) leaves the writer out.
#include <mbedtls/asn1.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "errors.hpp"
#include "internal.hpp"

namespace polytls::mbedtls {
namespace {

constexpr int kSequence = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
constexpr unsigned char kOidEd25519Tlv[] = {0x06, 0x03, 0x2B, 0x65, 0x70};  // 1.3.101.112

#if POLYTLS_MBEDTLS_CERT_CREATE
// oid_ptr gives Mbed TLS's OID string constants the `unsigned char *` its
// named-data lists hold; the certificate writer only reads them.
unsigned char *oid_ptr(const char *oid) noexcept {
  return reinterpret_cast<unsigned char *>(const_cast<char *>(oid));
}

bool same_bytes(const unsigned char *a, std::size_t a_len, polytls_data b) noexcept {
  return a_len == b.len && (a_len == 0 || std::memcmp(a, b.data, a_len) == 0);
}
#endif  // POLYTLS_MBEDTLS_CERT_CREATE

bool oid_is(const mbedtls_asn1_buf &oid, const char *reference,
            std::size_t reference_len) noexcept {
  return oid.len == reference_len && std::memcmp(oid.p, reference, reference_len) == 0;
}
#define POLYTLS_OID_IS(buf, oid) oid_is((buf), (oid), MBEDTLS_OID_SIZE(oid))

#if POLYTLS_MBEDTLS_CERT_CREATE
// ---- DER building with Mbed TLS's backward ASN.1 writer ----------------

// Asn1Out collects DER written from the end of its buffer towards the front,
// the way every mbedtls_asn1_write_* function works.
class Asn1Out {
 public:
  explicit Asn1Out(std::size_t capacity) : buf_(capacity), p_(buf_.data() + buf_.size()) {}

  // mark / wrap: wrap(tag, mark) puts a tag and length in front of
  // everything written since `mark`.
  std::size_t mark() const noexcept { return len_; }
  void raw(const unsigned char *data, std::size_t len) {
    add(mbedtls_asn1_write_raw_buffer(&p_, buf_.data(), data, len));
  }
  void oid(const char *oid, std::size_t len) {
    add(mbedtls_asn1_write_oid(&p_, buf_.data(), oid, len));
  }
  void boolean(int value) { add(mbedtls_asn1_write_bool(&p_, buf_.data(), value)); }
  void integer(int value) { add(mbedtls_asn1_write_int(&p_, buf_.data(), value)); }
  void wrap(unsigned char tag, std::size_t since) {
    const std::size_t content = len_ - since;
    add(mbedtls_asn1_write_len(&p_, buf_.data(), content));
    add(mbedtls_asn1_write_tag(&p_, buf_.data(), tag));
  }

  int error() const noexcept { return error_; }
  const unsigned char *data() const noexcept { return p_; }
  std::size_t size() const noexcept { return len_; }

 private:
  void add(int rc) noexcept {
    if (error_ != 0) return;
    if (rc < 0) {
      error_ = rc;
    } else {
      len_ += static_cast<std::size_t>(rc);
    }
  }

  std::vector<unsigned char> buf_;
  unsigned char *p_;
  std::size_t len_ = 0;
  int error_ = 0;
};

// ---- Names ------------------------------------------------------------

// NameList holds a Name as the certificate writer wants it: a list of
// mbedtls_asn1_named_data, one single-attribute RDN each, in REVERSE
// certificate order (mbedtls_x509_write_names writes the list from the end
// of the buffer backwards, so its head ends up last). Each node keeps the
// attribute's string tag in `val.tag`, which x509_write_name writes as is.
// mbedtls_x509write_crt_set_subject_name is not used: it parses a "C=..,O=.."
// string, picks its own string tags and merges repeated attribute types.
class NameList {
 public:
  NameList() = default;
  NameList(const NameList &) = delete;
  NameList &operator=(const NameList &) = delete;
  ~NameList() {
    // mbedtls_x509_get_name callocs every node after the first; their oid
    // and val point into the borrowed DER.
    mbedtls_x509_name *node = parsed_.next;
    while (node != nullptr) {
      mbedtls_x509_name *next = node->next;
      mbedtls_free(node);
      node = next;
    }
  }

  // from_der reads a DER Name with the library's reader, mbedtls_x509_get_name,
  // which keeps each attribute's OID, string tag and value bytes.
  polytls_status from_der(polytls_data der, const char *which, polytls_error *err) {
    unsigned char *p = const_cast<unsigned char *>(der.data);
    const unsigned char *end = p + der.len;
    std::size_t len = 0;
    int rc = mbedtls_asn1_get_tag(&p, end, &len, kSequence);
    if (rc != 0) {
      char what[96];
      std::snprintf(what, sizeof(what), "cert_create: %s is not a DER Name", which);
      return fail_as(err, POLYTLS_ERR_BAD_INPUT, rc, what);
    }
    if (len != static_cast<std::size_t>(end - p)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cert_create: trailing bytes after the %s Name", which);
    }
    if (len == 0) return POLYTLS_OK;  // the empty Name
    rc = mbedtls_x509_get_name(&p, end, &parsed_);
    if (rc != 0) {
      char what[96];
      std::snprintf(what, sizeof(what), "cert_create: mbedtls_x509_get_name(%s) failed", which);
      return fail_as(err, POLYTLS_ERR_BAD_INPUT, rc, what);
    }
    std::vector<mbedtls_asn1_named_data> in_order;
    for (const mbedtls_x509_name *node = &parsed_; node != nullptr; node = node->next) {
      if (node->next_merged != 0) {
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "cert_create: the %s Name has a multi-valued RDN, which the "
                              "Mbed TLS 2.28 certificate writer cannot reproduce",
                              which);
      }
      mbedtls_asn1_named_data item{};
      item.oid = node->oid;
      item.val = node->val;
      in_order.push_back(item);
    }
    set(in_order);
    return POLYTLS_OK;
  }

  // from_attrs builds the Name from the request's attributes with the
  // polytls string tags (PrintableString for C, IA5String for emailAddress,
  // UTF8String otherwise).
  polytls_status from_attrs(const polytls_name_attr *attrs, std::size_t count, polytls_error *err) {
    std::vector<mbedtls_asn1_named_data> in_order;
    for (std::size_t i = 0; i < count; ++i) {
      mbedtls_asn1_named_data item{};
      const char *oid = nullptr;
      std::size_t oid_len = 0;
      int tag = MBEDTLS_ASN1_UTF8_STRING;
      switch (attrs[i].type) {
        case POLYTLS_ATTR_C:
          oid = MBEDTLS_OID_AT_COUNTRY;
          oid_len = MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_COUNTRY);
          tag = MBEDTLS_ASN1_PRINTABLE_STRING;
          break;
        case POLYTLS_ATTR_ST:
          oid = MBEDTLS_OID_AT_STATE;
          oid_len = MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_STATE);
          break;
        case POLYTLS_ATTR_L:
          oid = MBEDTLS_OID_AT_LOCALITY;
          oid_len = MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_LOCALITY);
          break;
        case POLYTLS_ATTR_O:
          oid = MBEDTLS_OID_AT_ORGANIZATION;
          oid_len = MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORGANIZATION);
          break;
        case POLYTLS_ATTR_OU:
          oid = MBEDTLS_OID_AT_ORG_UNIT;
          oid_len = MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORG_UNIT);
          break;
        case POLYTLS_ATTR_CN:
          oid = MBEDTLS_OID_AT_CN;
          oid_len = MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN);
          break;
        case POLYTLS_ATTR_EMAIL:
          oid = MBEDTLS_OID_PKCS9_EMAIL;
          oid_len = MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS9_EMAIL);
          tag = MBEDTLS_ASN1_IA5_STRING;
          break;
        default:
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "cert_create: unknown name attribute type %u", attrs[i].type);
      }
      item.oid.tag = MBEDTLS_ASN1_OID;
      item.oid.p = oid_ptr(oid);
      item.oid.len = oid_len;
      item.val.tag = tag;
      item.val.p = const_cast<unsigned char *>(attrs[i].value.data);
      item.val.len = attrs[i].value.len;
      in_order.push_back(item);
    }
    set(in_order);
    return POLYTLS_OK;
  }

  mbedtls_asn1_named_data *writer_list() noexcept {
    return nodes_.empty() ? nullptr : nodes_.data();
  }

 private:
  void set(const std::vector<mbedtls_asn1_named_data> &in_order) {
    nodes_.assign(in_order.rbegin(), in_order.rend());
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      nodes_[i].next = i + 1 < nodes_.size() ? &nodes_[i + 1] : nullptr;
      nodes_[i].next_merged = 0;
    }
  }

  mbedtls_x509_name parsed_{};
  std::vector<mbedtls_asn1_named_data> nodes_;
};

// CertWriter owns an mbedtls_x509write_cert whose subject and issuer lists
// belong to NameList objects: they are detached before the writer is freed.
class CertWriter {
 public:
  CertWriter() noexcept { mbedtls_x509write_crt_init(&writer_); }
  ~CertWriter() {
    writer_.subject = nullptr;
    writer_.issuer = nullptr;
    writer_.subject_key = nullptr;
    writer_.issuer_key = nullptr;
    mbedtls_x509write_crt_free(&writer_);
  }
  CertWriter(const CertWriter &) = delete;
  CertWriter &operator=(const CertWriter &) = delete;
  mbedtls_x509write_cert *get() noexcept { return &writer_; }

 private:
  mbedtls_x509write_cert writer_;
};
#endif  // POLYTLS_MBEDTLS_CERT_CREATE

// ---- Times --------------------------------------------------------------

#if POLYTLS_MBEDTLS_CERT_CREATE
// format_time turns Unix seconds into the "YYYYMMDDhhmmss" that
// mbedtls_x509write_crt_set_validity takes.
polytls_status format_time(int64_t seconds, const char *which, char (&out)[32], int *year,
                           polytls_error *err) noexcept {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (static_cast<int64_t>(t) != seconds || gmtime_r(&t, &tm) == nullptr) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: %s is out of range", which);
  }
  *year = tm.tm_year + 1900;
  if (*year < 0 || *year > 9999) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "cert_create: %s year %d is outside 0000-9999", which, *year);
  }
  if (*year >= 1950 && *year <= 1999) {
    // mbedtls 2.28's x509_write_time writes UTCTime only for "20[0-4]x";
    // 1950-1999 would come out as GeneralizedTime, against RFC 5280.
    return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                          "cert_create: Mbed TLS 2.28 cannot write %s in %d as UTCTime", which,
                          *year);
  }
  std::snprintf(out, sizeof(out), "%04d%02d%02d%02d%02d%02d", *year, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return POLYTLS_OK;
}
#endif  // POLYTLS_MBEDTLS_CERT_CREATE

int64_t unix_seconds(const mbedtls_x509_time &t) noexcept {
  return kit::unix_seconds(t.year, t.mon, t.day, t.hour, t.min, t.sec);
}

// ---- Extension values -------------------------------------------------------

// Key usage: polytls numbers bits as RFC 5280 (bit n = 1u << n); Mbed TLS
// keeps the DER BIT STRING's bytes little-endian (bit 0 = 0x80 of byte 0).
struct KeyUsageRow {
  uint32_t polytls;
  unsigned int mbedtls;
};
constexpr KeyUsageRow kKeyUsage[] = {
    {POLYTLS_KU_DIGITAL_SIGNATURE, MBEDTLS_X509_KU_DIGITAL_SIGNATURE},
    {POLYTLS_KU_NON_REPUDIATION, MBEDTLS_X509_KU_NON_REPUDIATION},
    {POLYTLS_KU_KEY_ENCIPHERMENT, MBEDTLS_X509_KU_KEY_ENCIPHERMENT},
    {POLYTLS_KU_DATA_ENCIPHERMENT, MBEDTLS_X509_KU_DATA_ENCIPHERMENT},
    {POLYTLS_KU_KEY_AGREEMENT, MBEDTLS_X509_KU_KEY_AGREEMENT},
    {POLYTLS_KU_KEY_CERT_SIGN, MBEDTLS_X509_KU_KEY_CERT_SIGN},
    {POLYTLS_KU_CRL_SIGN, MBEDTLS_X509_KU_CRL_SIGN},
    {POLYTLS_KU_ENCIPHER_ONLY, MBEDTLS_X509_KU_ENCIPHER_ONLY},
    {POLYTLS_KU_DECIPHER_ONLY, MBEDTLS_X509_KU_DECIPHER_ONLY},
};

struct EkuRow {
  uint32_t polytls;
  const char *oid;
  std::size_t oid_len;
};
#define POLYTLS_EKU_ROW(bit, oid) \
  { bit, oid, MBEDTLS_OID_SIZE(oid) }
const EkuRow kExtKeyUsage[] = {
    POLYTLS_EKU_ROW(POLYTLS_EKU_SERVER_AUTH, MBEDTLS_OID_SERVER_AUTH),
    POLYTLS_EKU_ROW(POLYTLS_EKU_CLIENT_AUTH, MBEDTLS_OID_CLIENT_AUTH),
    POLYTLS_EKU_ROW(POLYTLS_EKU_CODE_SIGNING, MBEDTLS_OID_CODE_SIGNING),
    POLYTLS_EKU_ROW(POLYTLS_EKU_EMAIL_PROTECTION, MBEDTLS_OID_EMAIL_PROTECTION),
    POLYTLS_EKU_ROW(POLYTLS_EKU_TIME_STAMPING, MBEDTLS_OID_TIME_STAMPING),
    POLYTLS_EKU_ROW(POLYTLS_EKU_OCSP_SIGNING, MBEDTLS_OID_OCSP_SIGNING),
};
#undef POLYTLS_EKU_ROW

#if POLYTLS_MBEDTLS_CERT_CREATE
polytls_status set_extension(mbedtls_x509write_cert *writer, const char *oid, std::size_t oid_len,
                             int critical, const unsigned char *value, std::size_t len,
                             const char *name, polytls_error *err) {
  const int rc = mbedtls_x509write_crt_set_extension(writer, oid, oid_len, critical, value, len);
  if (rc != 0) {
    char what[96];
    std::snprintf(what, sizeof(what), "mbedtls_x509write_crt_set_extension(%s) failed", name);
    return fail(err, rc, POLYTLS_ERR_INTERNAL, what);
  }
  return POLYTLS_OK;
}

polytls_status check_asn1(const Asn1Out &out, const char *name, polytls_error *err) {
  if (out.error() == 0) return POLYTLS_OK;
  char what[96];
  std::snprintf(what, sizeof(what), "cert_create: encoding %s failed", name);
  return fail(err, out.error(), POLYTLS_ERR_INTERNAL, what);
}

polytls_status add_basic_constraints(mbedtls_x509write_cert *writer,
                                     const polytls_cert_request_v1 &request, polytls_error *err) {
  const bool is_ca = request.is_ca != 0;
  if (is_ca && request.path_len <= 127) {
    // The setter marks the extension critical when cA is TRUE.
    const int rc = mbedtls_x509write_crt_set_basic_constraints(
        writer, 1, request.path_len < 0 ? -1 : request.path_len);
    if (rc != 0) {
      return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_x509write_crt_set_basic_constraints");
    }
    return POLYTLS_OK;
  }
  // cA FALSE: the setter would write the extension non-critical, and it
  // refuses pathLen > 127; write BasicConstraints ourselves, critical.
  Asn1Out out(32);
  const std::size_t start = out.mark();
  if (is_ca) {
    out.integer(request.path_len);
    out.boolean(1);
  }
  out.wrap(kSequence, start);
  if (polytls_status s = check_asn1(out, "basicConstraints", err); s != POLYTLS_OK) return s;
  return set_extension(writer, MBEDTLS_OID_BASIC_CONSTRAINTS,
                       MBEDTLS_OID_SIZE(MBEDTLS_OID_BASIC_CONSTRAINTS), 1, out.data(), out.size(),
                       "basicConstraints", err);
}

polytls_status add_key_usage(mbedtls_x509write_cert *writer, uint32_t key_usage,
                             polytls_error *err) {
  unsigned int bits = 0;
  uint32_t known = 0;
  for (const KeyUsageRow &row : kKeyUsage) {
    known |= row.polytls;
    if ((key_usage & row.polytls) != 0) bits |= row.mbedtls;
  }
  if ((key_usage & ~known) != 0) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: unknown keyUsage bits 0x%x",
                          key_usage & ~known);
  }
  // mbedtls_x509write_crt_set_key_usage writes the extension critical.
  const int rc = mbedtls_x509write_crt_set_key_usage(writer, bits);
  if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_x509write_crt_set_key_usage");
  return POLYTLS_OK;
}

polytls_status add_ext_key_usage(mbedtls_x509write_cert *writer,
                                 const polytls_cert_request_v1 &request, polytls_error *err) {
  if (request.ext_key_usage == 0) return POLYTLS_OK;
  // Mbed TLS 2.28 has no extendedKeyUsage setter: the value goes in raw.
  if (request.ext_key_usage_der.len != 0) {
    return set_extension(
        writer, MBEDTLS_OID_EXTENDED_KEY_USAGE, MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0,
        request.ext_key_usage_der.data, request.ext_key_usage_der.len, "extendedKeyUsage", err);
  }
  uint32_t known = 0;
  for (const EkuRow &row : kExtKeyUsage)
    known |= row.polytls;
  if ((request.ext_key_usage & ~known) != 0) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "cert_create: unknown extendedKeyUsage bits 0x%x",
                          request.ext_key_usage & ~known);
  }
  Asn1Out out(256);
  const std::size_t start = out.mark();
  for (std::size_t i = std::size(kExtKeyUsage); i-- > 0;) {
    if ((request.ext_key_usage & kExtKeyUsage[i].polytls) != 0) {
      out.oid(kExtKeyUsage[i].oid, kExtKeyUsage[i].oid_len);
    }
  }
  out.wrap(kSequence, start);
  if (polytls_status s = check_asn1(out, "extendedKeyUsage", err); s != POLYTLS_OK) return s;
  return set_extension(writer, MBEDTLS_OID_EXTENDED_KEY_USAGE,
                       MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, out.data(), out.size(),
                       "extendedKeyUsage", err);
}

polytls_status add_subject_alt_name(mbedtls_x509write_cert *writer,
                                    const polytls_cert_request_v1 &request, polytls_error *err) {
  if (request.san_count == 0) return POLYTLS_OK;
  // Mbed TLS 2.28 has no subjectAltName setter: the GeneralNames go in raw.
  if (request.sans_der.len != 0) {
    return set_extension(writer, MBEDTLS_OID_SUBJECT_ALT_NAME,
                         MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, request.sans_der.data,
                         request.sans_der.len, "subjectAltName", err);
  }
  if (request.sans == nullptr) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: san_count without sans");
  }
  std::size_t total = 16;
  for (std::size_t i = 0; i < request.san_count; ++i)
    total += request.sans[i].value.len + 8;
  Asn1Out out(total);
  const std::size_t start = out.mark();
  for (std::size_t i = request.san_count; i-- > 0;) {
    const polytls_san &san = request.sans[i];
    unsigned char tag = 0;
    if (san.type == POLYTLS_SAN_DNS) {
      tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2;  // dNSName
    } else if (san.type == POLYTLS_SAN_IP && (san.value.len == 4 || san.value.len == 16)) {
      tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;  // iPAddress
    } else {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cert_create: SAN %zu has unsupported type %u or length %zu", i,
                            san.type, san.value.len);
    }
    const std::size_t name_start = out.mark();
    out.raw(san.value.data, san.value.len);
    out.wrap(tag, name_start);
  }
  out.wrap(kSequence, start);
  if (polytls_status s = check_asn1(out, "subjectAltName", err); s != POLYTLS_OK) return s;
  return set_extension(writer, MBEDTLS_OID_SUBJECT_ALT_NAME,
                       MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, out.data(), out.size(),
                       "subjectAltName", err);
}

// The key identifiers are the request's bytes, not Mbed TLS's own SHA-1 of
// the key (mbedtls_x509write_crt_set_{subject,authority}_key_identifier).
polytls_status add_key_identifiers(mbedtls_x509write_cert *writer,
                                   const polytls_cert_request_v1 &request, polytls_error *err) {
  if (request.subject_key_id.len != 0) {
    Asn1Out out(request.subject_key_id.len + 16);
    const std::size_t start = out.mark();
    out.raw(request.subject_key_id.data, request.subject_key_id.len);
    out.wrap(MBEDTLS_ASN1_OCTET_STRING, start);  // SubjectKeyIdentifier ::= KeyIdentifier
    if (polytls_status s = check_asn1(out, "subjectKeyIdentifier", err); s != POLYTLS_OK) {
      return s;
    }
    if (polytls_status s = set_extension(writer, MBEDTLS_OID_SUBJECT_KEY_IDENTIFIER,
                                         MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_KEY_IDENTIFIER), 0,
                                         out.data(), out.size(), "subjectKeyIdentifier", err);
        s != POLYTLS_OK) {
      return s;
    }
  }
  if (request.authority_key_id.len != 0) {
    Asn1Out out(request.authority_key_id.len + 16);
    const std::size_t start = out.mark();
    out.raw(request.authority_key_id.data, request.authority_key_id.len);
    out.wrap(MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0, start);  // [0] IMPLICIT keyIdentifier
    out.wrap(kSequence, start);                          // AuthorityKeyIdentifier
    if (polytls_status s = check_asn1(out, "authorityKeyIdentifier", err); s != POLYTLS_OK) {
      return s;
    }
    if (polytls_status s = set_extension(writer, MBEDTLS_OID_AUTHORITY_KEY_IDENTIFIER,
                                         MBEDTLS_OID_SIZE(MBEDTLS_OID_AUTHORITY_KEY_IDENTIFIER), 0,
                                         out.data(), out.size(), "authorityKeyIdentifier", err);
        s != POLYTLS_OK) {
      return s;
    }
  }
  return POLYTLS_OK;
}
#endif  // POLYTLS_MBEDTLS_CERT_CREATE

// ---- Parsing ------------------------------------------------------------

bool contains(std::span<const unsigned char> haystack, std::span<const unsigned char> needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

// parse_one parses exactly one DER certificate into `cert`.
polytls_status parse_one(Cert &cert, std::span<const unsigned char> der, polytls_error *err) {
  if (der.empty()) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_import: empty input");
  }
  const int rc = mbedtls_x509_crt_parse_der(&cert.crt, der.data(), der.size());
  if (rc != 0) {
    const polytls_status status = status_for(rc, POLYTLS_ERR_BAD_INPUT);
    if (status == POLYTLS_ERR_UNSUPPORTED && contains(der, kOidEd25519Tlv)) {
      return fail_as(err, status, rc,
                     "Ed25519 certificates are not supported by Mbed TLS 2.28 "
                     "(mbedtls_x509_crt_parse_der)");
    }
    return fail_as(err, status, rc, "mbedtls_x509_crt_parse_der failed");
  }
  // mbedtls_x509_crt_parse_der ignores bytes after the outer SEQUENCE.
  if (cert.crt.raw.len != der.size()) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "cert_import: %zu trailing bytes after the certificate",
                          der.size() - cert.crt.raw.len);
  }
  return POLYTLS_OK;
}

// ---- Inspection ---------------------------------------------------------

// string_value converts an attribute value, as Mbed TLS parsed it (tag and
// bytes), to UTF-8: UTF8String, PrintableString, IA5String and T61String
// are copied, BMPString (UTF-16BE) and UniversalString (UCS-4BE) converted.
std::string string_value(const mbedtls_x509_buf &val) {
  const unsigned char *p = val.p;
  const std::size_t n = val.len;
  if (val.tag == MBEDTLS_ASN1_BMP_STRING) return kit::bmp_to_utf8({p, n});
  if (val.tag == MBEDTLS_ASN1_UNIVERSAL_STRING) return kit::universal_to_utf8({p, n});
  return std::string(reinterpret_cast<const char *>(p), n);
}

uint32_t attr_type(const mbedtls_x509_buf &oid) noexcept {
  if (POLYTLS_OID_IS(oid, MBEDTLS_OID_AT_COUNTRY)) return POLYTLS_ATTR_C;
  if (POLYTLS_OID_IS(oid, MBEDTLS_OID_AT_STATE)) return POLYTLS_ATTR_ST;
  if (POLYTLS_OID_IS(oid, MBEDTLS_OID_AT_LOCALITY)) return POLYTLS_ATTR_L;
  if (POLYTLS_OID_IS(oid, MBEDTLS_OID_AT_ORGANIZATION)) return POLYTLS_ATTR_O;
  if (POLYTLS_OID_IS(oid, MBEDTLS_OID_AT_ORG_UNIT)) return POLYTLS_ATTR_OU;
  if (POLYTLS_OID_IS(oid, MBEDTLS_OID_AT_CN)) return POLYTLS_ATTR_CN;
  if (POLYTLS_OID_IS(oid, MBEDTLS_OID_PKCS9_EMAIL)) return POLYTLS_ATTR_EMAIL;
  return POLYTLS_ATTR_OTHER;
}

polytls_status report_name(const polytls_cert_visitor *visitor, uint32_t kind,
                           const mbedtls_x509_name &name) {
  for (const mbedtls_x509_name *node = &name; node != nullptr; node = node->next) {
    if (node->oid.p == nullptr) continue;  // the empty Name
    const std::string value = string_value(node->val);
    const polytls_status s =
        kit::report(visitor, kind, attr_type(node->oid), value.data(), value.size());
    if (s != POLYTLS_OK) return s;
  }
  return POLYTLS_OK;
}

uint32_t signature_type(const mbedtls_x509_crt &crt) noexcept {
  if (crt.sig_pk == MBEDTLS_PK_RSASSA_PSS) return POLYTLS_SIG_RSA_PSS;
  if (crt.sig_pk == MBEDTLS_PK_RSA) {
    switch (crt.sig_md) {
      case MBEDTLS_MD_SHA1: return POLYTLS_SIG_RSA_PKCS1_SHA1;
      case MBEDTLS_MD_SHA256: return POLYTLS_SIG_RSA_PKCS1_SHA256;
      case MBEDTLS_MD_SHA384: return POLYTLS_SIG_RSA_PKCS1_SHA384;
      case MBEDTLS_MD_SHA512: return POLYTLS_SIG_RSA_PKCS1_SHA512;
      default: return POLYTLS_SIG_UNKNOWN;
    }
  }
  if (crt.sig_pk == MBEDTLS_PK_ECDSA) {
    switch (crt.sig_md) {
      case MBEDTLS_MD_SHA1: return POLYTLS_SIG_ECDSA_SHA1;
      case MBEDTLS_MD_SHA256: return POLYTLS_SIG_ECDSA_SHA256;
      case MBEDTLS_MD_SHA384: return POLYTLS_SIG_ECDSA_SHA384;
      case MBEDTLS_MD_SHA512: return POLYTLS_SIG_ECDSA_SHA512;
      default: return POLYTLS_SIG_UNKNOWN;
    }
  }
  return POLYTLS_SIG_UNKNOWN;
}

uint32_t san_type(int tag) noexcept {
  switch (tag) {
    case MBEDTLS_ASN1_CONTEXT_SPECIFIC | 1: return POLYTLS_SAN_EMAIL;  // rfc822Name
    case MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2: return POLYTLS_SAN_DNS;    // dNSName
    case MBEDTLS_ASN1_CONTEXT_SPECIFIC | 6: return POLYTLS_SAN_URI;    // uniformResourceIdentifier
    case MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7: return POLYTLS_SAN_IP;     // iPAddress
    default: return POLYTLS_SAN_OTHER;
  }
}

// KeyIds are the keyIdentifier bytes of the SKI and AKI extensions. Mbed TLS
// 2.28 does not keep them in mbedtls_x509_crt; they are read from the raw
// extensions (crt.v3_ext) with the library's ASN.1 reader.
struct KeyIds {
  mbedtls_asn1_buf subject{};
  mbedtls_asn1_buf authority{};
};

KeyIds find_key_ids(const mbedtls_x509_crt &crt) noexcept {
  KeyIds ids;
  if (crt.v3_ext.p == nullptr || crt.v3_ext.len == 0) return ids;
  unsigned char *p = crt.v3_ext.p;
  const unsigned char *end = p + crt.v3_ext.len;
  std::size_t len = 0;
  if (mbedtls_asn1_get_tag(&p, end, &len, kSequence) != 0) return ids;  // Extensions
  end = p + len;
  while (p < end) {
    if (mbedtls_asn1_get_tag(&p, end, &len, kSequence) != 0) return ids;  // Extension
    const unsigned char *ext_end = p + len;
    mbedtls_asn1_buf oid{};
    oid.tag = MBEDTLS_ASN1_OID;
    if (mbedtls_asn1_get_tag(&p, ext_end, &oid.len, MBEDTLS_ASN1_OID) != 0) return ids;
    oid.p = p;
    p += oid.len;
    int critical = 0;
    if (p < ext_end && *p == MBEDTLS_ASN1_BOOLEAN &&
        mbedtls_asn1_get_bool(&p, ext_end, &critical) != 0) {
      return ids;
    }
    if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0) return ids;
    unsigned char *value = p;
    const unsigned char *value_end = p + len;
    if (POLYTLS_OID_IS(oid, MBEDTLS_OID_SUBJECT_KEY_IDENTIFIER)) {
      std::size_t id_len = 0;
      if (mbedtls_asn1_get_tag(&value, value_end, &id_len, MBEDTLS_ASN1_OCTET_STRING) == 0) {
        ids.subject.tag = MBEDTLS_ASN1_OCTET_STRING;
        ids.subject.p = value;
        ids.subject.len = id_len;
      }
    } else if (POLYTLS_OID_IS(oid, MBEDTLS_OID_AUTHORITY_KEY_IDENTIFIER)) {
      std::size_t seq_len = 0;
      std::size_t id_len = 0;
      if (mbedtls_asn1_get_tag(&value, value_end, &seq_len, kSequence) == 0 &&
          mbedtls_asn1_get_tag(&value, value + seq_len, &id_len,
                               MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0) == 0) {
        ids.authority.tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC;
        ids.authority.p = value;
        ids.authority.len = id_len;
      }
    }
    p = const_cast<unsigned char *>(ext_end);
  }
  return ids;
}

polytls_status inspect(const mbedtls_x509_crt &crt, const polytls_cert_visitor *visitor) {
  polytls_status s = kit::report_number(visitor, POLYTLS_FIELD_VERSION, 0, crt.version);
  if (s != POLYTLS_OK) return s;

  const unsigned char *serial = crt.serial.p;
  std::size_t serial_len = crt.serial.len;
  while (serial_len > 0 && serial[0] == 0) {
    ++serial;
    --serial_len;
  }
  if ((s = kit::report(visitor, POLYTLS_FIELD_SERIAL, 0, serial, serial_len)) != POLYTLS_OK) {
    return s;
  }
  if ((s = report_name(visitor, POLYTLS_FIELD_SUBJECT_ATTR, crt.subject)) != POLYTLS_OK) return s;
  if ((s = report_name(visitor, POLYTLS_FIELD_ISSUER_ATTR, crt.issuer)) != POLYTLS_OK) return s;
  if ((s = kit::report_number(visitor, POLYTLS_FIELD_NOT_BEFORE, 0,
                              unix_seconds(crt.valid_from))) != POLYTLS_OK) {
    return s;
  }
  if ((s = kit::report_number(visitor, POLYTLS_FIELD_NOT_AFTER, 0, unix_seconds(crt.valid_to))) !=
      POLYTLS_OK) {
    return s;
  }
  if ((crt.ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME) != 0) {
    for (const mbedtls_x509_sequence *san = &crt.subject_alt_names; san != nullptr;
         san = san->next) {
      if (san->buf.p == nullptr) continue;
      s = kit::report(visitor, POLYTLS_FIELD_SAN, san_type(san->buf.tag), san->buf.p, san->buf.len);
      if (s != POLYTLS_OK) return s;
    }
  }
  if ((s = kit::report_number(visitor, POLYTLS_FIELD_PUBLIC_KEY, key_algorithm(&crt.pk),
                              static_cast<int64_t>(mbedtls_pk_get_bitlen(&crt.pk)))) !=
      POLYTLS_OK) {
    return s;
  }
  if ((s = kit::report_number(visitor, POLYTLS_FIELD_SIGNATURE, signature_type(crt), 0)) !=
      POLYTLS_OK) {
    return s;
  }
  if ((crt.ext_types & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS) != 0) {
    // Mbed TLS stores pathLenConstraint + 1; 0 means absent.
    const int64_t path_len = crt.max_pathlen > 0 ? crt.max_pathlen - 1 : -1;
    s = kit::report_number(visitor, POLYTLS_FIELD_BASIC_CONSTRAINTS, crt.ca_istrue != 0 ? 1 : 0,
                           path_len);
    if (s != POLYTLS_OK) return s;
  }
  if ((crt.ext_types & MBEDTLS_X509_EXT_KEY_USAGE) != 0) {
    uint32_t bits = 0;
    for (const KeyUsageRow &row : kKeyUsage) {
      if ((crt.key_usage & row.mbedtls) != 0) bits |= row.polytls;
    }
    s = kit::report_number(visitor, POLYTLS_FIELD_KEY_USAGE, 0, bits);
    if (s != POLYTLS_OK) return s;
  }
  if ((crt.ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE) != 0) {
    uint32_t bits = 0;
    for (const mbedtls_x509_sequence *eku = &crt.ext_key_usage; eku != nullptr; eku = eku->next) {
      if (eku->buf.p == nullptr) continue;
      for (const EkuRow &row : kExtKeyUsage) {
        if (oid_is(eku->buf, row.oid, row.oid_len)) bits |= row.polytls;
      }
    }
    s = kit::report_number(visitor, POLYTLS_FIELD_EXT_KEY_USAGE, 0, bits);
    if (s != POLYTLS_OK) return s;
  }
  const KeyIds ids = find_key_ids(crt);
  if (ids.subject.p != nullptr) {
    s = kit::report(visitor, POLYTLS_FIELD_SUBJECT_KEY_ID, 0, ids.subject.p, ids.subject.len);
    if (s != POLYTLS_OK) return s;
  }
  if (ids.authority.p != nullptr) {
    s = kit::report(visitor, POLYTLS_FIELD_AUTHORITY_KEY_ID, 0, ids.authority.p, ids.authority.len);
    if (s != POLYTLS_OK) return s;
  }
  return POLYTLS_OK;
}

// append_to appends a copy of `cert`'s DER to a verification list.
polytls_status append_to(mbedtls_x509_crt *list, const polytls_cert *handle, const char *role,
                         polytls_error *err) {
  const Cert *cert = kit::from_handle<Cert>(handle);
  if (cert == nullptr) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_verify: NULL %s certificate", role);
  }
  const int rc = mbedtls_x509_crt_parse_der(list, cert->crt.raw.p, cert->crt.raw.len);
  if (rc != 0) {
    char what[96];
    std::snprintf(what, sizeof(what), "cert_verify: re-reading the %s certificate failed", role);
    return fail(err, rc, POLYTLS_ERR_INTERNAL, what);
  }
  return POLYTLS_OK;
}

}  // namespace

#if POLYTLS_MBEDTLS_CERT_CREATE
polytls_status cert_create(void *ctx, const polytls_cert_request_v1 *request,
                           polytls_cert **out_cert, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    Context *context = context_of(ctx);
    if (context == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0, "cert_create: backend not initialised");
    }
    if (request == nullptr || out_cert == nullptr ||
        !kit::fits_struct(
            request->struct_size,
            offsetof(polytls_cert_request_v1, authority_key_id) + sizeof(polytls_data))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: missing or short request");
    }
    const polytls_cert_request_v1 &req = *request;
    const Key *subject_key = kit::from_handle<Key>(req.subject_key);
    const Key *issuer_key = kit::from_handle<Key>(req.issuer_key);
    const Cert *issuer_cert = kit::from_handle<Cert>(req.issuer_cert);
    if (subject_key == nullptr || issuer_key == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: missing key");
    }
    if (!issuer_key->has_private) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cert_create: the issuer key has no private half");
    }
    if (req.digest != POLYTLS_DIGEST_SHA256 && req.digest != POLYTLS_DIGEST_SHA384 &&
        req.digest != POLYTLS_DIGEST_SHA512) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cert_create: %s certificates are signed with SHA-256/384/512, "
                            "not digest %u",
                            mbedtls_pk_get_name(&issuer_key->pk), req.digest);
    }
    // The issuer key signs (see Key::use_mutex); the subject key is only read.
    std::lock_guard<std::mutex> lock(issuer_key->use_mutex);
    if (issuer_cert != nullptr) {
      const int rc = mbedtls_pk_check_pair(&issuer_cert->crt.pk, &issuer_key->pk);
      if (rc != 0) {
        return fail_as(err, POLYTLS_ERR_BAD_INPUT, rc,
                       "cert_create: issuer_key does not match issuer_cert's public key");
      }
    }

    CertWriter writer;
    mbedtls_x509write_cert *w = writer.get();
    mbedtls_x509write_crt_set_version(w, MBEDTLS_X509_CRT_VERSION_3);

    // Serial: a positive INTEGER of the magnitude bytes (mbedtls_asn1_write_mpi
    // adds the 0x00 pad when the top bit is set).
    std::span<const unsigned char> serial = kit::bytes(req.serial);
    while (!serial.empty() && serial.front() == 0)
      serial = serial.subspan(1);
    if (serial.empty() || serial.size() > 20) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cert_create: the serial must be positive and at most 20 bytes");
    }
    Mpi serial_mpi;
    int rc = mbedtls_mpi_read_binary(serial_mpi.get(), serial.data(), serial.size());
    if (rc == 0) rc = mbedtls_x509write_crt_set_serial(w, serial_mpi.get());
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_x509write_crt_set_serial");

    // Validity.
    char not_before[32];
    char not_after[32];
    int year = 0;
    if (polytls_status s = format_time(req.not_before, "notBefore", not_before, &year, err);
        s != POLYTLS_OK) {
      return s;
    }
    if (polytls_status s = format_time(req.not_after, "notAfter", not_after, &year, err);
        s != POLYTLS_OK) {
      return s;
    }
    rc = mbedtls_x509write_crt_set_validity(w, not_before, not_after);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "mbedtls_x509write_crt_set_validity");

    // Names.
    NameList subject;
    NameList issuer;
    polytls_status s = POLYTLS_OK;
    if (req.subject_der.len != 0) {
      s = subject.from_der(req.subject_der, "subject", err);
    } else {
      s = subject.from_attrs(req.subject, req.subject_count, err);
    }
    if (s != POLYTLS_OK) return s;
    polytls_data issuer_der = req.issuer_der;
    if (issuer_der.len == 0 && issuer_cert != nullptr) {
      issuer_der = {issuer_cert->crt.subject_raw.p, issuer_cert->crt.subject_raw.len};
    }
    if (issuer_der.len != 0) {
      if ((s = issuer.from_der(issuer_der, "issuer", err)) != POLYTLS_OK) return s;
      w->issuer = issuer.writer_list();
    } else {
      w->issuer = subject.writer_list();  // self-signed
    }
    w->subject = subject.writer_list();

    // Keys and signature algorithm.
    mbedtls_x509write_crt_set_subject_key(w, mutable_pk(subject_key));
    mbedtls_x509write_crt_set_issuer_key(w, mutable_pk(issuer_key));
    mbedtls_x509write_crt_set_md_alg(w, md_type(req.digest));

    // Extensions.
    if ((s = add_basic_constraints(w, req, err)) != POLYTLS_OK) return s;
    if ((s = add_key_usage(w, req.key_usage, err)) != POLYTLS_OK) return s;
    if ((s = add_ext_key_usage(w, req, err)) != POLYTLS_OK) return s;
    if ((s = add_subject_alt_name(w, req, err)) != POLYTLS_OK) return s;
    if ((s = add_key_identifiers(w, req, err)) != POLYTLS_OK) return s;

    // Write and sign (DER at the end of the buffer).
    std::vector<unsigned char> buf;
    int written = MBEDTLS_ERR_ASN1_BUF_TOO_SMALL;
    for (std::size_t size = 16 * 1024;
         size <= 1024 * 1024 && (written == MBEDTLS_ERR_ASN1_BUF_TOO_SMALL ||
                                 written == MBEDTLS_ERR_X509_BUFFER_TOO_SMALL);
         size *= 4) {
      buf.assign(size, 0);
      written = mbedtls_x509write_crt_der(w, buf.data(), buf.size(), random_bytes, context);
    }
    if (written < 0) return fail(err, written, POLYTLS_ERR_INTERNAL, "mbedtls_x509write_crt_der");
    const std::span<const unsigned char> der(buf.data() + buf.size() - written,
                                             static_cast<std::size_t>(written));

    auto cert = std::make_unique<Cert>();
    if ((s = parse_one(*cert, der, err)) != POLYTLS_OK) return s;

    // The request's DER is the reference: check the library reproduced it.
    const mbedtls_x509_crt &crt = cert->crt;
    if (req.subject_der.len != 0 &&
        !same_bytes(crt.subject_raw.p, crt.subject_raw.len, req.subject_der)) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0,
                            "cert_create: the written subject Name differs from subject_der");
    }
    if (issuer_der.len != 0 && !same_bytes(crt.issuer_raw.p, crt.issuer_raw.len, issuer_der)) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0,
                            "cert_create: the written issuer Name differs from issuer_der");
    }
    if (req.not_before_der.len != 0 && req.not_after_der.len != 0) {
      std::vector<unsigned char> validity{
          static_cast<unsigned char>(kSequence),
          static_cast<unsigned char>(req.not_before_der.len + req.not_after_der.len)};
      validity.insert(validity.end(), req.not_before_der.data,
                      req.not_before_der.data + req.not_before_der.len);
      validity.insert(validity.end(), req.not_after_der.data,
                      req.not_after_der.data + req.not_after_der.len);
      if (!contains({crt.tbs.p, crt.tbs.len}, validity)) {
        return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0,
                              "cert_create: the written Validity differs from "
                              "not_before_der/not_after_der");
      }
    }
    *out_cert = kit::to_handle<polytls_cert>(cert.release());
    return POLYTLS_OK;
  });
}
#endif  // POLYTLS_MBEDTLS_CERT_CREATE

polytls_status cert_import(void *, polytls_data der, polytls_cert **out_cert,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (out_cert == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_import: out_cert is NULL");
    }
    auto cert = std::make_unique<Cert>();
    if (polytls_status s = parse_one(*cert, kit::bytes(der), err); s != POLYTLS_OK) return s;
    *out_cert = kit::to_handle<polytls_cert>(cert.release());
    return POLYTLS_OK;
  });
}

polytls_status cert_export(void *, const polytls_cert *cert, const polytls_sink *out,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Cert *c = kit::from_handle<Cert>(cert);
    if (c == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_export: NULL");
    return kit::write_to(out, c->crt.raw.p, c->crt.raw.len);
  });
}

polytls_status cert_inspect(void *, const polytls_cert *cert, const polytls_cert_visitor *visitor,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Cert *c = kit::from_handle<Cert>(cert);
    if (c == nullptr || visitor == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_inspect: NULL argument");
    }
    return inspect(c->crt, visitor);
  });
}

polytls_status cert_public_key(void *, const polytls_cert *cert, polytls_key **out_key,
                               polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Cert *c = kit::from_handle<Cert>(cert);
    if (c == nullptr || out_key == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_public_key: NULL argument");
    }
    auto key = std::make_unique<Key>();
    const int rc = mbedtls_pk_parse_public_key(&key->pk, c->crt.pk_raw.p, c->crt.pk_raw.len);
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "mbedtls_pk_parse_public_key failed");
    if (polytls_status s = check_supported_key(&key->pk, err); s != POLYTLS_OK) return s;
    key->has_private = false;
    *out_key = kit::to_handle<polytls_key>(key.release());
    return POLYTLS_OK;
  });
}

polytls_status cert_verify(void *, const polytls_verify_request_v1 *request,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (request == nullptr ||
        !kit::fits_struct(
            request->struct_size,
            offsetof(polytls_verify_request_v1, intermediate_count) + sizeof(size_t))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_verify: missing or short request");
    }
    if (request->leaf == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_verify: no leaf certificate");
    }
    if (request->anchor_count == 0 || request->anchors == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNTRUSTED, MBEDTLS_X509_BADCERT_NOT_TRUSTED,
                            "cert_verify: no trust anchors");
    }
    if (request->intermediate_count != 0 && request->intermediates == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_verify: NULL intermediates");
    }
    // The chain to verify: the leaf first, then the intermediates.
    CrtChain chain;
    polytls_status s = append_to(chain.get(), request->leaf, "leaf", err);
    if (s != POLYTLS_OK) return s;
    for (std::size_t i = 0; i < request->intermediate_count; ++i) {
      if ((s = append_to(chain.get(), request->intermediates[i], "intermediate", err)) !=
          POLYTLS_OK) {
        return s;
      }
    }
    CrtChain anchors;
    for (std::size_t i = 0; i < request->anchor_count; ++i) {
      if ((s = append_to(anchors.get(), request->anchors[i], "anchor", err)) != POLYTLS_OK) {
        return s;
      }
    }
    // No CRL, no expected name (the core checks host names). A self-signed
    // leaf found byte for byte among the anchors is trusted as is
    // (x509_crt_check_ee_locally_trusted).
    uint32_t flags = 0;
    const int rc = mbedtls_x509_crt_verify(chain.get(), anchors.get(), nullptr, nullptr, &flags,
                                           nullptr, nullptr);
    if (rc == 0 && flags == 0) return POLYTLS_OK;
    const polytls_status status =
        flags != 0 ? status_for_verify_flags(flags) : status_for(rc, POLYTLS_ERR_UNTRUSTED);
    std::string info;
    if (flags != 0) {
      char buf[512] = "";
      mbedtls_x509_crt_verify_info(buf, sizeof(buf), "", flags);
      for (const char *c = buf; *c != '\0'; ++c) {
        if (*c != '\n') {
          info.push_back(*c);
        } else if (c[1] != '\0') {
          info += "; ";
        }
      }
    }
    char text[200];
    describe(rc, text, sizeof(text));
    return kit::set_error(err, status, rc, "certificate verification failed: %s (flags 0x%05x; %s)",
                          info.c_str(), static_cast<unsigned>(flags), text);
  });
}

void cert_free(polytls_cert *cert) noexcept {
  delete kit::from_handle<Cert>(cert);
}

}  // namespace polytls::mbedtls
