// x509.cpp: X.509 certificates with wolfCrypt's certificate generator
// (wc_MakeCert_ex / wc_SignCert_ex), its parser (DecodedCert, wc_ParseCert),
// the compat layer's X509_NAME for distinguished names, and its signature
// check (wc_CheckCertSigPubKey) for chain verification.
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>

#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "der.hpp"
#include "errors.hpp"
#include "internal.hpp"

namespace polytls::wolfssl {
namespace {

// ---- parsing ----

// Decoded is a certificate parsed by wolfCrypt (wc_InitDecodedCert /
// wc_ParseCert / wc_FreeDecodedCert); it points into the caller's DER,
// which must outlive it.
class Decoded {
 public:
  explicit Decoded(ByteView der) : dc_(std::make_unique<DecodedCert>()) {
    wc_InitDecodedCert(dc_.get(), der.data(), static_cast<word32>(der.size()), nullptr);
  }
  ~Decoded() { wc_FreeDecodedCert(dc_.get()); }
  Decoded(const Decoded &) = delete;
  Decoded &operator=(const Decoded &) = delete;

  // parse returns 0 or wolfCrypt's error. An unknown critical extension
  // (ASN_CRIT_EXT_E) is reported by wolfSSL after a complete parse; it is
  // remembered in `unknown_critical` and not an error here.
  int parse() {
    int rc = wc_ParseCert(dc_.get(), CERT_TYPE, NO_VERIFY, nullptr);
    if (rc == ASN_CRIT_EXT_E) {
      unknown_critical = true;
      rc = 0;
    }
    if (rc == 0 && dc_->srcIdx != dc_->maxIdx) rc = ASN_PARSE_E;
    return rc;
  }
  DecodedCert &operator*() const noexcept { return *dc_; }
  DecodedCert *operator->() const noexcept { return dc_.get(); }

  bool unknown_critical = false;

 private:
  std::unique_ptr<DecodedCert> dc_;
};

ByteView subject_raw(const DecodedCert &dc) {
  return dc.subjectRaw != nullptr && dc.subjectRawLen > 0
             ? ByteView(dc.subjectRaw, static_cast<std::size_t>(dc.subjectRawLen))
             : ByteView{};
}
ByteView issuer_raw(const DecodedCert &dc) {
  return dc.issuerRaw != nullptr && dc.issuerRawLen > 0
             ? ByteView(dc.issuerRaw, static_cast<std::size_t>(dc.issuerRawLen))
             : ByteView{};
}

// time_of turns a Time TLV as wolfCrypt parsed it (DecodedCert beforeDate /
// afterDate) into Unix seconds, with wolfCrypt's own date parser.
bool time_of(const byte *tlv, int tlv_len, std::int64_t &out) {
  if (tlv == nullptr || tlv_len <= 0) return false;
  const byte *date = nullptr;
  byte format = 0;
  int length = 0;
  if (wc_GetDateInfo(tlv, tlv_len, &date, &format, &length) != 0) return false;
  struct tm tm {};
  if (wc_GetDateAsCalendarTime(date, length, format, &tm) != 0) return false;
  out = kit::unix_seconds(std::int64_t{tm.tm_year} + 1900, std::int64_t{tm.tm_mon} + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec);
  return true;
}

// ---- creation ----

// Time TLVs per RFC 5280: UTCTime for 1950..2049, GeneralizedTime otherwise.
// Used only when the request carries seconds without the DER.
bool encode_time(std::int64_t seconds, Bytes &out) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  struct tm tm {};
  if (gmtime_r(&t, &tm) == nullptr) return false;
  const int year = tm.tm_year + 1900;
  if (year < 0 || year > 9999) return false;
  char buf[32];
  int n = 0;
  if (year >= 1950 && year <= 2049) {
    n = std::snprintf(buf, sizeof buf, "%02d%02d%02d%02d%02d%02dZ", year % 100, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  } else {
    n = std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02dZ", year, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  out.clear();
  der::append_tlv(
      out, year >= 1950 && year <= 2049 ? 0x17 : 0x18,
      ByteView(reinterpret_cast<const std::uint8_t *>(buf), static_cast<std::size_t>(n)));
  return true;
}

// set_raw_name copies a DER Name into Cert.sbjRaw / Cert.issRaw. wolfSSL
// writes that field, when non-empty, as the Name's contents and wraps it in
// the SEQUENCE itself, so the result is byte-identical to the request. The
// field is NUL-terminated (wolfSSL measures it with strlen), so a Name whose
// encoding contains a zero byte cannot take this route.
polytls_status set_raw_name(byte *field, std::size_t cap, polytls_data name, const char *which,
                            polytls_error *err) {
  der::Tlv tlv;
  if (!der::read_exact(kit::bytes(name), tlv) || tlv.tag != der::kSequence) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: %s is not a DER Name",
                          which);
  }
  if (tlv.value.size() >= cap || std::memchr(tlv.value.data(), 0, tlv.value.size()) != nullptr) {
    return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                          "cert_create: wolfSSL 5.5 takes a raw %s Name only as a NUL-free "
                          "string of under %zu bytes (Cert.%s)",
                          which, cap, which[0] == 's' ? "sbjRaw" : "issRaw");
  }
  std::memset(field, 0, cap);
  std::memcpy(field, tlv.value.data(), tlv.value.size());
  return POLYTLS_OK;
}

// set_time copies a Time TLV into Cert.beforeDate / Cert.afterDate, which
// wolfSSL writes verbatim instead of computing dates from daysValid.
polytls_status set_time(byte *field, int &field_len, polytls_data tlv_in, std::int64_t seconds,
                        const char *which, polytls_error *err) {
  Bytes encoded;
  ByteView tlv_bytes = kit::bytes(tlv_in);
  if (tlv_bytes.empty()) {
    if (!encode_time(seconds, encoded)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: bad %s time", which);
    }
    tlv_bytes = encoded;
  }
  der::Tlv tlv;
  if (!der::read_exact(tlv_bytes, tlv) || (tlv.tag != 0x17 && tlv.tag != 0x18) ||
      tlv_bytes.size() > CTC_DATE_SIZE) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "cert_create: %s is not a UTCTime or GeneralizedTime", which);
  }
  std::memcpy(field, tlv_bytes.data(), tlv_bytes.size());
  field_len = static_cast<int>(tlv_bytes.size());
  return POLYTLS_OK;
}

// keyUsage: polytls numbers bits as RFC 5280 (bit n = 1 << n); wolfSSL's
// KEYUSE_* are the bits of the encoded BIT STRING's first two bytes.
struct BitRow {
  std::uint32_t polytls;
  unsigned wolf;
};
constexpr BitRow kKeyUsage[] = {
    {POLYTLS_KU_DIGITAL_SIGNATURE, KEYUSE_DIGITAL_SIG},
    {POLYTLS_KU_NON_REPUDIATION, KEYUSE_CONTENT_COMMIT},
    {POLYTLS_KU_KEY_ENCIPHERMENT, KEYUSE_KEY_ENCIPHER},
    {POLYTLS_KU_DATA_ENCIPHERMENT, KEYUSE_DATA_ENCIPHER},
    {POLYTLS_KU_KEY_AGREEMENT, KEYUSE_KEY_AGREE},
    {POLYTLS_KU_KEY_CERT_SIGN, KEYUSE_KEY_CERT_SIGN},
    {POLYTLS_KU_CRL_SIGN, KEYUSE_CRL_SIGN},
    {POLYTLS_KU_ENCIPHER_ONLY, KEYUSE_ENCIPHER_ONLY},
    {POLYTLS_KU_DECIPHER_ONLY, KEYUSE_DECIPHER_ONLY},
};
constexpr BitRow kExtKeyUsage[] = {
    {POLYTLS_EKU_SERVER_AUTH, EXTKEYUSE_SERVER_AUTH},
    {POLYTLS_EKU_CLIENT_AUTH, EXTKEYUSE_CLIENT_AUTH},
    {POLYTLS_EKU_CODE_SIGNING, EXTKEYUSE_CODESIGN},
    {POLYTLS_EKU_EMAIL_PROTECTION, EXTKEYUSE_EMAILPROT},
    {POLYTLS_EKU_TIME_STAMPING, EXTKEYUSE_TIMESTAMP},
    {POLYTLS_EKU_OCSP_SIGNING, EXTKEYUSE_OCSP_SIGN},
};

template <std::size_t N>
bool to_wolf_bits(const BitRow (&table)[N], std::uint32_t bits, unsigned &out) {
  out = 0;
  for (const BitRow &row : table) {
    if (bits & row.polytls) {
      out |= row.wolf;
      bits &= ~row.polytls;
    }
  }
  return bits == 0;
}
template <std::size_t N>
std::uint32_t to_polytls_bits(const BitRow (&table)[N], unsigned bits) {
  std::uint32_t out = 0;
  for (const BitRow &row : table) {
    if (bits & row.wolf) out |= row.polytls;
  }
  return out;
}

// signature_type picks wolfSSL's CTC_* signature algorithm for the issuer key.
polytls_status signature_type(const Key &issuer, std::uint32_t digest, int &out,
                              polytls_error *err) {
  if (issuer.ed) {
    if (digest == POLYTLS_DIGEST_NONE) {
      out = CTC_ED25519;
      return POLYTLS_OK;
    }
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                          "cert_create: an Ed25519 issuer signs with digest NONE");
  }
  const bool rsa = issuer.rsa != nullptr;
  switch (digest) {
    case POLYTLS_DIGEST_SHA256: out = rsa ? CTC_SHA256wRSA : CTC_SHA256wECDSA; return POLYTLS_OK;
    case POLYTLS_DIGEST_SHA384: out = rsa ? CTC_SHA384wRSA : CTC_SHA384wECDSA; return POLYTLS_OK;
    case POLYTLS_DIGEST_SHA512: out = rsa ? CTC_SHA512wRSA : CTC_SHA512wECDSA; return POLYTLS_OK;
    default:
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cert_create: RSA and ECDSA issuers sign with SHA-256, SHA-384 or "
                            "SHA-512 (digest %u)",
                            static_cast<unsigned>(digest));
  }
}

// rewrite_basic_constraints replaces the basicConstraints extension in the
// TBSCertificate wc_MakeCert_ex produced. wolfSSL 5.5.4's certificate
// generator (the non-template asn.c this Debian build uses) writes
// basicConstraints without the critical flag and never writes
// pathLenConstraint (Cert.pathLen / Cert.pathLenSet are ignored), and this
// build has no custom-extension API (WOLFSSL_CUSTOM_OID is off). So the
// extension is re-encoded as RFC 5280 wants it — critical, cA, pathLen —
// before wolfSSL signs the TBSCertificate (wc_SignCert_ex). Everything else
// in the TBSCertificate is wolfSSL's output, unchanged.
bool rewrite_basic_constraints(ByteView tbs, bool is_ca, std::int32_t path_len, Bytes &out) {
  der::Tlv top;
  if (!der::read_exact(tbs, top) || top.tag != der::kSequence) return false;
  // The new extension.
  Bytes value;
  if (is_ca) {
    const std::uint8_t yes[] = {0xff};
    der::append_tlv(value, der::kBoolean, yes);
    if (path_len >= 0) {
      std::uint8_t buf[5];
      std::size_t n = 0;
      std::uint32_t v = static_cast<std::uint32_t>(path_len);
      do {
        buf[n++] = static_cast<std::uint8_t>(v & 0xff);
        v >>= 8;
      } while (v != 0);
      if (buf[n - 1] & 0x80) buf[n++] = 0;  // keep the INTEGER positive
      std::uint8_t be[5];
      for (std::size_t i = 0; i < n; ++i)
        be[i] = buf[n - 1 - i];
      der::append_tlv(value, der::kInteger, ByteView(be, n));
    }
  }
  Bytes bc_seq;
  der::append_tlv(bc_seq, der::kSequence, value);
  Bytes ext_body;
  der::append_tlv(ext_body, der::kOid, der::kOidBasicConstraints);
  const std::uint8_t critical[] = {0xff};
  der::append_tlv(ext_body, der::kBoolean, critical);
  der::append_tlv(ext_body, der::kOctetString, bc_seq);

  Bytes body;
  bool replaced = false;
  der::Reader fields(top.value);
  der::Tlv field;
  while (!fields.empty()) {
    if (!fields.next(field)) return false;
    if (field.tag != 0xa3) {
      body.insert(body.end(), field.whole.begin(), field.whole.end());
      continue;
    }
    der::Tlv exts;
    if (!der::read_exact(field.value, exts) || exts.tag != der::kSequence) return false;
    Bytes ext_list;
    der::Reader items(exts.value);
    der::Tlv ext;
    while (!items.empty()) {
      if (!items.next(ext) || ext.tag != der::kSequence) return false;
      der::Tlv oid;
      if (!der::read(ext.value, oid)) return false;
      if (oid.tag == der::kOid && der::equals(oid.value, der::kOidBasicConstraints)) {
        der::append_tlv(ext_list, der::kSequence, ext_body);
        replaced = true;
      } else {
        ext_list.insert(ext_list.end(), ext.whole.begin(), ext.whole.end());
      }
    }
    Bytes seq;
    der::append_tlv(seq, der::kSequence, ext_list);
    der::append_tlv(body, 0xa3, seq);
  }
  if (!replaced) return false;
  out.clear();
  der::append_tlv(out, der::kSequence, body);
  return true;
}

// Cert is large (16 KB of altNames): it lives on the heap.
using CertPtr = kit::Owned<Cert, wc_CertFree>;

// ---- inspection ----

std::uint32_t attr_type(int nid) {
  switch (nid) {
    case NID_countryName: return POLYTLS_ATTR_C;
    case NID_stateOrProvinceName: return POLYTLS_ATTR_ST;
    case NID_localityName: return POLYTLS_ATTR_L;
    case NID_organizationName: return POLYTLS_ATTR_O;
    case NID_organizationalUnitName: return POLYTLS_ATTR_OU;
    case NID_commonName: return POLYTLS_ATTR_CN;
    case NID_emailAddress: return POLYTLS_ATTR_EMAIL;
    default: return POLYTLS_ATTR_OTHER;
  }
}

// attr_value gives an attribute's value as UTF-8: UTF8String, PrintableString
// and IA5String as they are; BMPString (UCS-2) and UniversalString (UCS-4)
// converted.
std::string attr_value(WOLFSSL_ASN1_STRING *s) {
  const unsigned char *data = wolfSSL_ASN1_STRING_get0_data(s);
  const int len = wolfSSL_ASN1_STRING_length(s);
  if (data == nullptr || len <= 0) return {};
  const int type = wolfSSL_ASN1_STRING_type(s);
  const std::span<const unsigned char> bytes(data, static_cast<std::size_t>(len));
  if (type == V_ASN1_BMPSTRING && len % 2 == 0) return kit::bmp_to_utf8(bytes);
  if (type == V_ASN1_UNIVERSALSTRING && len % 4 == 0) return kit::universal_to_utf8(bytes);
  return std::string(bytes.begin(), bytes.end());
}

polytls_status report_name(const polytls_cert_visitor *visitor, std::uint32_t kind,
                           WOLFSSL_X509_NAME *name) {
  const int count = name != nullptr ? wolfSSL_X509_NAME_entry_count(name) : 0;
  for (int i = 0; i < count; ++i) {
    WOLFSSL_X509_NAME_ENTRY *entry = wolfSSL_X509_NAME_get_entry(name, i);
    if (entry == nullptr) continue;
    const int nid = wolfSSL_OBJ_obj2nid(wolfSSL_X509_NAME_ENTRY_get_object(entry));
    const std::string value = attr_value(wolfSSL_X509_NAME_ENTRY_get_data(entry));
    const polytls_status st =
        kit::report(visitor, kind, attr_type(nid), value.data(), value.size());
    if (st != POLYTLS_OK) return st;
  }
  return POLYTLS_OK;
}

std::uint32_t signature_of(word32 oid) {
  switch (oid) {
    case CTC_SHAwRSA: return POLYTLS_SIG_RSA_PKCS1_SHA1;
    case CTC_SHA256wRSA: return POLYTLS_SIG_RSA_PKCS1_SHA256;
    case CTC_SHA384wRSA: return POLYTLS_SIG_RSA_PKCS1_SHA384;
    case CTC_SHA512wRSA: return POLYTLS_SIG_RSA_PKCS1_SHA512;
    case CTC_SHAwECDSA: return POLYTLS_SIG_ECDSA_SHA1;
    case CTC_SHA256wECDSA: return POLYTLS_SIG_ECDSA_SHA256;
    case CTC_SHA384wECDSA: return POLYTLS_SIG_ECDSA_SHA384;
    case CTC_SHA512wECDSA: return POLYTLS_SIG_ECDSA_SHA512;
    case CTC_ED25519: return POLYTLS_SIG_ED25519;
    case CTC_RSASSAPSS: return POLYTLS_SIG_RSA_PSS;
    default: return POLYTLS_SIG_UNKNOWN;
  }
}

std::uint32_t key_algorithm_of(word32 key_oid) {
  switch (key_oid) {
    case RSAk: return POLYTLS_KEY_RSA;
    case ECDSAk: return POLYTLS_KEY_EC;
    case ED25519k: return POLYTLS_KEY_ED25519;
    default: return 0;
  }
}

std::uint32_t san_type(int wolf_type) {
  switch (wolf_type) {
    case ASN_DNS_TYPE: return POLYTLS_SAN_DNS;
    case ASN_IP_TYPE: return POLYTLS_SAN_IP;
    case ASN_RFC822_TYPE: return POLYTLS_SAN_EMAIL;
    case ASN_URI_TYPE: return POLYTLS_SAN_URI;
    default: return POLYTLS_SAN_OTHER;
  }
}

polytls_status report_san(const polytls_cert_visitor *visitor, const DNS_entry *e,
                          std::uint32_t type) {
  const std::size_t len = e->len > 0 && e->name != nullptr ? static_cast<std::size_t>(e->len) : 0;
  return kit::report(visitor, POLYTLS_FIELD_SAN, type, e->name, len);
}

// public_key_of makes a public-only key from the certificate's public key
// as wolfCrypt's parser stored it.
polytls_status public_key_of(const DecodedCert &dc, std::unique_ptr<Key> &out, polytls_error *err) {
  if (dc.publicKey == nullptr || dc.pubKeySize == 0) {
    return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "certificate without a public key");
  }
  return import_certified_key(dc.keyOID, ByteView(dc.publicKey, dc.pubKeySize), out, err);
}

// ---- verification ----

// Node is one certificate taking part in a verification.
struct Node {
  const Certificate *cert = nullptr;
  std::unique_ptr<Decoded> decoded;
  bool anchor = false;
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
};

// date_status checks one certificate's validity period against `now`.
int date_status(const Node &node, std::int64_t now) {
  if (now < node.not_before) return ASN_BEFORE_DATE_E;
  if (now > node.not_after) return ASN_AFTER_DATE_E;
  return 0;
}

// Outcome is the best result found so far across candidate paths.
struct Outcome {
  int code = ASN_NO_SIGNER_E;  // no path yet
  std::string detail = "no path from the certificate to a trust anchor";
  bool found_path = false;
};

class PathSearch {
 public:
  PathSearch(std::vector<Node> &nodes, std::int64_t now) : nodes_(nodes), now_(now) {}

  // run searches every path from nodes_[0] (the leaf) to an anchor.
  Outcome run() {
    std::vector<std::size_t> path{0};
    extend(path, 0);
    return outcome_;
  }

 private:
  static constexpr std::size_t kMaxDepth = 10;

  // can_issue: may `issuer` have signed `child`? Names must match, the issuer
  // must be a CA (basicConstraints cA, and keyCertSign if it has keyUsage),
  // and wolfCrypt must confirm the signature with the issuer's key.
  bool can_issue(const Node &issuer, const Node &child) {
    const DecodedCert &i = **issuer.decoded;
    const DecodedCert &c = **child.decoded;
    if (!der::equals(subject_raw(i), issuer_raw(c))) return false;
    if (!i.extBasicConstSet || !i.isCA) return false;
    if (i.extKeyUsageSet && (i.extKeyUsage & KEYUSE_KEY_CERT_SIGN) == 0) return false;
    const int rc =
        wc_CheckCertSigPubKey(child.cert->der.data(), static_cast<word32>(child.cert->der.size()),
                              nullptr, i.publicKey, i.pubKeySize, static_cast<int>(i.keyOID));
    return rc == 0;
  }

  // path_len_ok checks every pathLenConstraint along `path` (leaf first):
  // a CA at position k may be followed (towards the leaf) by at most
  // pathLen non-self-issued intermediate CAs.
  bool path_len_ok(const std::vector<std::size_t> &path) {
    for (std::size_t k = 1; k < path.size(); ++k) {
      const DecodedCert &ca = **nodes_[path[k]].decoded;
      if (!ca.pathLengthSet) continue;
      std::size_t below = 0;
      for (std::size_t j = 1; j < k; ++j) {
        const DecodedCert &mid = **nodes_[path[j]].decoded;
        if (!der::equals(subject_raw(mid), issuer_raw(mid))) ++below;
      }
      if (below > ca.pathLength) return false;
    }
    return true;
  }

  void consider(const std::vector<std::size_t> &path) {
    if (!path_len_ok(path)) {
      if (!outcome_.found_path) {
        outcome_.code = ASN_PATHLEN_INV_E;
        outcome_.detail = "a CA's pathLenConstraint is exceeded";
      }
      return;
    }
    for (const std::size_t index : path) {
      if (nodes_[index].decoded->unknown_critical) {
        if (!outcome_.found_path) {
          outcome_.code = ASN_CRIT_EXT_E;
          outcome_.detail = "a certificate in the chain has an unknown critical extension";
        }
        return;
      }
    }
    // The path is sound; now the validity periods, leaf first.
    int code = 0;
    for (const std::size_t index : path) {
      code = date_status(nodes_[index], now_);
      if (code != 0) break;
    }
    if (code == 0 || !outcome_.found_path) {
      outcome_.code = code;
      outcome_.found_path = true;
      outcome_.detail = code == 0                  ? "ok"
                        : code == ASN_AFTER_DATE_E ? "a certificate in the chain has expired"
                                                   : "a certificate in the chain is not yet valid";
    }
  }

  void extend(std::vector<std::size_t> &path, std::size_t depth) {
    if (outcome_.found_path && outcome_.code == 0) return;
    const Node &current = nodes_[path.back()];
    if (current.anchor) {
      consider(path);
      return;
    }
    if (depth >= kMaxDepth) return;
    for (std::size_t i = 1; i < nodes_.size(); ++i) {
      bool used = false;
      for (const std::size_t p : path)
        used = used || p == i;
      if (used || !can_issue(nodes_[i], current)) continue;
      path.push_back(i);
      extend(path, depth + 1);
      path.pop_back();
      if (outcome_.found_path && outcome_.code == 0) return;
    }
  }

  std::vector<Node> &nodes_;
  std::int64_t now_;
  Outcome outcome_;
};

}  // namespace

// ---- table members ----

polytls_status cert_create(void *ctx, const polytls_cert_request_v1 *request,
                           polytls_cert **out_cert, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    FpCacheRelease fp_cache;
    const polytls_cert_request_v1 *r = request;
    if (ctx == nullptr || r == nullptr || out_cert == nullptr ||
        !kit::fits_struct(r->struct_size, offsetof(polytls_cert_request_v1, authority_key_id) +
                                              sizeof(r->authority_key_id))) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: bad arguments");
    }
    const Key *subject_key = kit::from_handle<Key>(r->subject_key);
    const Key *issuer_key = kit::from_handle<Key>(r->issuer_key);
    if (subject_key == nullptr || issuer_key == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: keys are required");
    }
    if (!issuer_key->has_private) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cert_create: the issuer key has no private half");
    }
    int sig_type = 0;
    polytls_status st = signature_type(*issuer_key, r->digest, sig_type, err);
    if (st != POLYTLS_OK) return st;

    CertPtr cert(wc_CertNew(nullptr));
    if (!cert) return kit::set_error(err, POLYTLS_ERR_INTERNAL, MEMORY_E, "wc_CertNew failed");
    int rc = wc_InitCert(cert.get());
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_InitCert");
    Cert &c = *cert;
    c.version = 2;  // X.509 v3
    c.sigType = sig_type;
    c.selfSigned = r->issuer_cert == nullptr ? 1 : 0;

    // Serial: a positive INTEGER; wolfSSL writes Cert.serial as given, so the
    // 0x00 pad for a set top bit is added here.
    ByteView serial = kit::bytes(r->serial);
    while (!serial.empty() && serial.front() == 0)
      serial = serial.subspan(1);
    Bytes serial_bytes;
    if (serial.empty() || (serial.front() & 0x80) != 0) serial_bytes.push_back(0);
    serial_bytes.insert(serial_bytes.end(), serial.begin(), serial.end());
    if (serial_bytes.size() > CTC_SERIAL_SIZE) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cert_create: the serial number needs %zu bytes; RFC 5280 allows 20",
                            serial_bytes.size());
    }
    std::memcpy(c.serial, serial_bytes.data(), serial_bytes.size());
    c.serialSz = static_cast<int>(serial_bytes.size());

    // Names, byte for byte.
    if ((st = set_raw_name(c.sbjRaw, sizeof c.sbjRaw, r->subject_der, "subject", err)) !=
        POLYTLS_OK) {
      return st;
    }
    if ((st = set_raw_name(c.issRaw, sizeof c.issRaw, r->issuer_der, "issuer", err)) !=
        POLYTLS_OK) {
      return st;
    }

    // Validity, verbatim.
    if ((st = set_time(c.beforeDate, c.beforeDateSz, r->not_before_der, r->not_before, "notBefore",
                       err)) != POLYTLS_OK) {
      return st;
    }
    if ((st = set_time(c.afterDate, c.afterDateSz, r->not_after_der, r->not_after, "notAfter",
                       err)) != POLYTLS_OK) {
      return st;
    }

    // Extensions.
    c.isCA = r->is_ca != 0 ? 1 : 0;
    c.basicConstSet = 1;
    if (r->path_len >= 0 && r->is_ca == 0) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cert_create: pathLenConstraint needs cA");
    }
    if (r->path_len > 127) {
      // wolfSSL's parser (DecodedCert.pathLength is a byte, read as a 7-bit
      // INTEGER) rejects a larger pathLenConstraint, so wolfSSL could not
      // read the certificate back.
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "cert_create: wolfSSL 5.5 reads pathLenConstraint only up to 127");
    }
    unsigned bits = 0;
    if (!to_wolf_bits(kKeyUsage, r->key_usage, bits)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_create: unknown keyUsage bits");
    }
    c.keyUsage = static_cast<word16>(bits);
    if (!to_wolf_bits(kExtKeyUsage, r->ext_key_usage, bits)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cert_create: unknown extendedKeyUsage bits");
    }
    c.extKeyUsage = static_cast<byte>(bits);
    if (r->san_count > 0) {
      // Cert.altNames takes the whole GeneralNames SEQUENCE.
      der::Tlv sans;
      const ByteView sans_der = kit::bytes(r->sans_der);
      if (!der::read_exact(sans_der, sans) || sans.tag != der::kSequence) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                              "cert_create: sans_der is not a DER GeneralNames");
      }
      if (sans_der.size() > sizeof c.altNames) {
        return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                              "cert_create: wolfSSL takes at most %zu bytes of subjectAltName",
                              sizeof c.altNames);
      }
      std::memcpy(c.altNames, sans_der.data(), sans_der.size());
      c.altNamesSz = static_cast<int>(sans_der.size());
      c.altNamesCrit = 0;
    }
    const ByteView skid = kit::bytes(r->subject_key_id);
    const ByteView akid = kit::bytes(r->authority_key_id);
    if (skid.size() > CTC_MAX_SKID_SIZE || akid.size() > CTC_MAX_AKID_SIZE) {
      return kit::set_error(err, POLYTLS_ERR_UNSUPPORTED, 0,
                            "cert_create: wolfSSL takes key identifiers of at most %d bytes",
                            static_cast<int>(CTC_MAX_SKID_SIZE));
    }
    if (!skid.empty()) std::memcpy(c.skid, skid.data(), skid.size());
    c.skidSz = static_cast<int>(skid.size());
    if (!akid.empty()) std::memcpy(c.akid, akid.data(), akid.size());
    c.akidSz = static_cast<int>(akid.size());
    c.rawAkid = 0;  // akid is the keyIdentifier: written as [0] keyIdentifier

    // TBSCertificate, basicConstraints fix-up, signature.
    const std::size_t cap = 16384 + sizeof c.altNames;
    Bytes buf(cap);
    Context &context_ref = *context(ctx);
    {
      RngLock lock(context_ref);
      rc = wc_MakeCert_ex(&c, buf.data(), static_cast<word32>(cap), cert_key_type(*subject_key),
                          cert_key_pointer(*subject_key), lock.rng());
    }
    if (rc <= 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_MakeCert_ex");
    Bytes tbs;
    if (!rewrite_basic_constraints(ByteView(buf.data(), static_cast<std::size_t>(c.bodySz)),
                                   r->is_ca != 0, r->is_ca != 0 ? r->path_len : -1, tbs) ||
        tbs.size() > cap / 2) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0,
                            "cert_create: wolfSSL's TBSCertificate has no basicConstraints");
    }
    std::memcpy(buf.data(), tbs.data(), tbs.size());
    {
      RngLock lock(context_ref);
      rc = wc_SignCert_ex(static_cast<int>(tbs.size()), sig_type, buf.data(),
                          static_cast<word32>(cap), cert_key_type(*issuer_key),
                          cert_key_pointer(*issuer_key), lock.rng());
    }
    if (rc <= 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "wc_SignCert_ex");
    buf.resize(static_cast<std::size_t>(rc));

    // Check wolfSSL's output against the request: parsable, names and dates
    // byte-identical.
    Decoded decoded(buf);
    rc = decoded.parse();
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_INTERNAL, "parsing the new certificate");
    der::Tlv subject_tlv, issuer_tlv;
    der::read(kit::bytes(r->subject_der), subject_tlv);
    der::read(kit::bytes(r->issuer_der), issuer_tlv);
    if (!der::equals(subject_raw(*decoded), subject_tlv.value) ||
        !der::equals(issuer_raw(*decoded), issuer_tlv.value) ||
        !der::equals(
            ByteView(decoded->beforeDate, static_cast<std::size_t>(decoded->beforeDateLen)),
            ByteView(c.beforeDate, static_cast<std::size_t>(c.beforeDateSz))) ||
        !der::equals(ByteView(decoded->afterDate, static_cast<std::size_t>(decoded->afterDateLen)),
                     ByteView(c.afterDate, static_cast<std::size_t>(c.afterDateSz)))) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0,
                            "cert_create: wolfSSL did not encode the names or dates as requested");
    }
    auto out = std::make_unique<Certificate>();
    out->der = std::move(buf);
    *out_cert = kit::to_handle<polytls_cert>(out.release());
    return POLYTLS_OK;
  });
}

polytls_status cert_import(void * /*ctx*/, polytls_data der, polytls_cert **out_cert,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    if (out_cert == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_import: out_cert is NULL");
    }
    const ByteView in = kit::bytes(der);
    der::Tlv top;
    if (!der::read_exact(in, top) || top.tag != der::kSequence || in.size() > UINT32_MAX) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                            "cert_import: not exactly one DER certificate");
    }
    auto cert = std::make_unique<Certificate>();
    cert->der.assign(in.begin(), in.end());
    Decoded decoded(cert->der);
    const int rc = decoded.parse();
    if (rc != 0) {
      return kit::set_error(err, rc == MEMORY_E ? POLYTLS_ERR_INTERNAL : POLYTLS_ERR_BAD_INPUT, rc,
                            "cert_import: wc_ParseCert: %s (wolfSSL error %d)", error_text(rc), rc);
    }
    *out_cert = kit::to_handle<polytls_cert>(cert.release());
    return POLYTLS_OK;
  });
}

polytls_status cert_export(void * /*ctx*/, const polytls_cert *cert, const polytls_sink *out,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    const Certificate *c = kit::from_handle<Certificate>(cert);
    if (c == nullptr) return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_export: no cert");
    return kit::write_to(out, c->der.data(), c->der.size());
  });
}

polytls_status cert_inspect(void * /*ctx*/, const polytls_cert *cert,
                            const polytls_cert_visitor *visitor, polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    FpCacheRelease fp_cache;
    const Certificate *c = kit::from_handle<Certificate>(cert);
    if (c == nullptr || visitor == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_inspect: bad arguments");
    }
    Decoded decoded(c->der);
    int rc = decoded.parse();
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "cert_inspect: wc_ParseCert");
    const DecodedCert &dc = *decoded;
    // Distinguished names: with OPENSSL_EXTRA, wc_ParseCert also builds the
    // compat layer's X509_NAME for the subject and issuer (freed by
    // wc_FreeDecodedCert), which keeps every attribute in certificate order
    // with its type. (wolfSSL_X509_d2i would build the same, but refuses a
    // certificate with an unknown critical extension.)
    auto *issuer_name = static_cast<WOLFSSL_X509_NAME *>(dc.issuerName);
    auto *subject_name = static_cast<WOLFSSL_X509_NAME *>(dc.subjectName);
    if (issuer_name == nullptr || subject_name == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0,
                            "cert_inspect: wolfSSL did not decode the names");
    }

    polytls_status st = POLYTLS_OK;
    // wolfSSL stores the version field's value: 0 for v1 ... 2 for v3.
    if ((st = kit::report_number(visitor, POLYTLS_FIELD_VERSION, 0, dc.version + 1)) != POLYTLS_OK)
      return st;
    ByteView serial(dc.serial, static_cast<std::size_t>(dc.serialSz > 0 ? dc.serialSz : 0));
    while (!serial.empty() && serial.front() == 0)
      serial = serial.subspan(1);
    if ((st = kit::report(visitor, POLYTLS_FIELD_SERIAL, 0, serial.data(), serial.size())) !=
        POLYTLS_OK)
      return st;
    if ((st = kit::report_number(visitor, POLYTLS_FIELD_SIGNATURE, signature_of(dc.signatureOID),
                                 0)) != POLYTLS_OK)
      return st;
    if ((st = report_name(visitor, POLYTLS_FIELD_ISSUER_ATTR, issuer_name)) != POLYTLS_OK)
      return st;
    std::int64_t when = 0;
    if (!time_of(dc.beforeDate, dc.beforeDateLen, when)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_inspect: unreadable notBefore");
    }
    if ((st = kit::report_number(visitor, POLYTLS_FIELD_NOT_BEFORE, 0, when)) != POLYTLS_OK)
      return st;
    if (!time_of(dc.afterDate, dc.afterDateLen, when)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_inspect: unreadable notAfter");
    }
    if ((st = kit::report_number(visitor, POLYTLS_FIELD_NOT_AFTER, 0, when)) != POLYTLS_OK)
      return st;
    if ((st = report_name(visitor, POLYTLS_FIELD_SUBJECT_ATTR, subject_name)) != POLYTLS_OK)
      return st;

    // Public key: algorithm and size from the key wolfCrypt decodes; a key
    // polytls cannot load (another curve) is still reported by algorithm.
    {
      std::unique_ptr<Key> key;
      polytls_error ignored{};
      ignored.struct_size = sizeof ignored;
      std::uint32_t algorithm = key_algorithm_of(dc.keyOID);
      std::uint32_t bits = 0;
      if (public_key_of(*decoded, key, &ignored) == POLYTLS_OK) {
        algorithm = key->algorithm;
        bits = key_bits(*key);
      }
      if ((st = kit::report_number(visitor, POLYTLS_FIELD_PUBLIC_KEY, algorithm, bits)) !=
          POLYTLS_OK)
        return st;
    }

    if (dc.extBasicConstSet) {
      if ((st = kit::report_number(visitor, POLYTLS_FIELD_BASIC_CONSTRAINTS, dc.isCA ? 1u : 0u,
                                   dc.pathLengthSet ? dc.pathLength : -1)) != POLYTLS_OK)
        return st;
    }
    if (dc.extKeyUsageSet) {
      if ((st = kit::report_number(visitor, POLYTLS_FIELD_KEY_USAGE, 0,
                                   to_polytls_bits(kKeyUsage, dc.extKeyUsage))) != POLYTLS_OK)
        return st;
    }
    if (dc.extExtKeyUsageSet) {
      if ((st = kit::report_number(visitor, POLYTLS_FIELD_EXT_KEY_USAGE, 0,
                                   to_polytls_bits(kExtKeyUsage, dc.extExtKeyUsage))) != POLYTLS_OK)
        return st;
    }
    // SANs: wolfSSL keeps dNSName, iPAddress (raw bytes), URI and other
    // forms in certificate order in `altNames`, but rfc822Name and
    // directoryName in lists of their own; those follow, in their own order.
    for (const DNS_entry *e = dc.altNames; e != nullptr; e = e->next) {
      if ((st = report_san(visitor, e, san_type(e->type))) != POLYTLS_OK) return st;
    }
    for (const DNS_entry *e = dc.altEmailNames; e != nullptr; e = e->next) {
      if ((st = report_san(visitor, e, POLYTLS_SAN_EMAIL)) != POLYTLS_OK) return st;
    }
    for (const DNS_entry *e = dc.altDirNames; e != nullptr; e = e->next) {
      if ((st = report_san(visitor, e, POLYTLS_SAN_OTHER)) != POLYTLS_OK) return st;
    }
    // Key identifiers: the raw bytes (extSubjKeyId itself would be a hash of
    // an identifier that is not 20 bytes long).
    if (dc.extSubjKeyIdSet && dc.extSubjKeyIdSrc != nullptr && dc.extSubjKeyIdSz > 0) {
      if ((st = kit::report(visitor, POLYTLS_FIELD_SUBJECT_KEY_ID, 0, dc.extSubjKeyIdSrc,
                            dc.extSubjKeyIdSz)) != POLYTLS_OK)
        return st;
    }
    if (dc.extAuthKeyIdSet && dc.extAuthKeyIdSrc != nullptr && dc.extAuthKeyIdSz > 0) {
      if ((st = kit::report(visitor, POLYTLS_FIELD_AUTHORITY_KEY_ID, 0, dc.extAuthKeyIdSrc,
                            dc.extAuthKeyIdSz)) != POLYTLS_OK)
        return st;
    }
    return POLYTLS_OK;
  });
}

polytls_status cert_public_key(void * /*ctx*/, const polytls_cert *cert, polytls_key **out_key,
                               polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    FpCacheRelease fp_cache;
    const Certificate *c = kit::from_handle<Certificate>(cert);
    if (c == nullptr || out_key == nullptr) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_public_key: bad arguments");
    }
    Decoded decoded(c->der);
    const int rc = decoded.parse();
    if (rc != 0) return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "cert_public_key: wc_ParseCert");
    std::unique_ptr<Key> key;
    const polytls_status st = public_key_of(*decoded, key, err);
    if (st != POLYTLS_OK) return st;
    *out_key = kit::to_handle<polytls_key>(key.release());
    return POLYTLS_OK;
  });
}

// cert_verify builds the chain itself and lets wolfCrypt check each link.
//
// wolfSSL's CertManager cannot serve the contract here: it refuses to load a
// certificate without cA as a trust anchor (NOT_CA_ERROR), so a self-signed
// leaf trusted directly cannot be loaded; wolfSSL 5.5.4 has no
// wolfSSL_CertManagerLoadCABuffer_ex, so an expired anchor cannot be loaded
// to be reported as EXPIRED rather than "no signer"; and it does not say
// which anchor it used, so an unrelated expired anchor could not be told
// from the one in the path. Instead:
//   - every certificate is parsed by wolfCrypt (wc_ParseCert);
//   - a certificate passed as an anchor ends a path and is trusted as it is
//     (its own signature is not checked, as no library checks a trust
//     anchor's self-signature); the leaf itself may be an anchor;
//   - each link child <- issuer needs: issuer's subject Name == child's
//     issuer Name (raw DER), issuer has basicConstraints cA (a non-CA that is
//     not the leaf never issues), keyCertSign if it has keyUsage, and
//     wolfCrypt's wc_CheckCertSigPubKey to verify the child's signature with
//     the issuer's public key;
//   - pathLenConstraint is honoured and unknown critical extensions (wolfSSL
//     ASN_CRIT_EXT_E) reject a path;
//   - only then the validity periods: OK if some path is entirely valid now,
//     otherwise EXPIRED / NOT_YET_VALID of the first path found; UNTRUSTED if
//     no path exists, whatever the dates.
polytls_status cert_verify(void * /*ctx*/, const polytls_verify_request_v1 *request,
                           polytls_error *err) noexcept {
  return kit::guard(err, [&]() -> polytls_status {
    FpCacheRelease fp_cache;
    const polytls_verify_request_v1 *r = request;
    if (r == nullptr ||
        !kit::fits_struct(r->struct_size, offsetof(polytls_verify_request_v1, intermediate_count) +
                                              sizeof(r->intermediate_count)) ||
        r->leaf == nullptr || (r->anchor_count > 0 && r->anchors == nullptr) ||
        (r->intermediate_count > 0 && r->intermediates == nullptr)) {
      return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_verify: bad arguments");
    }
    if (r->anchor_count == 0) {
      return kit::set_error(err, POLYTLS_ERR_UNTRUSTED, 0, "cert_verify: no trust anchors");
    }
    std::vector<Node> nodes;
    nodes.reserve(1 + r->anchor_count + r->intermediate_count);
    auto add = [&](const polytls_cert *handle, bool anchor) -> polytls_status {
      const Certificate *cert = kit::from_handle<Certificate>(handle);
      if (cert == nullptr) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0, "cert_verify: NULL certificate");
      }
      Node node;
      node.cert = cert;
      node.anchor = anchor;
      node.decoded = std::make_unique<Decoded>(cert->der);
      const int rc = node.decoded->parse();
      if (rc != 0) return fail(err, rc, POLYTLS_ERR_BAD_INPUT, "cert_verify: wc_ParseCert");
      const DecodedCert &dc = **node.decoded;
      if (!time_of(dc.beforeDate, dc.beforeDateLen, node.not_before) ||
          !time_of(dc.afterDate, dc.afterDateLen, node.not_after)) {
        return kit::set_error(err, POLYTLS_ERR_BAD_INPUT, 0,
                              "cert_verify: unreadable validity period");
      }
      nodes.push_back(std::move(node));
      return POLYTLS_OK;
    };
    // nodes[0] is the leaf; it is an anchor too if it was passed as one.
    polytls_status st = add(r->leaf, false);
    if (st != POLYTLS_OK) return st;
    const Certificate *leaf = nodes[0].cert;
    for (std::size_t i = 0; i < r->anchor_count; ++i) {
      const Certificate *anchor = kit::from_handle<Certificate>(r->anchors[i]);
      if (anchor != nullptr && anchor->der == leaf->der) {
        nodes[0].anchor = true;
        continue;
      }
      if ((st = add(r->anchors[i], true)) != POLYTLS_OK) return st;
    }
    for (std::size_t i = 0; i < r->intermediate_count; ++i) {
      const Certificate *inter = kit::from_handle<Certificate>(r->intermediates[i]);
      if (inter != nullptr && inter->der == leaf->der) continue;
      if ((st = add(r->intermediates[i], false)) != POLYTLS_OK) return st;
    }
    const Outcome outcome = PathSearch(nodes, static_cast<std::int64_t>(std::time(nullptr))).run();
    if (outcome.found_path && outcome.code == 0) return POLYTLS_OK;
    const polytls_status status =
        outcome.found_path ? verify_status_for(outcome.code) : POLYTLS_ERR_UNTRUSTED;
    return kit::set_error(err, status, outcome.code, "cert_verify: %s (wolfSSL: %s)",
                          outcome.detail.c_str(), error_text(outcome.code));
  });
}

void cert_free(polytls_cert *cert) noexcept {
  delete kit::from_handle<Certificate>(cert);
}

}  // namespace polytls::wolfssl
