// x509.cpp: building, parsing, inspecting and verifying X.509 certificates
// with OpenSSL's X509, X509V3 and X509_STORE APIs.
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <climits>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iterator>
#include <memory>
#include <vector>

#include "errors.hpp"
#include "internal.hpp"

namespace polytls::openssl {
namespace {

using Name = kit::Owned<X509_NAME, X509_NAME_free>;
using Time = kit::Owned<ASN1_TIME, ASN1_TIME_free>;
using Integer = kit::Owned<ASN1_INTEGER, ASN1_INTEGER_free>;
using BigNum = kit::Owned<BIGNUM, BN_free>;
using BasicConstraints = kit::Owned<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using BitString = kit::Owned<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using ExtKeyUsage = kit::Owned<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using GeneralNames = kit::Owned<GENERAL_NAMES, GENERAL_NAMES_free>;
using GeneralName = kit::Owned<GENERAL_NAME, GENERAL_NAME_free>;
using OctetString = kit::Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using IA5String = kit::Owned<ASN1_IA5STRING, ASN1_IA5STRING_free>;
using AuthorityKeyId = kit::Owned<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using Store = kit::Owned<X509_STORE, X509_STORE_free>;
using StoreCtx = kit::Owned<X509_STORE_CTX, X509_STORE_CTX_free>;

// CertStack is a STACK_OF(X509) that borrows its certificates.
struct CertStack {
  STACK_OF(X509) *sk = sk_X509_new_null();
  CertStack() = default;
  CertStack(const CertStack &) = delete;
  CertStack &operator=(const CertStack &) = delete;
  ~CertStack() { sk_X509_free(sk); }
};

// OsslString owns a buffer OpenSSL allocated (ASN1_STRING_to_UTF8, i2d_*).
struct OsslString {
  unsigned char *data = nullptr;
  OsslString() = default;
  OsslString(const OsslString &) = delete;
  OsslString &operator=(const OsslString &) = delete;
  ~OsslString() { OPENSSL_free(data); }
};

// The extendedKeyUsage purposes in POLYTLS_EKU_* bit order.
constexpr int kEkuNids[] = {NID_server_auth,   NID_client_auth, NID_code_sign,
                            NID_email_protect, NID_time_stamp,  NID_OCSP_sign};
constexpr uint32_t kKeyUsageBits = 9;  // digitalSignature (0) .. decipherOnly (8)

polytls_status finish_cert(std::unique_ptr<Cert> cert, polytls_cert **out_cert) noexcept {
  *out_cert = kit::to_handle<polytls_cert>(cert.release());
  return POLYTLS_OK;
}

// make_cert parses exactly one DER certificate and keeps its bytes.
polytls_status make_cert(std::span<const unsigned char> der, std::unique_ptr<Cert> &out,
                         polytls_error *err) {
  if (!is_one_der_object(der)) {
    return fail(err, POLYTLS_ERR_BAD_INPUT,
                "certificate is not exactly one DER object (empty, truncated or trailing bytes)");
  }
  const unsigned char *p = der.data();
  X509Ptr x509{d2i_X509(nullptr, &p, static_cast<long>(der.size()))};
  if (!x509 || p != der.data() + der.size()) {
    return fail(err, POLYTLS_ERR_BAD_INPUT, "not a DER X.509 certificate");
  }
  auto cert = std::make_unique<Cert>();
  cert->x509 = std::move(x509);
  cert->der.assign(der.begin(), der.end());
  out = std::move(cert);
  return POLYTLS_OK;
}

// ---- cert_create helpers ----

// read_name parses a DER Name, keeping its exact bytes (X509_NAME caches the
// encoding it was parsed from and re-emits it unchanged).
polytls_status read_name(polytls_data der, const char *which, Name &out, polytls_error *err) {
  const unsigned char *p = der.data;
  Name name{d2i_X509_NAME(nullptr, &p, static_cast<long>(der.len))};
  if (!name || p != der.data + der.len) {
    char what[64];
    std::snprintf(what, sizeof(what), "the %s Name DER is malformed", which);
    return fail(err, POLYTLS_ERR_BAD_INPUT, what);
  }
  out = std::move(name);
  return POLYTLS_OK;
}

// build_name makes a Name from attributes with the string types the core's
// DER uses: PrintableString for C, IA5String for emailAddress, UTF8String
// for the rest. Used only when the request carries no subject DER.
polytls_status build_name(const polytls_name_attr *attrs, std::size_t count, Name &out,
                          polytls_error *err) {
  Name name{X509_NAME_new()};
  if (!name) return fail(err, POLYTLS_ERR_INTERNAL, "X509_NAME_new failed");
  for (std::size_t i = 0; i < count; ++i) {
    const polytls_name_attr &a = attrs[i];
    int nid = NID_undef;
    int type = V_ASN1_UTF8STRING;
    switch (a.type) {
      case POLYTLS_ATTR_C:
        nid = NID_countryName;
        type = V_ASN1_PRINTABLESTRING;
        break;
      case POLYTLS_ATTR_ST: nid = NID_stateOrProvinceName; break;
      case POLYTLS_ATTR_L: nid = NID_localityName; break;
      case POLYTLS_ATTR_O: nid = NID_organizationName; break;
      case POLYTLS_ATTR_OU: nid = NID_organizationalUnitName; break;
      case POLYTLS_ATTR_CN: nid = NID_commonName; break;
      case POLYTLS_ATTR_EMAIL:
        nid = NID_pkcs9_emailAddress;
        type = V_ASN1_IA5STRING;
        break;
      default:
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown name attribute type %u",
                              a.type);
    }
    if (a.value.len > static_cast<std::size_t>(INT_MAX) ||
        X509_NAME_add_entry_by_NID(name.get(), nid, type, data_ptr(a.value),
                                   static_cast<int>(a.value.len), -1, 0) != 1) {
      return fail(err, POLYTLS_ERR_BAD_INPUT, "adding a name attribute failed");
    }
  }
  out = std::move(name);
  return POLYTLS_OK;
}

polytls_status set_serial(X509 *x, polytls_data serial, polytls_error *err) {
  if (serial.len == 0 || serial.len > 20) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "the serial number must be 1 to 20 bytes, not %zu", serial.len);
  }
  // BN_to_ASN1_INTEGER encodes the magnitude as a positive INTEGER, adding
  // the 0x00 pad when the top bit is set.
  BigNum bn{BN_bin2bn(serial.data, static_cast<int>(serial.len), nullptr)};
  Integer integer{bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr};
  if (!integer || X509_set_serialNumber(x, integer.get()) != 1) {
    return fail(err, POLYTLS_ERR_INTERNAL, "setting the serial number failed");
  }
  return POLYTLS_OK;
}

polytls_status set_validity(X509 *x, int64_t not_before, int64_t not_after, polytls_error *err) {
  // ASN1_TIME_set picks UTCTime for 1950-2049 and GeneralizedTime otherwise,
  // as RFC 5280 requires.
  Time nb{ASN1_TIME_set(nullptr, static_cast<time_t>(not_before))};
  Time na{ASN1_TIME_set(nullptr, static_cast<time_t>(not_after))};
  if (!nb || !na) return fail(err, POLYTLS_ERR_BAD_INPUT, "the validity times are out of range");
  if (X509_set1_notBefore(x, nb.get()) != 1 || X509_set1_notAfter(x, na.get()) != 1) {
    return fail(err, POLYTLS_ERR_INTERNAL, "setting the validity failed");
  }
  return POLYTLS_OK;
}

polytls_status add_ext(X509 *x, int nid, void *value, bool critical, const char *what,
                       polytls_error *err) {
  if (X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
    return fail(err, POLYTLS_ERR_INTERNAL, what);
  }
  return POLYTLS_OK;
}

polytls_status add_extensions(X509 *x, const polytls_cert_request_v1 &req, polytls_error *err) {
  polytls_status status = POLYTLS_OK;

  // basicConstraints, critical; pathLenConstraint only with cA.
  BasicConstraints bc{BASIC_CONSTRAINTS_new()};
  if (!bc) return fail(err, POLYTLS_ERR_INTERNAL, "BASIC_CONSTRAINTS_new failed");
  bc->ca = req.is_ca != 0 ? 0xFF : 0;
  if (req.is_ca != 0 && req.path_len >= 0) {
    bc->pathlen = ASN1_INTEGER_new();
    if (bc->pathlen == nullptr || ASN1_INTEGER_set(bc->pathlen, req.path_len) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "setting pathLenConstraint failed");
    }
  }
  status = add_ext(x, NID_basic_constraints, bc.get(), true, "adding basicConstraints failed", err);
  if (status != POLYTLS_OK) return status;

  // keyUsage, critical; bit n of key_usage is named bit n.
  if ((req.key_usage >> kKeyUsageBits) != 0) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown keyUsage bits 0x%x",
                          req.key_usage);
  }
  BitString ku{ASN1_BIT_STRING_new()};
  if (!ku) return fail(err, POLYTLS_ERR_INTERNAL, "ASN1_BIT_STRING_new failed");
  for (uint32_t bit = 0; bit < kKeyUsageBits; ++bit) {
    if ((req.key_usage & (1u << bit)) != 0 &&
        ASN1_BIT_STRING_set_bit(ku.get(), static_cast<int>(bit), 1) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "setting a keyUsage bit failed");
    }
  }
  status = add_ext(x, NID_key_usage, ku.get(), true, "adding keyUsage failed", err);
  if (status != POLYTLS_OK) return status;

  // extendedKeyUsage, non-critical, when asked for.
  if (req.ext_key_usage != 0) {
    constexpr uint32_t known = (1u << std::size(kEkuNids)) - 1;
    if ((req.ext_key_usage & ~known) != 0) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "unknown extendedKeyUsage bits 0x%x",
                            req.ext_key_usage);
    }
    ExtKeyUsage eku{sk_ASN1_OBJECT_new_null()};
    if (!eku) return fail(err, POLYTLS_ERR_INTERNAL, "creating extendedKeyUsage failed");
    for (std::size_t i = 0; i < std::size(kEkuNids); ++i) {
      if ((req.ext_key_usage & (1u << i)) == 0) continue;
      ASN1_OBJECT *oid = OBJ_nid2obj(kEkuNids[i]);
      if (oid == nullptr || sk_ASN1_OBJECT_push(eku.get(), oid) <= 0) {
        return fail(err, POLYTLS_ERR_INTERNAL, "adding an extendedKeyUsage purpose failed");
      }
    }
    status = add_ext(x, NID_ext_key_usage, eku.get(), false, "adding extendedKeyUsage failed", err);
    if (status != POLYTLS_OK) return status;
  }

  // subjectAltName, non-critical, when there are entries.
  if (req.san_count > 0) {
    if (req.sans == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "san_count without sans");
    }
    GeneralNames names{GENERAL_NAMES_new()};
    if (!names) return fail(err, POLYTLS_ERR_INTERNAL, "GENERAL_NAMES_new failed");
    for (std::size_t i = 0; i < req.san_count; ++i) {
      const polytls_san &san = req.sans[i];
      if (san.value.len > static_cast<std::size_t>(INT_MAX)) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "subjectAltName entry too long");
      }
      GeneralName gn{GENERAL_NAME_new()};
      if (!gn) return fail(err, POLYTLS_ERR_INTERNAL, "GENERAL_NAME_new failed");
      const int len = static_cast<int>(san.value.len);
      if (san.type == POLYTLS_SAN_DNS) {
        if (san.value.len == 0) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "empty DNS subjectAltName");
        }
        IA5String dns{ASN1_IA5STRING_new()};
        if (!dns || ASN1_STRING_set(dns.get(), san.value.data, len) != 1) {
          return fail(err, POLYTLS_ERR_INTERNAL, "setting a DNS name failed");
        }
        GENERAL_NAME_set0_value(gn.get(), GEN_DNS, dns.release());
      } else if (san.type == POLYTLS_SAN_IP) {
        if (san.value.len != 4 && san.value.len != 16) {
          return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                                "an IP subjectAltName is 4 or 16 bytes, not %zu", san.value.len);
        }
        OctetString ip{ASN1_OCTET_STRING_new()};
        if (!ip || ASN1_OCTET_STRING_set(ip.get(), san.value.data, len) != 1) {
          return fail(err, POLYTLS_ERR_INTERNAL, "setting an IP address failed");
        }
        GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, ip.release());
      } else {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                              "subjectAltName type %u is not DNS or IP", san.type);
      }
      if (sk_GENERAL_NAME_push(names.get(), gn.get()) <= 0) {
        return fail(err, POLYTLS_ERR_INTERNAL, "adding a subjectAltName entry failed");
      }
      static_cast<void>(gn.release());  // now owned by `names`
    }
    status =
        add_ext(x, NID_subject_alt_name, names.get(), false, "adding subjectAltName failed", err);
    if (status != POLYTLS_OK) return status;
  }

  // subjectKeyIdentifier: the request's bytes, never a hash OpenSSL makes.
  if (req.subject_key_id.len > 0) {
    OctetString ski{ASN1_OCTET_STRING_new()};
    if (!ski || ASN1_OCTET_STRING_set(ski.get(), req.subject_key_id.data,
                                      static_cast<int>(req.subject_key_id.len)) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "setting subjectKeyIdentifier failed");
    }
    status = add_ext(x, NID_subject_key_identifier, ski.get(), false,
                     "adding subjectKeyIdentifier failed", err);
    if (status != POLYTLS_OK) return status;
  }

  // authorityKeyIdentifier: [0] keyIdentifier only, no issuer/serial.
  if (req.authority_key_id.len > 0) {
    AuthorityKeyId aki{AUTHORITY_KEYID_new()};
    if (!aki) return fail(err, POLYTLS_ERR_INTERNAL, "AUTHORITY_KEYID_new failed");
    aki->keyid = ASN1_OCTET_STRING_new();
    if (aki->keyid == nullptr ||
        ASN1_OCTET_STRING_set(aki->keyid, req.authority_key_id.data,
                              static_cast<int>(req.authority_key_id.len)) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "setting authorityKeyIdentifier failed");
    }
    status = add_ext(x, NID_authority_key_identifier, aki.get(), false,
                     "adding authorityKeyIdentifier failed", err);
    if (status != POLYTLS_OK) return status;
  }
  return POLYTLS_OK;
}

// ---- cert_inspect helpers ----

bool unix_seconds(const ASN1_TIME *t, int64_t &out) noexcept {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return false;
  out = kit::unix_seconds(int64_t{tm.tm_year} + 1900, int64_t{tm.tm_mon} + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec);
  return true;
}

uint32_t attr_type(int nid) noexcept {
  switch (nid) {
    case NID_countryName: return POLYTLS_ATTR_C;
    case NID_stateOrProvinceName: return POLYTLS_ATTR_ST;
    case NID_localityName: return POLYTLS_ATTR_L;
    case NID_organizationName: return POLYTLS_ATTR_O;
    case NID_organizationalUnitName: return POLYTLS_ATTR_OU;
    case NID_commonName: return POLYTLS_ATTR_CN;
    case NID_pkcs9_emailAddress: return POLYTLS_ATTR_EMAIL;
    default: return POLYTLS_ATTR_OTHER;
  }
}

uint32_t signature_type(int nid) noexcept {
  switch (nid) {
    case NID_sha1WithRSAEncryption: return POLYTLS_SIG_RSA_PKCS1_SHA1;
    case NID_sha256WithRSAEncryption: return POLYTLS_SIG_RSA_PKCS1_SHA256;
    case NID_sha384WithRSAEncryption: return POLYTLS_SIG_RSA_PKCS1_SHA384;
    case NID_sha512WithRSAEncryption: return POLYTLS_SIG_RSA_PKCS1_SHA512;
    case NID_ecdsa_with_SHA1: return POLYTLS_SIG_ECDSA_SHA1;
    case NID_ecdsa_with_SHA256: return POLYTLS_SIG_ECDSA_SHA256;
    case NID_ecdsa_with_SHA384: return POLYTLS_SIG_ECDSA_SHA384;
    case NID_ecdsa_with_SHA512: return POLYTLS_SIG_ECDSA_SHA512;
    case NID_ED25519: return POLYTLS_SIG_ED25519;
    case NID_rsassaPss: return POLYTLS_SIG_RSA_PSS;
    default: return POLYTLS_SIG_UNKNOWN;
  }
}

polytls_status report_name(const X509_NAME *name, uint32_t kind,
                           const polytls_cert_visitor *visitor) {
  const int count = X509_NAME_entry_count(name);
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY *entry = X509_NAME_get_entry(name, i);
    const ASN1_STRING *value = X509_NAME_ENTRY_get_data(entry);
    const uint32_t type = attr_type(OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry)));
    OsslString utf8;
    const int len = ASN1_STRING_to_UTF8(&utf8.data, value);
    polytls_status status = POLYTLS_OK;
    if (len >= 0) {
      status = kit::report(visitor, kind, type, utf8.data, static_cast<std::size_t>(len));
    } else {
      // Not convertible (e.g. a malformed BMPString): the raw bytes.
      ERR_clear_error();
      status = kit::report(visitor, kind, type, ASN1_STRING_get0_data(value),
                           static_cast<std::size_t>(ASN1_STRING_length(value)));
    }
    if (status != POLYTLS_OK) return status;
  }
  return POLYTLS_OK;
}

polytls_status report_sans(X509 *x, const polytls_cert_visitor *visitor) {
  GeneralNames names{
      static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr))};
  if (!names) return POLYTLS_OK;
  const int count = sk_GENERAL_NAME_num(names.get());
  for (int i = 0; i < count; ++i) {
    const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names.get(), i);
    uint32_t type = POLYTLS_SAN_OTHER;
    const ASN1_STRING *value = nullptr;
    switch (gn->type) {
      case GEN_DNS:
        type = POLYTLS_SAN_DNS;
        value = gn->d.dNSName;
        break;
      case GEN_IPADD:
        type = POLYTLS_SAN_IP;
        value = gn->d.iPAddress;
        break;
      case GEN_EMAIL:
        type = POLYTLS_SAN_EMAIL;
        value = gn->d.rfc822Name;
        break;
      case GEN_URI:
        type = POLYTLS_SAN_URI;
        value = gn->d.uniformResourceIdentifier;
        break;
      default: break;
    }
    const polytls_status status =
        value != nullptr
            ? kit::report(visitor, POLYTLS_FIELD_SAN, type, ASN1_STRING_get0_data(value),
                          static_cast<std::size_t>(ASN1_STRING_length(value)))
            : kit::report(visitor, POLYTLS_FIELD_SAN, type, nullptr, 0);
    if (status != POLYTLS_OK) return status;
  }
  return POLYTLS_OK;
}

polytls_status report_public_key(X509 *x, const polytls_cert_visitor *visitor) {
  uint32_t type = 0;
  int64_t bits = 0;
  const EVP_PKEY *pkey = X509_get0_pubkey(x);
  ERR_clear_error();  // an undecodable key is reported as type 0
  if (pkey != nullptr) {
    if (EVP_PKEY_is_a(pkey, "RSA")) {
      type = POLYTLS_KEY_RSA;
      bits = EVP_PKEY_get_bits(pkey);
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
      type = POLYTLS_KEY_EC;
      bits = EVP_PKEY_get_bits(pkey);
    } else if (EVP_PKEY_is_a(pkey, "ED25519")) {
      type = POLYTLS_KEY_ED25519;
      bits = 256;
    } else {
      bits = EVP_PKEY_get_bits(pkey);
    }
  }
  return kit::report_number(visitor, POLYTLS_FIELD_PUBLIC_KEY, type, bits);
}

polytls_status report_extensions(X509 *x, const polytls_cert_visitor *visitor) {
  polytls_status status = POLYTLS_OK;
  if (BasicConstraints bc{static_cast<BASIC_CONSTRAINTS *>(
          X509_get_ext_d2i(x, NID_basic_constraints, nullptr, nullptr))}) {
    const int64_t path_len = bc->pathlen != nullptr ? ASN1_INTEGER_get(bc->pathlen) : -1;
    status = kit::report_number(visitor, POLYTLS_FIELD_BASIC_CONSTRAINTS, bc->ca != 0 ? 1u : 0u,
                                path_len);
    if (status != POLYTLS_OK) return status;
  }
  if (BitString ku{
          static_cast<ASN1_BIT_STRING *>(X509_get_ext_d2i(x, NID_key_usage, nullptr, nullptr))}) {
    uint32_t bits = 0;
    for (uint32_t bit = 0; bit < kKeyUsageBits; ++bit) {
      if (ASN1_BIT_STRING_get_bit(ku.get(), static_cast<int>(bit)) != 0) bits |= 1u << bit;
    }
    status = kit::report_number(visitor, POLYTLS_FIELD_KEY_USAGE, 0, bits);
    if (status != POLYTLS_OK) return status;
  }
  if (ExtKeyUsage eku{static_cast<EXTENDED_KEY_USAGE *>(
          X509_get_ext_d2i(x, NID_ext_key_usage, nullptr, nullptr))}) {
    uint32_t bits = 0;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
      const int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), i));
      for (std::size_t b = 0; b < std::size(kEkuNids); ++b) {
        if (kEkuNids[b] == nid) bits |= 1u << b;
      }
    }
    status = kit::report_number(visitor, POLYTLS_FIELD_EXT_KEY_USAGE, 0, bits);
    if (status != POLYTLS_OK) return status;
  }
  if (OctetString ski{static_cast<ASN1_OCTET_STRING *>(
          X509_get_ext_d2i(x, NID_subject_key_identifier, nullptr, nullptr))}) {
    status = kit::report(visitor, POLYTLS_FIELD_SUBJECT_KEY_ID, 0, ASN1_STRING_get0_data(ski.get()),
                         static_cast<std::size_t>(ASN1_STRING_length(ski.get())));
    if (status != POLYTLS_OK) return status;
  }
  if (AuthorityKeyId aki{static_cast<AUTHORITY_KEYID *>(
          X509_get_ext_d2i(x, NID_authority_key_identifier, nullptr, nullptr))}) {
    if (aki->keyid != nullptr) {
      status =
          kit::report(visitor, POLYTLS_FIELD_AUTHORITY_KEY_ID, 0, ASN1_STRING_get0_data(aki->keyid),
                      static_cast<std::size_t>(ASN1_STRING_length(aki->keyid)));
      if (status != POLYTLS_OK) return status;
    }
  }
  ERR_clear_error();  // a malformed extension is simply not reported
  return POLYTLS_OK;
}

}  // namespace

// ---- table members ----

polytls_status cert_create(void *, const polytls_cert_request_v1 *request, polytls_cert **out_cert,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
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
    if (req.subject_der.len > static_cast<std::size_t>(LONG_MAX) ||
        req.issuer_der.len > static_cast<std::size_t>(LONG_MAX) ||
        req.subject_key_id.len > static_cast<std::size_t>(INT_MAX) ||
        req.authority_key_id.len > static_cast<std::size_t>(INT_MAX)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: field too long");
    }

    X509Ptr x{X509_new()};
    if (!x) return fail(err, POLYTLS_ERR_INTERNAL, "X509_new failed");
    if (X509_set_version(x.get(), X509_VERSION_3) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "setting the version failed");
    }
    polytls_status status = set_serial(x.get(), req.serial, err);
    if (status != POLYTLS_OK) return status;

    // Names: the core's DER as is, so the certificate carries those exact bytes.
    Name subject;
    status = req.subject_der.len > 0 ? read_name(req.subject_der, "subject", subject, err)
                                     : build_name(req.subject, req.subject_count, subject, err);
    if (status != POLYTLS_OK) return status;
    Name issuer;
    if (req.issuer_der.len > 0) {
      status = read_name(req.issuer_der, "issuer", issuer, err);
      if (status != POLYTLS_OK) return status;
    } else {
      const X509_NAME *from =
          issuer_cert != nullptr ? X509_get_subject_name(issuer_cert->x509.get()) : subject.get();
      issuer.reset(X509_NAME_dup(from));
      if (!issuer) return fail(err, POLYTLS_ERR_INTERNAL, "copying the issuer name failed");
    }
    if (X509_set_subject_name(x.get(), subject.get()) != 1 ||
        X509_set_issuer_name(x.get(), issuer.get()) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "setting the names failed");
    }

    status = set_validity(x.get(), req.not_before, req.not_after, err);
    if (status != POLYTLS_OK) return status;
    if (X509_set_pubkey(x.get(), subject_key->pkey.get()) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "setting the public key failed");
    }
    status = add_extensions(x.get(), req, err);
    if (status != POLYTLS_OK) return status;

    // Ed25519 signs with no separate digest (md NULL).
    const EVP_MD *md = req.digest == POLYTLS_DIGEST_NONE ? nullptr : md_for(req.digest);
    if (X509_sign(x.get(), issuer_key->pkey.get(), md) <= 0) {
      return fail(err, POLYTLS_ERR_INTERNAL, "signing the certificate failed");
    }
    OsslString der;
    const int len = i2d_X509(x.get(), &der.data);
    if (len <= 0) return fail(err, POLYTLS_ERR_INTERNAL, "encoding the certificate failed");

    // Re-read the signed DER, so a created certificate is the same kind of
    // object as an imported one.
    std::unique_ptr<Cert> cert;
    status = make_cert({der.data, static_cast<std::size_t>(len)}, cert, err);
    if (status != POLYTLS_OK) return status;
    return finish_cert(std::move(cert), out_cert);
  });
}

polytls_status cert_import(void *, polytls_data der, polytls_cert **out_cert,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    if (out_cert == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_import: no output");
    }
    std::unique_ptr<Cert> cert;
    const polytls_status status = make_cert(kit::bytes(der), cert, err);
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
    const ErrorQueueScope queue;
    const Cert *c = kit::from_handle<Cert>(cert);
    if (c == nullptr || visitor == nullptr || visitor->field == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_inspect: bad arguments");
    }
    X509 *x = c->x509.get();
    polytls_status status =
        kit::report_number(visitor, POLYTLS_FIELD_VERSION, 0, X509_get_version(x) + 1);
    if (status != POLYTLS_OK) return status;

    // The INTEGER's content is the big-endian magnitude; strip leading zeros.
    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
    const unsigned char *sp = ASN1_STRING_get0_data(serial);
    auto sn = static_cast<std::size_t>(ASN1_STRING_length(serial));
    while (sn > 0 && *sp == 0) {
      ++sp;
      --sn;
    }
    status = kit::report(visitor, POLYTLS_FIELD_SERIAL, 0, sp, sn);
    if (status != POLYTLS_OK) return status;

    status = kit::report_number(visitor, POLYTLS_FIELD_SIGNATURE,
                                signature_type(X509_get_signature_nid(x)), 0);
    if (status != POLYTLS_OK) return status;
    status = report_name(X509_get_issuer_name(x), POLYTLS_FIELD_ISSUER_ATTR, visitor);
    if (status != POLYTLS_OK) return status;

    int64_t seconds = 0;
    if (!unix_seconds(X509_get0_notBefore(x), seconds)) {
      return fail(err, POLYTLS_ERR_BAD_INPUT, "the certificate's notBefore cannot be read");
    }
    status = kit::report_number(visitor, POLYTLS_FIELD_NOT_BEFORE, 0, seconds);
    if (status != POLYTLS_OK) return status;
    if (!unix_seconds(X509_get0_notAfter(x), seconds)) {
      return fail(err, POLYTLS_ERR_BAD_INPUT, "the certificate's notAfter cannot be read");
    }
    status = kit::report_number(visitor, POLYTLS_FIELD_NOT_AFTER, 0, seconds);
    if (status != POLYTLS_OK) return status;

    status = report_name(X509_get_subject_name(x), POLYTLS_FIELD_SUBJECT_ATTR, visitor);
    if (status != POLYTLS_OK) return status;
    status = report_public_key(x, visitor);
    if (status != POLYTLS_OK) return status;
    status = report_sans(x, visitor);
    if (status != POLYTLS_OK) return status;
    return report_extensions(x, visitor);
  });
}

polytls_status cert_public_key(void *, const polytls_cert *cert, polytls_key **out_key,
                               polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
    const Cert *c = kit::from_handle<Cert>(cert);
    if (c == nullptr || out_key == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_public_key: bad arguments");
    }
    // A fresh key decoded from the certificate's SubjectPublicKeyInfo, so it
    // shares nothing with the certificate object.
    OsslString spki;
    const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c->x509.get()), &spki.data);
    if (len <= 0) {
      return fail(err, POLYTLS_ERR_BAD_INPUT, "reading the certificate's public key failed");
    }
    std::unique_ptr<Key> key;
    const polytls_status status = import_spki({spki.data, static_cast<std::size_t>(len)}, key, err);
    if (status != POLYTLS_OK) return status;
    *out_key = kit::to_handle<polytls_key>(key.release());
    return POLYTLS_OK;
  });
}

polytls_status cert_verify(void *, const polytls_verify_request_v1 *request,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const ErrorQueueScope queue;
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

    Store store{X509_STORE_new()};
    if (!store) return fail(err, POLYTLS_ERR_INTERNAL, "X509_STORE_new failed");
    for (std::size_t i = 0; i < request->anchor_count; ++i) {
      const Cert *anchor = kit::from_handle<Cert>(request->anchors[i]);
      if (anchor == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "NULL anchor");
      // Adding a duplicate is harmless (OpenSSL ignores it).
      if (X509_STORE_add_cert(store.get(), anchor->x509.get()) != 1) {
        return fail(err, POLYTLS_ERR_INTERNAL, "adding a trust anchor failed");
      }
    }
    // PARTIAL_CHAIN: any anchor is trusted as given (an intermediate, or a
    // self-signed leaf), not only self-signed roots. X509_STRICT stays off.
    X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);

    CertStack untrusted;
    if (untrusted.sk == nullptr) return fail(err, POLYTLS_ERR_INTERNAL, "sk_X509_new failed");
    for (std::size_t i = 0; i < request->intermediate_count; ++i) {
      const Cert *mid = kit::from_handle<Cert>(request->intermediates[i]);
      if (mid == nullptr) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "NULL intermediate");
      }
      if (sk_X509_push(untrusted.sk, mid->x509.get()) <= 0) {
        return fail(err, POLYTLS_ERR_INTERNAL, "collecting the intermediates failed");
      }
    }

    StoreCtx ctx{X509_STORE_CTX_new()};
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf->x509.get(), untrusted.sk) != 1) {
      return fail(err, POLYTLS_ERR_INTERNAL, "setting up the verification failed");
    }
    if (X509_verify_cert(ctx.get()) == 1) return POLYTLS_OK;
    const int result = X509_STORE_CTX_get_error(ctx.get());
    if (result == X509_V_OK) {
      return fail(err, POLYTLS_ERR_INTERNAL, "certificate verification failed");
    }
    return kit::set_error(
        err, verify_status_for(result), result, "certificate verification failed at depth %d: %s",
        X509_STORE_CTX_get_error_depth(ctx.get()), X509_verify_cert_error_string(result));
  });
}

void cert_free(polytls_cert *cert) noexcept {
  delete kit::from_handle<Cert>(cert);
}

}  // namespace polytls::openssl
