// x509.cpp: building, parsing, inspecting and verifying X.509 certificates
// with GnuTLS's gnutls_x509_crt_*, gnutls_x509_dn_* and
// gnutls_x509_trust_list_* APIs.
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509-ext.h>
#include <gnutls/x509.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "errors.hpp"
#include "internal.hpp"

namespace polytls::gnutls {
namespace {

using SubjectAltNames = kit::Owned<gnutls_subject_alt_names_st, gnutls_subject_alt_names_deinit>;

// The extendedKeyUsage purposes in POLYTLS_EKU_* bit order.
constexpr const char *kEkuOids[] = {GNUTLS_KP_TLS_WWW_SERVER, GNUTLS_KP_TLS_WWW_CLIENT,
                                    GNUTLS_KP_CODE_SIGNING,   GNUTLS_KP_EMAIL_PROTECTION,
                                    GNUTLS_KP_TIME_STAMPING,  GNUTLS_KP_OCSP_SIGNING};

// keyUsage: GnuTLS's GNUTLS_KEY_* value for RFC 5280 bit n (POLYTLS_KU_* is 1 << n).
constexpr unsigned kKeyUsage[] = {
    GNUTLS_KEY_DIGITAL_SIGNATURE, GNUTLS_KEY_NON_REPUDIATION, GNUTLS_KEY_KEY_ENCIPHERMENT,
    GNUTLS_KEY_DATA_ENCIPHERMENT, GNUTLS_KEY_KEY_AGREEMENT,   GNUTLS_KEY_KEY_CERT_SIGN,
    GNUTLS_KEY_CRL_SIGN,          GNUTLS_KEY_ENCIPHER_ONLY,   GNUTLS_KEY_DECIPHER_ONLY};

polytls_status finish_cert(std::unique_ptr<Cert> cert, polytls_cert **out_cert) noexcept {
  *out_cert = kit::to_handle<polytls_cert>(cert.release());
  return POLYTLS_OK;
}

bool same_bytes(const gnutls_datum_t &d, polytls_data want) noexcept {
  return d.size == want.len && (want.len == 0 || std::memcmp(d.data, want.data, want.len) == 0);
}

// der_header appends a DER tag and definite length.
void der_header(std::vector<unsigned char> &out, unsigned char tag, std::size_t len) {
  out.push_back(tag);
  if (len < 0x80) {
    out.push_back(static_cast<unsigned char>(len));
    return;
  }
  unsigned char bytes[sizeof(std::size_t)];
  std::size_t n = 0;
  for (std::size_t v = len; v != 0; v >>= 8)
    bytes[n++] = static_cast<unsigned char>(v & 0xFF);
  out.push_back(static_cast<unsigned char>(0x80 | n));
  while (n > 0)
    out.push_back(bytes[--n]);
}

// ---- cert_create helpers ----

// SetDn is gnutls_x509_crt_set_dn_by_oid or gnutls_x509_crt_set_issuer_dn_by_oid.
using SetDn = int (*)(gnutls_x509_crt_t, const char *, unsigned int, const void *, unsigned int);

// set_name_from_der writes the DER Name `der` into `crt` one attribute at a
// time: gnutls_x509_dn_import parses it, and each AttributeTypeAndValue is
// written back with raw_flag = 1 (its value TLV as is), so every string
// keeps its tag and bytes. GnuTLS's setters append one RDN per call, so a
// multi-valued RDN cannot be reproduced: UNSUPPORTED.
polytls_status set_name_from_der(gnutls_x509_crt_t crt, SetDn set, polytls_data der,
                                 const char *which, polytls_error *err) {
  if (!is_one_der_object(kit::bytes(der)) || der.data[0] != 0x30) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: the %s Name is not DER",
                          which);
  }
  gnutls_x509_dn_t raw = nullptr;
  int rc = gnutls_x509_dn_init(&raw);
  if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_x509_dn_init");
  const Dn dn{raw};
  const gnutls_datum_t data = as_datum(kit::bytes(der));
  rc = gnutls_x509_dn_import(dn.get(), &data);
  if (rc < 0) {
    char what[96];
    std::snprintf(what, sizeof what, "cert_create: the %s Name DER is malformed", which);
    return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT, what);
  }
  for (int irdn = 0;; ++irdn) {
    gnutls_x509_ava_st ava{};
    rc = gnutls_x509_dn_get_rdn_ava(dn.get(), irdn, 0, &ava);
    if (rc == GNUTLS_E_ASN1_ELEMENT_NOT_FOUND) break;  // past the last RDN
    if (rc < 0) {
      char what[96];
      std::snprintf(what, sizeof what, "cert_create: reading the %s Name failed", which);
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT, what);
    }
    gnutls_x509_ava_st second{};
    if (gnutls_x509_dn_get_rdn_ava(dn.get(), irdn, 1, &second) == 0) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "cert_create: the %s Name has a multi-valued RDN, which the GnuTLS "
                            "certificate writer (one RDN per gnutls_x509_crt_set_dn_by_oid "
                            "call) cannot reproduce",
                            which);
    }
    if (ava.value_tag >= 0x1F) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "cert_create: the %s Name has an attribute value with tag %lu", which,
                            ava.value_tag);
    }
    // The OID comes as dotted text; the value as its tag and content.
    std::string oid(reinterpret_cast<const char *>(ava.oid.data), ava.oid.size);
    while (!oid.empty() && oid.back() == '\0')
      oid.pop_back();
    std::vector<unsigned char> tlv;
    der_header(tlv, static_cast<unsigned char>(ava.value_tag), ava.value.size);
    tlv.insert(tlv.end(), ava.value.data, ava.value.data + ava.value.size);
    rc = set(crt, oid.c_str(), 1, tlv.data(), static_cast<unsigned int>(tlv.size()));
    if (rc < 0) {
      char what[96];
      std::snprintf(what, sizeof what, "cert_create: setting a %s Name attribute failed", which);
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT, what);
    }
  }
  return POLYTLS_OK;
}

// set_name_from_attrs builds the subject from attributes with the string
// tags the core's DER uses (PrintableString for C, IA5String for
// emailAddress, UTF8String otherwise). Used only without subject DER.
polytls_status set_name_from_attrs(gnutls_x509_crt_t crt, const polytls_name_attr *attrs,
                                   std::size_t count, polytls_error *err) {
  if (count == 0 || attrs == nullptr) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: the subject is empty");
  }
  for (std::size_t i = 0; i < count; ++i) {
    const polytls_name_attr &a = attrs[i];
    const char *oid = nullptr;
    unsigned char tag = 0x0C;  // UTF8String
    switch (a.type) {
      case POLYTLS_ATTR_C:
        oid = GNUTLS_OID_X520_COUNTRY_NAME;
        tag = 0x13;  // PrintableString
        break;
      case POLYTLS_ATTR_ST: oid = GNUTLS_OID_X520_STATE_OR_PROVINCE_NAME; break;
      case POLYTLS_ATTR_L: oid = GNUTLS_OID_X520_LOCALITY_NAME; break;
      case POLYTLS_ATTR_O: oid = GNUTLS_OID_X520_ORGANIZATION_NAME; break;
      case POLYTLS_ATTR_OU: oid = GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME; break;
      case POLYTLS_ATTR_CN: oid = GNUTLS_OID_X520_COMMON_NAME; break;
      case POLYTLS_ATTR_EMAIL:
        oid = GNUTLS_OID_PKCS9_EMAIL;
        tag = 0x16;  // IA5String
        break;
      default:
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                              "cert_create: unknown name attribute type %u", a.type);
    }
    const std::span<const unsigned char> value = kit::bytes(a.value);
    std::vector<unsigned char> tlv;
    der_header(tlv, tag, value.size());
    tlv.insert(tlv.end(), value.begin(), value.end());
    const int rc = gnutls_x509_crt_set_dn_by_oid(crt, oid, 1, tlv.data(),
                                                 static_cast<unsigned int>(tlv.size()));
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT,
                  "cert_create: setting a subject attribute failed");
    }
  }
  return POLYTLS_OK;
}

polytls_status set_extensions(gnutls_x509_crt_t crt, const polytls_cert_request_v1 &req,
                              polytls_error *err) {
  // basicConstraints, critical; pathLenConstraint only with cA (-1: none).
  int rc = gnutls_x509_crt_set_basic_constraints(crt, req.is_ca != 0 ? 1 : 0,
                                                 req.is_ca != 0 ? req.path_len : -1);
  if (rc < 0) {
    return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "setting basicConstraints failed");
  }

  // keyUsage, critical.
  if ((req.key_usage >> std::size(kKeyUsage)) != 0) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown keyUsage bits 0x%x",
                          req.key_usage);
  }
  unsigned usage = 0;
  for (std::size_t bit = 0; bit < std::size(kKeyUsage); ++bit) {
    if ((req.key_usage & (1u << bit)) != 0) usage |= kKeyUsage[bit];
  }
  rc = gnutls_x509_crt_set_key_usage(crt, usage);
  if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "setting keyUsage failed");

  // extendedKeyUsage, non-critical, when asked for.
  if (req.ext_key_usage != 0) {
    constexpr uint32_t known = (1u << std::size(kEkuOids)) - 1;
    if ((req.ext_key_usage & ~known) != 0) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown extendedKeyUsage bits 0x%x",
                            req.ext_key_usage);
    }
    for (std::size_t i = 0; i < std::size(kEkuOids); ++i) {
      if ((req.ext_key_usage & (1u << i)) == 0) continue;
      rc = gnutls_x509_crt_set_key_purpose_oid(crt, kEkuOids[i], 0);
      if (rc < 0) {
        return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL,
                    "setting extendedKeyUsage failed");
      }
    }
  }

  // subjectAltName, non-critical, when there are entries.
  if (req.san_count > 0) {
    if (req.sans == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "san_count without sans");
    }
    for (std::size_t i = 0; i < req.san_count; ++i) {
      const polytls_san &san = req.sans[i];
      gnutls_x509_subject_alt_name_t type = GNUTLS_SAN_DNSNAME;
      if (san.type == POLYTLS_SAN_DNS) {
        if (san.value.len == 0 || san.value.len > UINT_MAX) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "bad DNS subjectAltName");
        }
      } else if (san.type == POLYTLS_SAN_IP) {
        if (san.value.len != 4 && san.value.len != 16) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "an IP subjectAltName is 4 or 16 bytes, not %zu", san.value.len);
        }
        type = GNUTLS_SAN_IPADDRESS;
      } else {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                              "subjectAltName type %u is not DNS or IP", san.type);
      }
      // GNUTLS_FSAN_APPEND keeps the entries already set, in order.
      rc = gnutls_x509_crt_set_subject_alt_name(
          crt, type, san.value.data, static_cast<unsigned int>(san.value.len), GNUTLS_FSAN_APPEND);
      if (rc < 0) {
        return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT,
                    "adding a subjectAltName entry failed");
      }
    }
  }

  // subjectKeyIdentifier and authorityKeyIdentifier ([0] keyIdentifier
  // only): the request's bytes, never ones GnuTLS computes.
  if (req.subject_key_id.len > 0) {
    rc = gnutls_x509_crt_set_subject_key_id(crt, req.subject_key_id.data, req.subject_key_id.len);
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL,
                  "setting subjectKeyIdentifier failed");
    }
  }
  if (req.authority_key_id.len > 0) {
    rc = gnutls_x509_crt_set_authority_key_id(crt, req.authority_key_id.data,
                                              req.authority_key_id.len);
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL,
                  "setting authorityKeyIdentifier failed");
    }
  }
  return POLYTLS_OK;
}

// contains tells whether `der` holds `needle` somewhere.
bool contains(const std::vector<unsigned char> &der, const std::vector<unsigned char> &needle) {
  return std::search(der.begin(), der.end(), needle.begin(), needle.end()) != der.end();
}

// check_written compares what GnuTLS wrote with the request, byte for byte:
// the Names, the Validity, and the extendedKeyUsage and subjectAltName
// extensions against the core's DER. GnuTLS encodes these itself, so this
// is where a difference would show.
polytls_status check_written(const Cert &cert, const polytls_cert_request_v1 &req,
                             polytls_error *err) {
  // gnutls_x509_crt_get_raw_dn and _raw_issuer_dn return copies (gnutls_free).
  Datum subject;
  int rc = gnutls_x509_crt_get_raw_dn(cert.crt.get(), subject.get());
  if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "reading the subject");
  if (req.subject_der.len > 0 && !same_bytes(*subject.get(), req.subject_der)) {
    return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0,
                          "GnuTLS wrote a subject Name other than the requested one");
  }
  Datum issuer;
  rc = gnutls_x509_crt_get_raw_issuer_dn(cert.crt.get(), issuer.get());
  if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "reading the issuer");
  if (req.issuer_der.len > 0 && !same_bytes(*issuer.get(), req.issuer_der)) {
    return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0,
                          "GnuTLS wrote an issuer Name other than the requested one");
  }
  if (req.not_before_der.len > 0 && req.not_after_der.len > 0) {
    std::vector<unsigned char> validity;
    der_header(validity, 0x30, req.not_before_der.len + req.not_after_der.len);
    validity.insert(validity.end(), req.not_before_der.data,
                    req.not_before_der.data + req.not_before_der.len);
    validity.insert(validity.end(), req.not_after_der.data,
                    req.not_after_der.data + req.not_after_der.len);
    if (!contains(cert.der, validity)) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0,
                            "GnuTLS wrote a validity other than the requested times");
    }
  }
  struct Ext {
    const char *oid;
    polytls_data want;
    const char *name;
  };
  const Ext exts[] = {
      {GNUTLS_X509EXT_OID_EXTENDED_KEY_USAGE, req.ext_key_usage_der, "extendedKeyUsage"},
      {GNUTLS_X509EXT_OID_SAN, req.sans_der, "subjectAltName"}};
  for (const Ext &ext : exts) {
    if (ext.want.len == 0) continue;
    Datum value;
    unsigned critical = 0;
    rc = gnutls_x509_crt_get_extension_by_oid2(cert.crt.get(), ext.oid, 0, value.get(), &critical);
    if (rc < 0 || critical != 0 || value.size() != ext.want.len ||
        std::memcmp(value.data(), ext.want.data, ext.want.len) != 0) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, rc < 0 ? rc : 0,
                            "GnuTLS wrote a %s extension other than the requested one", ext.name);
    }
  }
  return POLYTLS_OK;
}

// ---- cert_inspect helpers ----

uint32_t attr_type(const std::string &oid) noexcept {
  if (oid == GNUTLS_OID_X520_COUNTRY_NAME) return POLYTLS_ATTR_C;
  if (oid == GNUTLS_OID_X520_STATE_OR_PROVINCE_NAME) return POLYTLS_ATTR_ST;
  if (oid == GNUTLS_OID_X520_LOCALITY_NAME) return POLYTLS_ATTR_L;
  if (oid == GNUTLS_OID_X520_ORGANIZATION_NAME) return POLYTLS_ATTR_O;
  if (oid == GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME) return POLYTLS_ATTR_OU;
  if (oid == GNUTLS_OID_X520_COMMON_NAME) return POLYTLS_ATTR_CN;
  if (oid == GNUTLS_OID_PKCS9_EMAIL) return POLYTLS_ATTR_EMAIL;
  return POLYTLS_ATTR_OTHER;
}

// utf8_of converts a DirectoryString value to UTF-8 by its tag: BMPString
// (UTF-16BE) and UniversalString (UCS-4BE) are converted, TeletexString is
// read as Latin-1 unless it is valid UTF-8 already, the rest (UTF8String,
// PrintableString, IA5String, ...) are their bytes.
bool is_utf8(std::span<const unsigned char> p) noexcept {
  for (std::size_t i = 0; i < p.size();) {
    const unsigned char c = p[i];
    std::size_t n = 0;
    if (c < 0x80) {
      n = 0;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
    } else {
      return false;
    }
    if (n > p.size() - i - 1) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

std::string utf8_of(unsigned long tag, std::span<const unsigned char> value) {
  switch (tag) {
    case 30: return kit::bmp_to_utf8(value);        // BMPString
    case 28: return kit::universal_to_utf8(value);  // UniversalString
    case 20:                                        // TeletexString
      if (!is_utf8(value)) {
        std::string out;
        for (unsigned char c : value)
          kit::append_utf8(out, c);
        return out;
      }
      [[fallthrough]];
    default: return std::string(value.begin(), value.end());
  }
}

polytls_status report_name(gnutls_x509_dn_t dn, uint32_t kind, const polytls_cert_visitor *visitor,
                           polytls_error *err) {
  for (int irdn = 0;; ++irdn) {
    for (int iava = 0;; ++iava) {
      gnutls_x509_ava_st ava{};
      const int rc = gnutls_x509_dn_get_rdn_ava(dn, irdn, iava, &ava);
      if (rc == GNUTLS_E_ASN1_ELEMENT_NOT_FOUND) {
        if (iava == 0) return POLYTLS_OK;  // past the last RDN
        break;                             // past the last attribute of this RDN
      }
      if (rc < 0) {
        return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT,
                    "reading a Name attribute failed");
      }
      std::string oid(reinterpret_cast<const char *>(ava.oid.data), ava.oid.size);
      while (!oid.empty() && oid.back() == '\0')
        oid.pop_back();
      const std::string value = utf8_of(ava.value_tag, {ava.value.data, ava.value.size});
      const polytls_status status =
          kit::report(visitor, kind, attr_type(oid), value.data(), value.size());
      if (status != POLYTLS_OK) return status;
    }
  }
}

uint32_t signature_type(int sign) noexcept {
  switch (sign) {
    case GNUTLS_SIGN_RSA_SHA1: return POLYTLS_SIG_RSA_PKCS1_SHA1;
    case GNUTLS_SIGN_RSA_SHA256: return POLYTLS_SIG_RSA_PKCS1_SHA256;
    case GNUTLS_SIGN_RSA_SHA384: return POLYTLS_SIG_RSA_PKCS1_SHA384;
    case GNUTLS_SIGN_RSA_SHA512: return POLYTLS_SIG_RSA_PKCS1_SHA512;
    case GNUTLS_SIGN_ECDSA_SHA1: return POLYTLS_SIG_ECDSA_SHA1;
    case GNUTLS_SIGN_ECDSA_SHA256: return POLYTLS_SIG_ECDSA_SHA256;
    case GNUTLS_SIGN_ECDSA_SHA384: return POLYTLS_SIG_ECDSA_SHA384;
    case GNUTLS_SIGN_ECDSA_SHA512: return POLYTLS_SIG_ECDSA_SHA512;
    case GNUTLS_SIGN_EDDSA_ED25519: return POLYTLS_SIG_ED25519;
    case GNUTLS_SIGN_RSA_PSS_SHA256:
    case GNUTLS_SIGN_RSA_PSS_SHA384:
    case GNUTLS_SIGN_RSA_PSS_SHA512:
    case GNUTLS_SIGN_RSA_PSS_RSAE_SHA256:
    case GNUTLS_SIGN_RSA_PSS_RSAE_SHA384:
    case GNUTLS_SIGN_RSA_PSS_RSAE_SHA512: return POLYTLS_SIG_RSA_PSS;
    default: return POLYTLS_SIG_UNKNOWN;
  }
}

polytls_status report_public_key(gnutls_x509_crt_t crt, const polytls_cert_visitor *visitor) {
  unsigned int bits = 0;
  const int pk = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
  uint32_t type = 0;
  switch (pk) {
    case GNUTLS_PK_RSA: type = POLYTLS_KEY_RSA; break;
    case GNUTLS_PK_ECDSA: type = POLYTLS_KEY_EC; break;
    case GNUTLS_PK_EDDSA_ED25519:
      type = POLYTLS_KEY_ED25519;
      bits = 256;
      break;
    default: break;  // reported as type 0
  }
  return kit::report_number(visitor, POLYTLS_FIELD_PUBLIC_KEY, type, pk < 0 ? 0 : bits);
}

polytls_status report_sans(gnutls_x509_crt_t crt, const polytls_cert_visitor *visitor,
                           polytls_error *err) {
  Datum ext;
  unsigned critical = 0;
  int rc =
      gnutls_x509_crt_get_extension_by_oid2(crt, GNUTLS_X509EXT_OID_SAN, 0, ext.get(), &critical);
  if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) return POLYTLS_OK;
  if (rc < 0) {
    return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT, "reading subjectAltName failed");
  }
  gnutls_subject_alt_names_t raw = nullptr;
  rc = gnutls_subject_alt_names_init(&raw);
  if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "subject_alt_names_init");
  const SubjectAltNames sans{raw};
  rc = gnutls_x509_ext_import_subject_alt_names(ext.get(), sans.get(), 0);
  if (rc < 0) {
    return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT, "decoding subjectAltName failed");
  }
  for (unsigned seq = 0;; ++seq) {
    unsigned type = 0;
    gnutls_datum_t value{};
    rc = gnutls_subject_alt_names_get(sans.get(), seq, &type, &value, nullptr);
    if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) return POLYTLS_OK;
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT,
                  "reading a subjectAltName entry failed");
    }
    uint32_t sub = POLYTLS_SAN_OTHER;
    switch (type) {
      case GNUTLS_SAN_DNSNAME: sub = POLYTLS_SAN_DNS; break;
      case GNUTLS_SAN_IPADDRESS: sub = POLYTLS_SAN_IP; break;
      case GNUTLS_SAN_RFC822NAME: sub = POLYTLS_SAN_EMAIL; break;
      case GNUTLS_SAN_URI: sub = POLYTLS_SAN_URI; break;
      default: break;
    }
    const polytls_status status =
        kit::report(visitor, POLYTLS_FIELD_SAN, sub, value.data, value.size);
    if (status != POLYTLS_OK) return status;
  }
}

polytls_status report_extensions(gnutls_x509_crt_t crt, const polytls_cert_visitor *visitor) {
  polytls_status status = POLYTLS_OK;
  unsigned critical = 0;
  unsigned ca = 0;
  int path_len = -1;
  int rc = gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca, &path_len);
  if (rc >= 0) {
    status = kit::report_number(visitor, POLYTLS_FIELD_BASIC_CONSTRAINTS, ca != 0 ? 1u : 0u,
                                ca != 0 && path_len >= 0 ? path_len : -1);
    if (status != POLYTLS_OK) return status;
  }
  unsigned usage = 0;
  if (gnutls_x509_crt_get_key_usage(crt, &usage, &critical) >= 0) {
    uint32_t bits = 0;
    for (std::size_t bit = 0; bit < std::size(kKeyUsage); ++bit) {
      if ((usage & kKeyUsage[bit]) != 0) bits |= 1u << bit;
    }
    status = kit::report_number(visitor, POLYTLS_FIELD_KEY_USAGE, 0, bits);
    if (status != POLYTLS_OK) return status;
  }
  {
    bool present = false;
    uint32_t bits = 0;
    for (unsigned indx = 0;; ++indx) {
      char oid[128];
      std::size_t size = sizeof oid;
      rc = gnutls_x509_crt_get_key_purpose_oid(crt, indx, oid, &size, &critical);
      if (rc < 0) break;
      present = true;
      for (std::size_t b = 0; b < std::size(kEkuOids); ++b) {
        if (std::strcmp(oid, kEkuOids[b]) == 0) bits |= 1u << b;
      }
    }
    if (present) {
      status = kit::report_number(visitor, POLYTLS_FIELD_EXT_KEY_USAGE, 0, bits);
      if (status != POLYTLS_OK) return status;
    }
  }
  unsigned char id[128];
  std::size_t id_size = sizeof id;
  if (gnutls_x509_crt_get_subject_key_id(crt, id, &id_size, &critical) >= 0) {
    status = kit::report(visitor, POLYTLS_FIELD_SUBJECT_KEY_ID, 0, id, id_size);
    if (status != POLYTLS_OK) return status;
  }
  id_size = sizeof id;
  if (gnutls_x509_crt_get_authority_key_id(crt, id, &id_size, &critical) >= 0) {
    status = kit::report(visitor, POLYTLS_FIELD_AUTHORITY_KEY_ID, 0, id, id_size);
    if (status != POLYTLS_OK) return status;
  }
  return POLYTLS_OK;
}

// parse_der parses one DER certificate into a fresh GnuTLS object.
int parse_der(std::span<const unsigned char> der, X509Crt &out) {
  gnutls_x509_crt_t raw = nullptr;
  int rc = gnutls_x509_crt_init(&raw);
  if (rc < 0) return rc;
  X509Crt crt{raw};
  const gnutls_datum_t data = as_datum(der);
  rc = gnutls_x509_crt_import(crt.get(), &data, GNUTLS_X509_FMT_DER);
  if (rc < 0) return rc;
  out = std::move(crt);
  return 0;
}

constexpr char kNotOneDer[] =
    "the certificate is not exactly one DER object (empty, truncated or trailing bytes)";

ChainResult chain_failure(polytls_status status, int64_t code, std::string detail) {
  ChainResult result;
  result.status = status;
  result.code = code;
  result.detail = std::move(detail);
  return result;
}

ChainResult library_failure(int rc, const char *what) {
  const char *name = gnutls_strerror_name(rc);
  return chain_failure(
      status_for(rc, Domain::crypto, POLYTLS_ERR_INTERNAL), rc,
      std::string(what) + ": " + gnutls_strerror(rc) + " (" + (name != nullptr ? name : "?") + ")");
}

}  // namespace

// ---- shared (internal.hpp) ----

polytls_status import_cert(std::span<const unsigned char> der, std::unique_ptr<Cert> &out,
                           polytls_error *err) {
  if (!is_one_der_object(der)) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "%s", kNotOneDer);
  }
  auto cert = std::make_unique<Cert>();
  const int rc = parse_der(der, cert->crt);
  if (rc < 0) {
    return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT, "not a DER X.509 certificate");
  }
  cert->der.assign(der.begin(), der.end());
  out = std::move(cert);
  return POLYTLS_OK;
}

polytls_status adopt_cert(std::span<const unsigned char> der, X509Crt crt,
                          std::unique_ptr<Cert> &out, polytls_error *err) {
  if (!is_one_der_object(der)) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "%s", kNotOneDer);
  }
  if (!crt) return import_cert(der, out, err);
  auto cert = std::make_unique<Cert>();
  cert->crt = std::move(crt);
  cert->der.assign(der.begin(), der.end());
  out = std::move(cert);
  return POLYTLS_OK;
}

TrustAnchors::~TrustAnchors() {
  if (list != nullptr) gnutls_x509_trust_list_deinit(list, 1);
}

void build_trust_anchors(std::span<const std::span<const unsigned char>> anchors,
                         TrustAnchors &out) {
  out.count = anchors.size();
  if (anchors.empty()) return;  // verify_chain answers "no trust anchors were given"
  // The anchors, parsed and handed to the trust list, which owns them from
  // then on. Every one is trusted as it is: GnuTLS looks for an issuer
  // among them by name and key identifier whether or not it is self-signed
  // (an intermediate is a partial chain), and a certificate of the chain
  // that is itself in the list ends the path there (a self-signed leaf
  // trusted directly). Only gnutls_x509_trust_list_add_cas fills the list:
  // no PKCS#11 token, no system store, no CRLs.
  int rc = gnutls_x509_trust_list_init(&out.list, 0);
  if (rc < 0) {
    out.list = nullptr;
    out.failure = library_failure(rc, "gnutls_x509_trust_list_init");
    return;
  }
  for (const std::span<const unsigned char> der : anchors) {
    X509Crt anchor;
    rc = parse_der(der, anchor);
    if (rc < 0) {
      out.failure = library_failure(rc, "parsing a trust anchor failed");
      return;
    }
    gnutls_x509_crt_t raw = anchor.get();
    rc = gnutls_x509_trust_list_add_cas(out.list, &raw, 1, 0);
    if (rc < 0) {
      out.failure = library_failure(rc, "adding a trust anchor failed");
      return;
    }
    static_cast<void>(anchor.release());  // owned by the trust list now
  }
}

ChainResult verify_chain(std::span<const std::span<const unsigned char>> chain,
                         const TrustAnchors &trust, const char *purpose,
                         std::vector<X509Crt> *parsed) {
  if (parsed != nullptr) parsed->clear();
  if (chain.empty()) return chain_failure(POLYTLS_ERR_BAD_INPUT, 0, "no certificate to verify");
  if (trust.count == 0) {
    return chain_failure(POLYTLS_ERR_UNTRUSTED, 0, "no trust anchors were given");
  }
  if (trust.failure.status != POLYTLS_OK) return trust.failure;
  if (trust.list == nullptr) {
    return chain_failure(POLYTLS_ERR_INTERNAL, 0, "the trust anchors were not set up");
  }

  std::vector<X509Crt> local;
  std::vector<X509Crt> &owned = parsed != nullptr ? *parsed : local;
  owned.reserve(chain.size());
  for (const std::span<const unsigned char> der : chain) {
    X509Crt crt;
    const int rc = parse_der(der, crt);
    if (rc < 0) {
      owned.clear();
      return library_failure(rc, "parsing a certificate of the chain failed");
    }
    owned.push_back(std::move(crt));
  }
  // The path: the leaf, then its issuer among the other certificates, and
  // so on (gnutls_x509_crt_check_issuer: names and key identifiers).
  // Certificates that are not on the path are left out: GnuTLS keeps an
  // unrelated last certificate as the top of the chain and would report
  // that certificate's dates instead of the missing issuer. The search
  // stops when no certificate is left to add (a lone leaf needs none of
  // these comparisons, which decode key identifiers each time).
  std::vector<gnutls_x509_crt_t> list{owned.front().get()};
  std::vector<bool> used(owned.size(), false);
  used[0] = true;
  std::size_t left = owned.size() - 1;
  for (bool extended = true; extended && left > 0 && list.size() < 16;) {
    extended = false;
    gnutls_x509_crt_t last = list.back();
    if (gnutls_x509_crt_check_issuer(last, last) != 0) break;  // self-issued: the top
    for (std::size_t i = 1; i < owned.size(); ++i) {
      if (!used[i] && gnutls_x509_crt_check_issuer(last, owned[i].get()) != 0) {
        used[i] = true;
        --left;
        list.push_back(owned[i].get());
        extended = true;
        break;
      }
    }
  }

  // Default flags: every certificate's dates
  // are checked (the anchors' too: no DISABLE_TRUSTED_TIME_CHECKS), an
  // issuer must be a CA with keyCertSign, and SHA-1 or weaker signatures
  // are refused (no ALLOW_SIGN_WITH_SHA1).
  //
  // The trust list is only read here, so one list serves calls on several
  // threads at once (a TLS context's sessions): GnuTLS documents read-only
  // use of its objects as thread safe (manual, "Thread safety"; the
  // certificate credentials do the same with their own list in
  // gnutls_certificate_verify_peers). In GnuTLS 3.7 verify_crt2 works on
  // its own copy of the certificate array, looks issuers up with
  // GNUTLS_TL_GET_COPY, and its only write to the list (trust_list_add_compat,
  // GnuTLS issues #1212 and #1277) is on the PKCS#11-token path, which a
  // list filled by gnutls_x509_trust_list_add_cas alone never takes. The
  // anchors' gnutls_x509_crt_t objects are only read (names, key
  // identifiers, public keys, DER compared).
  gnutls_typed_vdata_st data[1] = {};
  unsigned elements = 0;
  if (purpose != nullptr) {
    data[0].type = GNUTLS_DT_KEY_PURPOSE_OID;
    data[0].data = reinterpret_cast<unsigned char *>(const_cast<char *>(purpose));
    data[0].size = 0;
    elements = 1;
  }
  unsigned status = 0;
  const int rc = gnutls_x509_trust_list_verify_crt2(
      trust.list, list.data(), static_cast<unsigned>(list.size()), elements > 0 ? data : nullptr,
      elements, 0, &status, nullptr);
  if (rc < 0) return library_failure(rc, "gnutls_x509_trust_list_verify_crt2");
  if (status == 0) return ChainResult{};
  std::string detail = "certificate verification failed";
  Datum text;
  if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, text.get(), 0) >= 0) {
    detail += ": ";
    detail.append(reinterpret_cast<const char *>(text.data()), text.size());
  }
  return chain_failure(verify_status_for(status), status, std::move(detail));
}

ChainResult verify_chain(std::span<const std::span<const unsigned char>> chain,
                         std::span<const std::span<const unsigned char>> anchors,
                         const char *purpose) {
  if (chain.empty()) return chain_failure(POLYTLS_ERR_BAD_INPUT, 0, "no certificate to verify");
  TrustAnchors trust;
  build_trust_anchors(anchors, trust);
  return verify_chain(chain, trust, purpose, nullptr);
}

// ---- table members ----

polytls_status cert_create(void *, const polytls_cert_request_v1 *request, polytls_cert **out_cert,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (request == nullptr || out_cert == nullptr ||
        !kit::fits_struct(request->struct_size,
                          offsetof(polytls_cert_request_v1, authority_key_id) +
                              sizeof(request->authority_key_id))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: bad arguments");
    }
    const polytls_cert_request_v1 &req = *request;
    const Key *subject_key = kit::from_handle<Key>(req.subject_key);
    const Key *issuer_key = kit::from_handle<Key>(req.issuer_key);
    const Cert *issuer_cert = kit::from_handle<Cert>(req.issuer_cert);
    if (subject_key == nullptr || issuer_key == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: a key is missing");
    }
    if (!issuer_key->has_private) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "the issuer key is public-only and cannot sign");
    }
    if (const polytls_status s =
            kit::check_signature_digest(issuer_key->algorithm, req.digest, false, err);
        s != POLYTLS_OK) {
      return s;
    }
    if (req.serial.len == 0 || req.serial.len > 20 || req.serial.data == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "the serial number must be 1 to 20 bytes, not %zu", req.serial.len);
    }
    if (req.subject_key_id.len > UINT_MAX || req.authority_key_id.len > UINT_MAX) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: key identifier too long");
    }

    gnutls_x509_crt_t raw = nullptr;
    int rc = gnutls_x509_crt_init(&raw);
    if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_x509_crt_init");
    const X509Crt crt{raw};
    rc = gnutls_x509_crt_set_version(crt.get(), 3);
    if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "setting the version");

    // A positive INTEGER: gnutls_x509_crt_set_serial writes the bytes as
    // given, so a magnitude with its top bit set gets its 0x00 pad here.
    std::vector<unsigned char> serial;
    if ((req.serial.data[0] & 0x80) != 0) serial.push_back(0);
    serial.insert(serial.end(), req.serial.data, req.serial.data + req.serial.len);
    rc = gnutls_x509_crt_set_serial(crt.get(), serial.data(), serial.size());
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT, "setting the serial number");
    }

    // The subject, attribute by attribute from the core's DER.
    polytls_status status =
        req.subject_der.len > 0
            ? set_name_from_der(crt.get(), gnutls_x509_crt_set_dn_by_oid, req.subject_der,
                                "subject", err)
            : set_name_from_attrs(crt.get(), req.subject, req.subject_count, err);
    if (status != POLYTLS_OK) return status;

    // Validity: GnuTLS writes UTCTime before 2050 and GeneralizedTime from
    // then on, as RFC 5280 says; check_written compares the bytes with the
    // core's Time TLVs.
    rc = gnutls_x509_crt_set_activation_time(crt.get(), static_cast<time_t>(req.not_before));
    if (rc >= 0) {
      rc = gnutls_x509_crt_set_expiration_time(crt.get(), static_cast<time_t>(req.not_after));
    }
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT, "setting the validity failed");
    }

    rc = gnutls_x509_crt_set_pubkey(crt.get(), subject_key->pub.get());
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "setting the public key failed");
    }
    status = set_extensions(crt.get(), req, err);
    if (status != POLYTLS_OK) return status;

    // gnutls_x509_crt_privkey_sign copies the issuer Name from the subject
    // of the issuer certificate it is given (asn1_copy_node, an exact copy),
    // overwriting any issuer set before. Self-signed: the certificate
    // itself. Issued: a private copy of the issuer certificate, parsed from
    // its DER, so the caller's object is not touched; its subject is the
    // request's issuer_der (check_written compares).
    X509Crt issuer_copy;
    gnutls_x509_crt_t issuer = crt.get();
    if (issuer_cert != nullptr) {
      rc = parse_der(issuer_cert->der, issuer_copy);
      if (rc < 0) {
        return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL,
                    "copying the issuer certificate failed");
      }
      issuer = issuer_copy.get();
    } else if (req.issuer_der.len > 0 &&
               (req.issuer_der.len != req.subject_der.len ||
                std::memcmp(req.issuer_der.data, req.subject_der.data, req.issuer_der.len) != 0)) {
      // Self-signed with an issuer Name other than the subject: a stand-in
      // issuer carrying that Name and the signing key.
      rc = gnutls_x509_crt_init(&raw);
      if (rc < 0)
        return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_x509_crt_init");
      issuer_copy.reset(raw);
      status = set_name_from_der(issuer_copy.get(), gnutls_x509_crt_set_dn_by_oid, req.issuer_der,
                                 "issuer", err);
      if (status != POLYTLS_OK) return status;
      rc = gnutls_x509_crt_set_pubkey(issuer_copy.get(), issuer_key->pub.get());
      if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "issuer stand-in");
      issuer = issuer_copy.get();
    }

    // Ed25519 takes no separate digest; GnuTLS names its signature by
    // SHA-512 (gnutls_pk_to_sign(EDDSA_ED25519, SHA512) = EDDSA_ED25519).
    const gnutls_digest_algorithm_t dig =
        issuer_key->algorithm == POLYTLS_KEY_ED25519 ? GNUTLS_DIG_SHA512 : digest_for(req.digest);
    rc = gnutls_x509_crt_privkey_sign(crt.get(), issuer, issuer_key->priv.get(), dig, 0);
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "signing the certificate failed");
    }
    Datum der;
    rc = gnutls_x509_crt_export2(crt.get(), GNUTLS_X509_FMT_DER, der.get());
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "encoding the certificate failed");
    }
    // Re-read the signed DER (GnuTLS documents that a freshly signed
    // certificate is fully usable only after export and import), so a
    // created certificate is the same kind of object as an imported one.
    std::unique_ptr<Cert> cert;
    status = import_cert(der.bytes(), cert, err);
    if (status != POLYTLS_OK) return status;
    status = check_written(*cert, req, err);
    if (status != POLYTLS_OK) return status;
    return finish_cert(std::move(cert), out_cert);
  });
}

polytls_status cert_import(void *, polytls_data der, polytls_cert **out_cert,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (out_cert == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_import: no output");
    }
    std::unique_ptr<Cert> cert;
    const polytls_status status = import_cert(kit::bytes(der), cert, err);
    if (status != POLYTLS_OK) return status;
    return finish_cert(std::move(cert), out_cert);
  });
}

polytls_status cert_export(void *, const polytls_cert *cert, const polytls_sink *out,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Cert *c = kit::from_handle<Cert>(cert);
    if (c == nullptr || out == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_export: bad arguments");
    }
    return kit::write_to(out, c->der.data(), c->der.size());
  });
}

polytls_status cert_inspect(void *, const polytls_cert *cert, const polytls_cert_visitor *visitor,
                            polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Cert *c = kit::from_handle<Cert>(cert);
    if (c == nullptr || visitor == nullptr || visitor->field == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_inspect: bad arguments");
    }
    gnutls_x509_crt_t crt = c->crt.get();
    const int version = gnutls_x509_crt_get_version(crt);
    if (version < 0) {
      return fail(err, version, Domain::crypto, POLYTLS_ERR_BAD_INPUT, "reading the version");
    }
    polytls_status status = kit::report_number(visitor, POLYTLS_FIELD_VERSION, 0, version);
    if (status != POLYTLS_OK) return status;

    // The INTEGER's content is the big-endian magnitude; strip leading zeros.
    unsigned char serial[64];
    std::size_t serial_size = sizeof serial;
    int rc = gnutls_x509_crt_get_serial(crt, serial, &serial_size);
    if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT, "reading the serial");
    const unsigned char *sp = serial;
    while (serial_size > 0 && *sp == 0) {
      ++sp;
      --serial_size;
    }
    status = kit::report(visitor, POLYTLS_FIELD_SERIAL, 0, sp, serial_size);
    if (status != POLYTLS_OK) return status;

    rc = gnutls_x509_crt_get_signature_algorithm(crt);
    status = kit::report_number(visitor, POLYTLS_FIELD_SIGNATURE, signature_type(rc), 0);
    if (status != POLYTLS_OK) return status;

    // The Names, through GnuTLS's DN objects (pointers into the certificate,
    // not to be freed).
    gnutls_x509_dn_t dn = nullptr;
    rc = gnutls_x509_crt_get_issuer(crt, &dn);
    if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT, "reading the issuer");
    status = report_name(dn, POLYTLS_FIELD_ISSUER_ATTR, visitor, err);
    if (status != POLYTLS_OK) return status;
    rc = gnutls_x509_crt_get_subject(crt, &dn);
    if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT, "reading the subject");
    status = report_name(dn, POLYTLS_FIELD_SUBJECT_ATTR, visitor, err);
    if (status != POLYTLS_OK) return status;

    // Times as time_t (64-bit: GeneralizedTime up to 9999 fits).
    const time_t not_before = gnutls_x509_crt_get_activation_time(crt);
    const time_t not_after = gnutls_x509_crt_get_expiration_time(crt);
    status = kit::report_number(visitor, POLYTLS_FIELD_NOT_BEFORE, 0, not_before);
    if (status != POLYTLS_OK) return status;
    status = kit::report_number(visitor, POLYTLS_FIELD_NOT_AFTER, 0, not_after);
    if (status != POLYTLS_OK) return status;

    status = report_public_key(crt, visitor);
    if (status != POLYTLS_OK) return status;
    status = report_sans(crt, visitor, err);
    if (status != POLYTLS_OK) return status;
    return report_extensions(crt, visitor);
  });
}

polytls_status cert_public_key(void *, const polytls_cert *cert, polytls_key **out_key,
                               polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Cert *c = kit::from_handle<Cert>(cert);
    if (c == nullptr || out_key == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_public_key: bad arguments");
    }
    gnutls_pubkey_t raw = nullptr;
    int rc = gnutls_pubkey_init(&raw);
    if (rc < 0) return fail(err, rc, Domain::crypto, POLYTLS_ERR_INTERNAL, "gnutls_pubkey_init");
    PubKey pub{raw};
    rc = gnutls_pubkey_import_x509(pub.get(), c->crt.get(), 0);
    if (rc < 0) {
      return fail(err, rc, Domain::crypto, POLYTLS_ERR_BAD_INPUT,
                  "reading the certificate's public key failed");
    }
    std::unique_ptr<Key> key;
    const polytls_status status = make_public_key(std::move(pub), key, err);
    if (status != POLYTLS_OK) return status;
    *out_key = kit::to_handle<polytls_key>(key.release());
    return POLYTLS_OK;
  });
}

polytls_status cert_verify(void *, const polytls_verify_request_v1 *request,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (request == nullptr ||
        !kit::fits_struct(request->struct_size,
                          offsetof(polytls_verify_request_v1, intermediate_count) +
                              sizeof(request->intermediate_count))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_verify: bad arguments");
    }
    const Cert *leaf = kit::from_handle<Cert>(request->leaf);
    if (leaf == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "no leaf");
    if (request->anchor_count == 0 || request->anchors == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_UNTRUSTED, 0, "no trust anchors were given");
    }
    if (request->intermediate_count > 0 && request->intermediates == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "intermediate_count without list");
    }
    std::vector<std::span<const unsigned char>> chain{leaf->der};
    for (std::size_t i = 0; i < request->intermediate_count; ++i) {
      const Cert *mid = kit::from_handle<Cert>(request->intermediates[i]);
      if (mid == nullptr) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "NULL intermediate");
      }
      chain.emplace_back(mid->der);
    }
    std::vector<std::span<const unsigned char>> anchors;
    for (std::size_t i = 0; i < request->anchor_count; ++i) {
      const Cert *anchor = kit::from_handle<Cert>(request->anchors[i]);
      if (anchor == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "NULL anchor");
      anchors.emplace_back(anchor->der);
    }
    const ChainResult result = verify_chain(chain, anchors, nullptr);
    if (result.status == POLYTLS_OK) return POLYTLS_OK;
    return kit::set_error(err, result.status, result.code, "%s", result.detail.c_str());
  });
}

void cert_free(polytls_cert *cert) noexcept {
  delete kit::from_handle<Cert>(cert);
}

}  // namespace polytls::gnutls
