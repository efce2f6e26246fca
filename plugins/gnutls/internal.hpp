// internal.hpp: the GnuTLS backend's object types and the helpers its source
// files share. Nothing here is visible outside the plugin.
#ifndef POLYTLS_PLUGINS_GNUTLS_INTERNAL_HPP
#define POLYTLS_PLUGINS_GNUTLS_INTERNAL_HPP

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "errors.hpp"
#include "polytls/abi/backend.h"
#include "polytls/kit/backend_kit.hpp"

namespace polytls::gnutls {

// Owned GnuTLS objects (each type's own deinit function).
using X509Crt = kit::Owned<gnutls_x509_crt_int, gnutls_x509_crt_deinit>;
using X509PrivKey = kit::Owned<gnutls_x509_privkey_int, gnutls_x509_privkey_deinit>;
using PrivKey = kit::Owned<gnutls_privkey_st, gnutls_privkey_deinit>;
using PubKey = kit::Owned<gnutls_pubkey_st, gnutls_pubkey_deinit>;
using Dn = kit::Owned<gnutls_x509_dn_st, gnutls_x509_dn_deinit>;

// Datum owns a buffer GnuTLS allocated (export2 and friends) and frees it
// with gnutls_free, after wiping it when it may hold a secret.
class Datum {
 public:
  explicit Datum(bool secret = false) noexcept : secret_(secret) {}
  Datum(const Datum &) = delete;
  Datum &operator=(const Datum &) = delete;
  ~Datum();
  gnutls_datum_t *get() noexcept { return &d_; }
  const unsigned char *data() const noexcept { return d_.data; }
  std::size_t size() const noexcept { return d_.size; }
  std::span<const unsigned char> bytes() const noexcept { return {d_.data, d_.size}; }

 private:
  gnutls_datum_t d_{nullptr, 0};
  bool secret_;
};

// Key is what a `polytls_key *` points to. A private key keeps the x509
// form (export, TLS credentials) and the abstract form (signing); every key
// has its public half.
struct Key {
  X509PrivKey x509;  // NULL for a public-only key
  PrivKey priv;      // NULL for a public-only key
  PubKey pub;
  uint32_t algorithm = 0;  // POLYTLS_KEY_*
  uint32_t curve = POLYTLS_CURVE_NONE;
  uint32_t bits = 0;
  bool has_private = false;
};

// Cert is what a `polytls_cert *` points to: the parsed certificate and the
// exact DER it was parsed from (cert_export returns these bytes).
struct Cert {
  X509Crt crt;
  std::vector<unsigned char> der;
};

// Context is what `init` returns: it holds one reference to GnuTLS's global
// state (gnutls_global_init is reference-counted). GnuTLS's random generator
// is thread safe and self-seeding, so there is nothing else to keep.
struct Context {
  bool global_initialised = false;
  Context() = default;
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;
  ~Context();
};

// as_datum views bytes as a gnutls_datum_t (GnuTLS takes non-const pointers
// but does not write through them).
gnutls_datum_t as_datum(std::span<const unsigned char> bytes) noexcept;

// is_one_der_object tells whether `der` is exactly one complete DER TLV
// (definite length, no truncation, no trailing bytes). Only the outer
// header is read; the library parses the content.
bool is_one_der_object(std::span<const unsigned char> der) noexcept;

// make_private_key wraps a GnuTLS x509 private key after checking it is a
// key this backend handles (RSA, EC on P-256/P-384/P-521, Ed25519); anything
// else is POLYTLS_ERR_UNSUPPORTED.
polytls_status make_private_key(X509PrivKey x509, std::unique_ptr<Key> &out, polytls_error *err);

// make_public_key wraps a public key the same way.
polytls_status make_public_key(PubKey pub, std::unique_ptr<Key> &out, polytls_error *err);

// import_cert parses exactly one DER certificate and keeps its bytes.
polytls_status import_cert(std::span<const unsigned char> der, std::unique_ptr<Cert> &out,
                           polytls_error *err);

// adopt_cert is import_cert for a certificate already parsed from `der`
// (`crt`, taken over; parsed here when NULL): the same checks and errors,
// without parsing the bytes a second time.
polytls_status adopt_cert(std::span<const unsigned char> der, X509Crt crt,
                          std::unique_ptr<Cert> &out, polytls_error *err);

// digest_for maps POLYTLS_DIGEST_SHA1/256/384/512 to GnuTLS; GNUTLS_DIG_UNKNOWN
// for anything else.
gnutls_digest_algorithm_t digest_for(uint32_t digest) noexcept;

// sign_algorithm_for is the GnuTLS signature algorithm of a key type and
// digest (RSA PKCS#1 v1.5, ECDSA, pure Ed25519); GNUTLS_SIGN_UNKNOWN if none.
gnutls_sign_algorithm_t sign_algorithm_for(uint32_t key_algorithm, uint32_t digest) noexcept;

// ChainResult is the outcome of verifying a chain against anchors.
struct ChainResult {
  polytls_status status = POLYTLS_OK;
  int64_t code = 0;  // GnuTLS's verification status bits, or its error code
  std::string detail;
};

// TrustAnchors is a set of trust anchors parsed once into a GnuTLS trust
// list (gnutls_x509_trust_list_add_cas, nothing else), so that many chains
// are verified against it without parsing the anchors again: a TLS
// context builds one at its first verification and its sessions share it.
// Immutable once built; verify_chain only reads it, from any number of
// threads at once (see verify_chain in x509.cpp for why GnuTLS allows that).
struct TrustAnchors {
  gnutls_x509_trust_list_t list = nullptr;  // owns the parsed anchors; NULL without anchors
  std::size_t count = 0;                    // the number of anchors given
  ChainResult failure;                      // why the list could not be built, if it could not
  TrustAnchors() = default;
  TrustAnchors(const TrustAnchors &) = delete;
  TrustAnchors &operator=(const TrustAnchors &) = delete;
  ~TrustAnchors();
};

// build_trust_anchors parses `anchors` (DER, each trusted as given) into
// `out`, which must be fresh. A failure is kept in out.failure: it is what
// verify_chain answers with this set, as when the anchors were parsed per
// verification.
void build_trust_anchors(std::span<const std::span<const unsigned char>> anchors,
                         TrustAnchors &out);

// verify_chain is cert_verify's decision, shared with the TLS sessions:
// `chain` is the leaf then any other certificates (in any order), each as
// DER; the anchors are trusted as given. `purpose` is a key purpose OID
// that every certificate of the path must allow when it has an
// extendedKeyUsage (NULL for none). The chain's certificates are parsed
// afresh for the call; when `parsed` is not NULL it receives them (in
// `chain`'s order, the leaf first) so that the caller can use them without
// parsing them again, and is left empty if parsing failed.
ChainResult verify_chain(std::span<const std::span<const unsigned char>> chain,
                         const TrustAnchors &trust, const char *purpose,
                         std::vector<X509Crt> *parsed);

// The one-off form (cert_verify): the anchors are parsed for this call.
ChainResult verify_chain(std::span<const std::span<const unsigned char>> chain,
                         std::span<const std::span<const unsigned char>> anchors,
                         const char *purpose);

// Table members implemented in keys.cpp and x509.cpp.
polytls_status key_generate(void *ctx, const polytls_key_spec *spec, polytls_key **out_key,
                            polytls_error *err) noexcept;
polytls_status key_import(void *ctx, uint32_t format, polytls_data der, polytls_data passphrase,
                          polytls_key **out_key, polytls_error *err) noexcept;
polytls_status key_export(void *ctx, const polytls_key *key, uint32_t format,
                          polytls_data passphrase, const polytls_sink *out,
                          polytls_error *err) noexcept;
polytls_status key_describe(void *ctx, const polytls_key *key, polytls_key_info *out,
                            polytls_error *err) noexcept;
polytls_status key_sign(void *ctx, const polytls_key *key, uint32_t digest, polytls_data message,
                        const polytls_sink *out, polytls_error *err) noexcept;
polytls_status key_verify(void *ctx, const polytls_key *key, uint32_t digest, polytls_data message,
                          polytls_data signature, polytls_error *err) noexcept;
void key_free(polytls_key *key) noexcept;

polytls_status cert_create(void *ctx, const polytls_cert_request_v1 *request,
                           polytls_cert **out_cert, polytls_error *err) noexcept;
polytls_status cert_import(void *ctx, polytls_data der, polytls_cert **out_cert,
                           polytls_error *err) noexcept;
polytls_status cert_export(void *ctx, const polytls_cert *cert, const polytls_sink *out,
                           polytls_error *err) noexcept;
polytls_status cert_inspect(void *ctx, const polytls_cert *cert,
                            const polytls_cert_visitor *visitor, polytls_error *err) noexcept;
polytls_status cert_public_key(void *ctx, const polytls_cert *cert, polytls_key **out_key,
                               polytls_error *err) noexcept;
polytls_status cert_verify(void *ctx, const polytls_verify_request_v1 *request,
                           polytls_error *err) noexcept;
void cert_free(polytls_cert *cert) noexcept;

// Table members implemented in tls.cpp.
polytls_status tls_context_new(void *ctx, const polytls_tls_config_v1 *config,
                               polytls_tls_context **out_context, polytls_error *err) noexcept;
void tls_context_free(polytls_tls_context *context) noexcept;
polytls_status tls_session_new(void *ctx, polytls_tls_context *context,
                               const polytls_tls_session_params_v1 *params,
                               polytls_tls_session **out_session, polytls_error *err) noexcept;
polytls_status tls_handshake(polytls_tls_session *session, polytls_error *err) noexcept;
polytls_status tls_read(polytls_tls_session *session, uint8_t *buf, std::size_t cap,
                        std::size_t *out_n, polytls_error *err) noexcept;
polytls_status tls_write(polytls_tls_session *session, const uint8_t *data, std::size_t len,
                         std::size_t *out_n, polytls_error *err) noexcept;
polytls_status tls_close(polytls_tls_session *session, polytls_error *err) noexcept;
polytls_status tls_describe(polytls_tls_session *session, polytls_tls_info_v1 *out,
                            polytls_error *err) noexcept;
polytls_status tls_peer_chain(polytls_tls_session *session, const polytls_cert_der_visitor *visitor,
                              polytls_error *err) noexcept;
polytls_status tls_export_session(polytls_tls_session *session, const polytls_sink *out,
                                  polytls_error *err) noexcept;
void tls_session_free(polytls_tls_session *session) noexcept;

// backend_table is the plugin's dispatch table (table.cpp); entry.cpp
// hands it out through polytls_backend_entry.
const polytls_backend_v1 *backend_table() noexcept;

}  // namespace polytls::gnutls

#endif  // POLYTLS_PLUGINS_GNUTLS_INTERNAL_HPP
