/* polytls/abi/types.h: the plain-C types every polytls backend speaks.
 *
 * This header, with backend.h, is the whole contract between the polytls core
 * and a backend (built in or loaded as a plugin). It compiles as C11 and as
 * C++20. Rules that keep it stable:
 *   - fixed-width integers only, natural alignment, no bool or enum members;
 *   - numeric constants are never renumbered or reused; new ones are appended;
 *   - versioned structs carry `struct_size` first and only ever grow at the end.
 */
#ifndef POLYTLS_ABI_TYPES_H
#define POLYTLS_ABI_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* polytls_status is the result of every ABI call: POLYTLS_OK or one of the
 * neutral error categories below. Detail goes into a `polytls_error`. */
typedef int32_t polytls_status;

#define POLYTLS_OK 0
#define POLYTLS_ERR_UNSUPPORTED 1              /* the backend lacks the feature */
#define POLYTLS_ERR_BAD_INPUT 2                /* malformed or unacceptable input */
#define POLYTLS_ERR_BAD_PASSPHRASE 3           /* wrong or missing passphrase */
#define POLYTLS_ERR_UNTRUSTED 4                /* chain does not reach a trust anchor */
#define POLYTLS_ERR_HOSTNAME_MISMATCH 5        /* name not in the certificate */
#define POLYTLS_ERR_EXPIRED 6                  /* a certificate's notAfter has passed */
#define POLYTLS_ERR_NOT_YET_VALID 7            /* a certificate's notBefore is ahead */
#define POLYTLS_ERR_PROTOCOL_VERSION 8         /* no TLS version in common */
#define POLYTLS_ERR_HANDSHAKE 9                /* handshake failed otherwise */
#define POLYTLS_ERR_NO_SHARED_CIPHER 10        /* no cipher suite or group in common */
#define POLYTLS_ERR_PEER_CLOSED 11             /* the peer closed the connection */
#define POLYTLS_ERR_TIMEOUT 12                 /* a deadline passed */
#define POLYTLS_ERR_WANT_READ 13               /* non-blocking: call again when readable */
#define POLYTLS_ERR_WANT_WRITE 14              /* non-blocking: call again when writable */
#define POLYTLS_ERR_IO 15                      /* transport or file system failure */
#define POLYTLS_ERR_INTERNAL 16                /* library failure or escaped exception */
#define POLYTLS_ERR_BAD_SIGNATURE 17           /* a signature did not verify */
#define POLYTLS_ERR_NOT_FOUND 18               /* file, backend or object not found */
#define POLYTLS_ERR_ALREADY_EXISTS 19          /* refusing to overwrite */
#define POLYTLS_ERR_PIN_MISMATCH 20            /* public key pin did not match */
#define POLYTLS_ERR_NO_APPLICATION_PROTOCOL 21 /* no ALPN protocol in common */
#define POLYTLS_ERR_PLUGIN 22                  /* a plugin was refused */
/* Append new categories here; never renumber. */

/* polytls_error receives the detail of a failed call. The caller owns it and
 * sets `struct_size`; the backend writes only within that size. `detail` is
 * UTF-8, NUL-terminated, truncated to fit, never allocated. */
typedef struct polytls_error {
  uint32_t struct_size; /* sizeof(polytls_error) as the caller saw it */
  uint32_t reserved;    /* zero */
  int64_t library_code; /* the library's own error code, 0 if none */
  char detail[256];     /* the library's own text, or the backend's */
} polytls_error;

/* polytls_data is a borrowed byte range: valid only for the call it is passed to. */
typedef struct polytls_data {
  const uint8_t *data;
  size_t len;
} polytls_data;

/* polytls_sink receives bytes a backend produces (DER, signatures, digests).
 * The backend calls `write` once or more, in order; the core copies. A
 * non-OK status from `write` must be returned by the backend unchanged. */
typedef struct polytls_sink {
  void *user;
  polytls_status (*write)(void *user, const uint8_t *data, size_t len);
} polytls_sink;

/* polytls_log_fn is the core's logging upcall (see polytls_host_v1). */
typedef void (*polytls_log_fn)(void *user, uint32_t level, const char *message);
#define POLYTLS_LOG_DEBUG 0u
#define POLYTLS_LOG_INFO 1u
#define POLYTLS_LOG_WARNING 2u

/* polytls_host_v1 is what the core offers a backend at init: upcalls the
 * backend may use. Any member may be NULL. */
typedef struct polytls_host_v1 {
  uint32_t struct_size;
  uint32_t reserved;
  void *user;
  polytls_log_fn log;
} polytls_host_v1;

/* ---- Keys ------------------------------------------------------------ */

/* Key algorithms (polytls_key_spec.algorithm, polytls_key_info.algorithm). */
#define POLYTLS_KEY_RSA 1u
#define POLYTLS_KEY_EC 2u
#define POLYTLS_KEY_ED25519 3u

/* Named curves for POLYTLS_KEY_EC. */
#define POLYTLS_CURVE_NONE 0u
#define POLYTLS_CURVE_P256 1u
#define POLYTLS_CURVE_P384 2u
#define POLYTLS_CURVE_P521 3u

/* Digest algorithms. NONE is used with Ed25519, which hashes internally. */
#define POLYTLS_DIGEST_NONE 0u
#define POLYTLS_DIGEST_SHA1 1u
#define POLYTLS_DIGEST_SHA256 2u
#define POLYTLS_DIGEST_SHA384 3u
#define POLYTLS_DIGEST_SHA512 4u

/* Block ciphers for the `cipher` primitive (CBC mode, PKCS#7 padding). */
#define POLYTLS_CIPHER_AES_128_CBC 1u
#define POLYTLS_CIPHER_AES_192_CBC 2u
#define POLYTLS_CIPHER_AES_256_CBC 3u
#define POLYTLS_CIPHER_DES_EDE3_CBC 4u

/* Key encodings, always DER (the core does PEM armour).
 * PKCS8            PrivateKeyInfo (RFC 5208 / 5958), unencrypted.
 * PKCS8_ENCRYPTED  EncryptedPrivateKeyInfo; on export PBES2 with PBKDF2
 *                  (HMAC-SHA256 where the library lets one choose) and
 *                  AES-256-CBC, a random salt and at least 2048 iterations.
 * TRADITIONAL      PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey.
 * SPKI             SubjectPublicKeyInfo (public key only). */
#define POLYTLS_KEY_FORMAT_PKCS8 1u
#define POLYTLS_KEY_FORMAT_PKCS8_ENCRYPTED 2u
#define POLYTLS_KEY_FORMAT_TRADITIONAL 3u
#define POLYTLS_KEY_FORMAT_SPKI 4u

/* polytls_key is an opaque key made by one backend and freed only by that
 * backend's `key_free`. Backends never define this struct: they cast their
 * own object type to and from `polytls_key *`. */
typedef struct polytls_key polytls_key;

/* polytls_key_spec says which key to generate. */
typedef struct polytls_key_spec {
  uint32_t struct_size;
  uint32_t algorithm; /* POLYTLS_KEY_* */
  uint32_t rsa_bits;  /* RSA only: 2048, 3072, 4096 */
  uint32_t curve;     /* EC only: POLYTLS_CURVE_* */
} polytls_key_spec;

/* polytls_key_info describes a key. */
typedef struct polytls_key_info {
  uint32_t struct_size;
  uint32_t algorithm;   /* POLYTLS_KEY_* */
  uint32_t bits;        /* modulus bits (RSA), field bits (EC), 256 (Ed25519) */
  uint32_t curve;       /* POLYTLS_CURVE_* or NONE */
  uint32_t has_private; /* 1 if the private half is present */
  uint32_t reserved;
} polytls_key_info;

/* ---- Certificates ------------------------------------------------------ */

/* polytls_cert is an opaque X.509 certificate, freed by its backend's
 * `cert_free`. Same casting rule as polytls_key. */
typedef struct polytls_cert polytls_cert;

/* Distinguished-name attribute types. */
#define POLYTLS_ATTR_OTHER 0u
#define POLYTLS_ATTR_C 1u     /* countryName 2.5.4.6 */
#define POLYTLS_ATTR_ST 2u    /* stateOrProvinceName 2.5.4.8 */
#define POLYTLS_ATTR_L 3u     /* localityName 2.5.4.7 */
#define POLYTLS_ATTR_O 4u     /* organizationName 2.5.4.10 */
#define POLYTLS_ATTR_OU 5u    /* organizationalUnitName 2.5.4.11 */
#define POLYTLS_ATTR_CN 6u    /* commonName 2.5.4.3 */
#define POLYTLS_ATTR_EMAIL 7u /* emailAddress 1.2.840.113549.1.9.1 */

/* SubjectAltName entry types. */
#define POLYTLS_SAN_OTHER 0u
#define POLYTLS_SAN_DNS 1u   /* dNSName, ASCII */
#define POLYTLS_SAN_IP 2u    /* iPAddress, 4 or 16 bytes */
#define POLYTLS_SAN_EMAIL 3u /* rfc822Name */
#define POLYTLS_SAN_URI 4u   /* uniformResourceIdentifier */

/* keyUsage bits, numbered as in RFC 5280 (bit n is 1u << n). */
#define POLYTLS_KU_DIGITAL_SIGNATURE (1u << 0)
#define POLYTLS_KU_NON_REPUDIATION (1u << 1)
#define POLYTLS_KU_KEY_ENCIPHERMENT (1u << 2)
#define POLYTLS_KU_DATA_ENCIPHERMENT (1u << 3)
#define POLYTLS_KU_KEY_AGREEMENT (1u << 4)
#define POLYTLS_KU_KEY_CERT_SIGN (1u << 5)
#define POLYTLS_KU_CRL_SIGN (1u << 6)
#define POLYTLS_KU_ENCIPHER_ONLY (1u << 7)
#define POLYTLS_KU_DECIPHER_ONLY (1u << 8)

/* extendedKeyUsage purposes. */
#define POLYTLS_EKU_SERVER_AUTH (1u << 0)
#define POLYTLS_EKU_CLIENT_AUTH (1u << 1)
#define POLYTLS_EKU_CODE_SIGNING (1u << 2)
#define POLYTLS_EKU_EMAIL_PROTECTION (1u << 3)
#define POLYTLS_EKU_TIME_STAMPING (1u << 4)
#define POLYTLS_EKU_OCSP_SIGNING (1u << 5)

/* Certificate signature algorithms. */
#define POLYTLS_SIG_UNKNOWN 0u
#define POLYTLS_SIG_RSA_PKCS1_SHA1 1u
#define POLYTLS_SIG_RSA_PKCS1_SHA256 2u
#define POLYTLS_SIG_RSA_PKCS1_SHA384 3u
#define POLYTLS_SIG_RSA_PKCS1_SHA512 4u
#define POLYTLS_SIG_ECDSA_SHA1 5u
#define POLYTLS_SIG_ECDSA_SHA256 6u
#define POLYTLS_SIG_ECDSA_SHA384 7u
#define POLYTLS_SIG_ECDSA_SHA512 8u
#define POLYTLS_SIG_ED25519 9u
#define POLYTLS_SIG_RSA_PSS 10u

/* polytls_name_attr is one attribute of a distinguished name. */
typedef struct polytls_name_attr {
  uint32_t type; /* POLYTLS_ATTR_*, never OTHER in a request */
  uint32_t reserved;
  polytls_data value; /* UTF-8, not NUL-terminated */
} polytls_name_attr;

/* polytls_san is one SubjectAltName entry. */
typedef struct polytls_san {
  uint32_t type; /* POLYTLS_SAN_DNS or POLYTLS_SAN_IP in a request */
  uint32_t reserved;
  polytls_data value; /* DNS: ASCII name; IP: 4 or 16 network-order bytes */
} polytls_san;

/* polytls_cert_request_v1 is a fully decided certificate: the core has
 * validated the user's specification, chosen defaults, drawn the serial and
 * computed the key identifiers. It also carries DER the core encoded once
 * for every backend; a backend uses its library's own setter where one
 * exists and the DER where the library only takes raw bytes.
 *
 * Self-signed: `issuer_cert` is NULL and `issuer_key` is the subject key.
 * All pointers are borrowed for the duration of the call. */
typedef struct polytls_cert_request_v1 {
  uint32_t struct_size;
  uint32_t digest;                 /* POLYTLS_DIGEST_*; NONE for Ed25519 */
  const polytls_key *subject_key;  /* the public key being certified */
  const polytls_key *issuer_key;   /* signs; private half required */
  const polytls_cert *issuer_cert; /* NULL for self-signed */

  const polytls_name_attr *subject; /* in order, most significant first */
  size_t subject_count;
  polytls_data subject_der; /* the subject Name, DER */
  polytls_data issuer_der;  /* the issuer Name, DER (== subject when self-signed) */

  polytls_data serial; /* big-endian magnitude, positive, <= 20 bytes */
  int64_t not_before;  /* seconds since the Unix epoch, UTC */
  int64_t not_after;
  polytls_data not_before_der; /* Time TLV (UTCTime up to 2049, else GeneralizedTime) */
  polytls_data not_after_der;

  uint32_t is_ca;                 /* basicConstraints cA (always present, critical) */
  int32_t path_len;               /* pathLenConstraint, -1 for none */
  uint32_t key_usage;             /* POLYTLS_KU_* (always present, critical) */
  uint32_t ext_key_usage;         /* POLYTLS_EKU_*; 0 means no extension */
  polytls_data ext_key_usage_der; /* ExtKeyUsageSyntax DER, empty when 0 */

  const polytls_san *sans; /* in order */
  size_t san_count;
  polytls_data sans_der; /* GeneralNames DER, empty when no SANs */

  polytls_data subject_key_id;   /* keyIdentifier bytes */
  polytls_data authority_key_id; /* keyIdentifier bytes (issuer's SKI) */
} polytls_cert_request_v1;

/* Fields reported by `cert_inspect`, one callback per field, in any order
 * except that attributes of a name and SAN entries come in certificate
 * order. Absent extensions are simply not reported.
 *   kind                        sub               data            number
 *   SUBJECT_ATTR, ISSUER_ATTR   POLYTLS_ATTR_*    UTF-8 value     -
 *   SERIAL                      -                 big-endian      -
 *   NOT_BEFORE, NOT_AFTER       -                 -               Unix seconds
 *   SAN                         POLYTLS_SAN_*     value           -
 *   PUBLIC_KEY                  POLYTLS_KEY_*     -               bits
 *   SIGNATURE                   POLYTLS_SIG_*     -               -
 *   BASIC_CONSTRAINTS           cA (0/1)          -               pathLen or -1
 *   KEY_USAGE                   -                 -               POLYTLS_KU_* bits
 *   EXT_KEY_USAGE               -                 -               POLYTLS_EKU_* bits
 *   SUBJECT_KEY_ID, AUTHORITY_KEY_ID  -           keyIdentifier   -
 *   VERSION                     -                 -               1, 2 or 3 */
#define POLYTLS_FIELD_SUBJECT_ATTR 1u
#define POLYTLS_FIELD_ISSUER_ATTR 2u
#define POLYTLS_FIELD_SERIAL 3u
#define POLYTLS_FIELD_NOT_BEFORE 4u
#define POLYTLS_FIELD_NOT_AFTER 5u
#define POLYTLS_FIELD_SAN 6u
#define POLYTLS_FIELD_PUBLIC_KEY 7u
#define POLYTLS_FIELD_SIGNATURE 8u
#define POLYTLS_FIELD_BASIC_CONSTRAINTS 9u
#define POLYTLS_FIELD_KEY_USAGE 10u
#define POLYTLS_FIELD_EXT_KEY_USAGE 11u
#define POLYTLS_FIELD_SUBJECT_KEY_ID 12u
#define POLYTLS_FIELD_AUTHORITY_KEY_ID 13u
#define POLYTLS_FIELD_VERSION 14u

/* polytls_cert_field is one reported field; `data` is borrowed for the callback. */
typedef struct polytls_cert_field {
  uint32_t kind;
  uint32_t sub;
  polytls_data data;
  int64_t number;
} polytls_cert_field;

/* polytls_cert_visitor receives the fields of `cert_inspect`. A non-OK status
 * from `field` stops the inspection and must be returned unchanged. */
typedef struct polytls_cert_visitor {
  void *user;
  polytls_status (*field)(void *user, const polytls_cert_field *field);
} polytls_cert_visitor;

/* polytls_verify_request_v1 asks whether `leaf` chains to one of `anchors`
 * (through `intermediates` if needed) with every certificate within its
 * validity period at the current time. Any certificate given as an anchor is
 * trusted as it is (a CA, an intermediate, or a self-signed leaf trusted
 * directly). Host names are not part of it: the core checks them against the
 * SANs `cert_inspect` reports, identically for every backend. */
typedef struct polytls_verify_request_v1 {
  uint32_t struct_size;
  uint32_t flags; /* zero; reserved */
  const polytls_cert *leaf;
  const polytls_cert *const *anchors;
  size_t anchor_count;
  const polytls_cert *const *intermediates;
  size_t intermediate_count;
} polytls_verify_request_v1;

/* ---- TLS sessions --------------------------------------------------------- */

/* Protocol versions, as on the wire. */
#define POLYTLS_TLS1_2 0x0303u
#define POLYTLS_TLS1_3 0x0304u

/* Roles of a TLS context. */
#define POLYTLS_ROLE_CLIENT 1u
#define POLYTLS_ROLE_SERVER 2u

/* What a server asks of clients (polytls_tls_config_v1.verify_peer on a server). */
#define POLYTLS_CLIENT_AUTH_NONE 0u    /* no CertificateRequest */
#define POLYTLS_CLIENT_AUTH_REQUEST 1u /* ask; verify a certificate if one comes */
#define POLYTLS_CLIENT_AUTH_REQUIRE 2u /* ask; fail the handshake without one */

/* polytls_transport moves a session's bytes. It belongs to the core and is
 * borrowed by a session for the session's whole life (the one exception to
 * "borrowed for the call").
 *   send: writes 1..len bytes and reports them in *out_sent; returns
 *         POLYTLS_ERR_WANT_WRITE when nothing can be written now, or
 *         POLYTLS_ERR_IO / POLYTLS_ERR_TIMEOUT on failure.
 *   recv: reads 1..cap bytes into *out_received; POLYTLS_OK with 0 bytes means
 *         the peer closed the stream; POLYTLS_ERR_WANT_READ when nothing has
 *         arrived; POLYTLS_ERR_IO / POLYTLS_ERR_TIMEOUT on failure.
 * A backend passes WANT_READ / WANT_WRITE up unchanged from the session call
 * that met it; calling again later resumes where it stopped. */
typedef struct polytls_transport {
  void *user;
  polytls_status (*send)(void *user, const uint8_t *data, size_t len, size_t *out_sent);
  polytls_status (*recv)(void *user, uint8_t *buf, size_t cap, size_t *out_received);
} polytls_transport;

/* polytls_keylog_fn receives one NSS key log line (SSLKEYLOGFILE format,
 * no newline), e.g. "CLIENT_RANDOM <64 hex> <96 hex>". */
typedef void (*polytls_keylog_fn)(void *user, const char *line);

/* polytls_peer_check_fn is the core's check of the peer's leaf certificate
 * (host name, public-key pin), called by the backend after its library has
 * verified the chain and dates, and before the handshake is reported
 * complete. `leaf` is borrowed for the call. A non-OK status (with `err`
 * filled) must fail the handshake: the backend sends a fatal alert
 * (bad_certificate) and returns that status unchanged. Where the library
 * only lets the check run after its own handshake is over (a resumed
 * session carries no certificate), the backend closes with close_notify
 * instead of the alert, and still returns that status. A resumed session
 * is checked too, with the leaf stored in it: a client checks it before
 * offering the session (and falls back to a full handshake if the check
 * fails), a server as soon as the library allows. */
typedef polytls_status (*polytls_peer_check_fn)(void *user, const polytls_cert *leaf,
                                                polytls_error *err);

/* polytls_tls_context and polytls_tls_session are opaque, freed only by
 * their backend (same casting rule as polytls_key). A context holds shared
 * configuration (certificates, trust, session cache); a session is one
 * connection. */
typedef struct polytls_tls_context polytls_tls_context;
typedef struct polytls_tls_session polytls_tls_session;

/* polytls_tls_config_v1 configures a context. The core has validated it and
 * made every decision: the backend applies it exactly, or answers
 * POLYTLS_ERR_UNSUPPORTED naming what it cannot do. Pointers are borrowed for
 * the call; a backend keeps its own copies (certificates and keys are its
 * own objects: it may reference-count or duplicate them). */
typedef struct polytls_tls_config_v1 {
  uint32_t struct_size;
  uint32_t role;        /* POLYTLS_ROLE_* */
  uint32_t min_version; /* POLYTLS_TLS1_2 or POLYTLS_TLS1_3 */
  uint32_t max_version;
  const polytls_cert *const *chain; /* own chain, leaf first; required on servers */
  size_t chain_count;
  const polytls_key *key;             /* private key of chain[0]; NULL with no chain */
  const polytls_cert *const *anchors; /* trust anchors for the peer's chain */
  size_t anchor_count;
  /* Client: 1 verifies the server's chain against `anchors` and dates (0
   * only when the user explicitly opted out). Server: POLYTLS_CLIENT_AUTH_*. */
  uint32_t verify_peer;
  uint32_t resumption;      /* 1: offer (server) / accept (client) session resumption */
  polytls_data alpn;        /* ALPN protocol list in wire format (length-prefixed), by
                             * preference; empty for no ALPN. A server with ALPN and no
                             * protocol in common fails with NO_APPLICATION_PROTOCOL. */
  polytls_keylog_fn keylog; /* NULL: no key log */
  void *keylog_user;
  /* Appended (ABI v1, POLYTLS_FEATURE_TLS_SELECT). Each is a list of
   * big-endian uint16 IANA numbers, by preference: cipher suites (only
   * suites of the versions in min_version..max_version; at least one per
   * version) and key-exchange NamedGroups. Empty means the backend's default
   * secure set. The core passes a non-empty list only to a backend with
   * POLYTLS_FEATURE_TLS_SELECT (a backend built against an older header would
   * not see these fields), after checking each entry is one polytls allows
   * (TLS 1.3: 0x1301 0x1302 0x1303; TLS 1.2: ECDHE with AES-GCM or
   * ChaCha20-Poly1305; groups x25519, secp256r1, secp384r1), without
   * duplicates. The backend honours them exactly: a server chooses by this
   * order, a client offers exactly these (and in TLS 1.3 sends a key share
   * for the first group, so that a server accepting that group needs no
   * HelloRetryRequest). One it cannot honour exactly is
   * POLYTLS_ERR_UNSUPPORTED naming it. */
  polytls_data cipher_suites;
  polytls_data groups;
} polytls_tls_config_v1;

/* polytls_tls_session_params_v1 starts one connection. */
typedef struct polytls_tls_session_params_v1 {
  uint32_t struct_size;
  uint32_t reserved;
  polytls_transport transport;      /* borrowed for the session's life */
  polytls_data server_name;         /* client: SNI host name to send; empty sends none */
  polytls_data resume;              /* client: a session from tls_export_session, or empty */
  polytls_peer_check_fn peer_check; /* NULL: no core check */
  void *peer_check_user;
} polytls_tls_session_params_v1;

/* polytls_tls_info_v1 is what was negotiated (valid after the handshake). */
typedef struct polytls_tls_info_v1 {
  uint32_t struct_size;
  uint32_t version;      /* POLYTLS_TLS1_2 / POLYTLS_TLS1_3 */
  uint32_t cipher_suite; /* IANA cipher suite number, e.g. 0x1301 */
  uint32_t group;        /* IANA NamedGroup of the key exchange (0x001d x25519,
                          * 0x0017 secp256r1, ...), 0 if the library cannot say */
  uint32_t resumed;      /* 1 if this was an abbreviated (resumed) handshake */
  uint32_t reserved;
  polytls_data alpn;        /* negotiated protocol, empty if none; valid until the
                             * next call on the session */
  polytls_data server_name; /* server: the SNI the client sent, empty if none */
} polytls_tls_info_v1;

/* polytls_cert_der_visitor receives certificates as DER, one call each. */
typedef struct polytls_cert_der_visitor {
  void *user;
  polytls_status (*certificate)(void *user, const uint8_t *der, size_t len);
} polytls_cert_der_visitor;

/* ---- Capabilities ------------------------------------------------------- */

/* Feature bits in polytls_caps_v1.features. */
#define POLYTLS_FEATURE_KEY_GENERATE (1ull << 0)        /* key_generate */
#define POLYTLS_FEATURE_KEY_WRITE_PKCS8 (1ull << 1)     /* exports PKCS#8 itself */
#define POLYTLS_FEATURE_KEY_WRITE_ENCRYPTED (1ull << 2) /* exports PKCS8_ENCRYPTED */
#define POLYTLS_FEATURE_KEY_READ_ENCRYPTED (1ull << 3)  /* imports PKCS8_ENCRYPTED */
#define POLYTLS_FEATURE_CERT_CREATE (1ull << 4)         /* cert_create */
#define POLYTLS_FEATURE_CERT_VERIFY (1ull << 5)         /* cert_verify */
#define POLYTLS_FEATURE_PBKDF2 (1ull << 6)              /* pbkdf2_hmac */
#define POLYTLS_FEATURE_CIPHER (1ull << 7)              /* cipher (AES-CBC at least) */
#define POLYTLS_FEATURE_TLS12 (1ull << 16)
#define POLYTLS_FEATURE_TLS13 (1ull << 17)
#define POLYTLS_FEATURE_ALPN (1ull << 18)
#define POLYTLS_FEATURE_SNI (1ull << 19)
#define POLYTLS_FEATURE_RESUMPTION (1ull << 20)
#define POLYTLS_FEATURE_KEYLOG_TLS12 (1ull << 21)
#define POLYTLS_FEATURE_KEYLOG_TLS13 (1ull << 22)
#define POLYTLS_FEATURE_CLIENT_AUTH (1ull << 23)
/* TLS_SELECT: the backend honours polytls_tls_config_v1.cipher_suites and
 * .groups exactly; without it the core refuses a non-empty selection. */
#define POLYTLS_FEATURE_TLS_SELECT (1ull << 24)

/* polytls_caps_v1 is what a backend can do: plain data in static storage. */
typedef struct polytls_caps_v1 {
  uint32_t struct_size;
  uint32_t reserved;
  uint64_t features;         /* POLYTLS_FEATURE_* */
  uint32_t key_algorithms;   /* bit (1u << POLYTLS_KEY_*) per algorithm */
  uint32_t curves;           /* bit (1u << POLYTLS_CURVE_*) per curve */
  uint32_t rsa_min_bits;     /* smallest RSA size generated */
  uint32_t rsa_max_bits;     /* largest RSA size generated */
  uint32_t tls_min_version;  /* 0x0303 for TLS 1.2; 0 if no TLS */
  uint32_t tls_max_version;  /* 0x0304 for TLS 1.3 */
  const char *library_name;  /* "OpenSSL", "Mbed TLS", "wolfSSL" */
  const char *build_version; /* version number of the headers built with ("3.0.19") */
} polytls_caps_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* POLYTLS_ABI_TYPES_H */
