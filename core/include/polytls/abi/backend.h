/* polytls/abi/backend.h: the versioned dispatch table a backend fills in.
 *
 * One table per TLS library. A built-in backend hands it to the core through
 * a function `polytls_builtin_<name>()`; a plugin exports the very same table
 * through `polytls_backend_entry()`. The core wraps any table in the same C++
 * classes.
 *
 * Contract, for every member:
 *   - Every function is NULL-safe on its out-parameters' targets only after
 *     success: outputs are written only when POLYTLS_OK is returned.
 *   - Pointers passed in are borrowed for the duration of the call and are
 *     never retained.
 *   - Objects a backend creates (`polytls_key *`, `polytls_cert *`, the
 *     context from `init`) are freed only by that backend, through the
 *     matching free function, which accepts NULL.
 *   - Every function returns a polytls_status; on failure it fills `err`
 *     (which may be NULL) with the library's code and text.
 *   - No C++ exception, longjmp or abort crosses this boundary.
 *   - A member that is NULL, or lies beyond `struct_size`, is "not provided":
 *     the core answers POLYTLS_ERR_UNSUPPORTED without calling it. The
 *     feature bits in `caps` agree with the members provided.
 *   - Calls on distinct objects may run concurrently from several threads;
 *     calls on the same object are serialised by the caller.
 *
 * Compatibility: new members are appended at the end only; `struct_size`
 * tells the core how far a backend's table goes. Any other change bumps
 * POLYTLS_ABI_VERSION, which the loader checks. */
#ifndef POLYTLS_ABI_BACKEND_H
#define POLYTLS_ABI_BACKEND_H

#include "polytls/abi/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POLYTLS_ABI_VERSION 1u

typedef struct polytls_backend_v1 {
  uint32_t abi_version;        /* POLYTLS_ABI_VERSION the backend was compiled against */
  uint32_t struct_size;        /* sizeof(polytls_backend_v1) as the backend saw it */
  const char *name;            /* short lowercase name, "openssl"; static storage */
  const polytls_caps_v1 *caps; /* static storage */

  /* library_version returns the version number of the library actually
   * loaded at run time, digits and dots only ("3.0.19"), in static storage.
   * caps->build_version is the same for the headers it was built with. */
  const char *(*library_version)(void);

  /* init creates the backend's context (random generator, library init).
   * `host` may be NULL. The context is freed by `shutdown`. */
  polytls_status (*init)(const polytls_host_v1 *host, void **out_ctx, polytls_error *err);
  void (*shutdown)(void *ctx);

  /* digest hashes `data` with `algorithm` (POLYTLS_DIGEST_*, not NONE) and
   * writes the digest to `out`. */
  polytls_status (*digest)(void *ctx, uint32_t algorithm, polytls_data data,
                           const polytls_sink *out, polytls_error *err);

  /* pbkdf2_hmac derives `out_len` bytes into `out` with PBKDF2 (RFC 8018)
   * over HMAC with `digest` (SHA1, SHA256, SHA384, SHA512). Optional: with
   * `cipher` it lets the core read and write encrypted PKCS#8 (PBES2) for a
   * library that cannot do it itself. */
  polytls_status (*pbkdf2_hmac)(void *ctx, uint32_t digest, polytls_data password,
                                polytls_data salt, uint32_t iterations, uint8_t *out,
                                size_t out_len, polytls_error *err);

  /* cipher encrypts (`encrypt` = 1) or decrypts (0) `input` with `algorithm`
   * (POLYTLS_CIPHER_*), PKCS#7 padding, into the caller's buffer `out` of
   * `out_cap` bytes (input length + 16 always suffices); the length written
   * goes to `*out_len`. Bad padding on decryption is POLYTLS_ERR_BAD_INPUT. */
  polytls_status (*cipher)(void *ctx, uint32_t algorithm, uint32_t encrypt, polytls_data key,
                           polytls_data iv, polytls_data input, uint8_t *out, size_t out_cap,
                           size_t *out_len, polytls_error *err);

  /* ---- keys ---- */

  /* key_generate creates a private key as `spec` says. */
  polytls_status (*key_generate)(void *ctx, const polytls_key_spec *spec, polytls_key **out_key,
                                 polytls_error *err);

  /* key_import reads a DER key in `format` (POLYTLS_KEY_FORMAT_*). For
   * PKCS8_ENCRYPTED, `passphrase` holds the passphrase bytes; a wrong one is
   * POLYTLS_ERR_BAD_PASSPHRASE. SPKI yields a public-only key. */
  polytls_status (*key_import)(void *ctx, uint32_t format, polytls_data der,
                               polytls_data passphrase, polytls_key **out_key, polytls_error *err);

  /* key_export writes `key` as DER in `format`. PKCS8_ENCRYPTED uses
   * `passphrase` (non-empty); other formats ignore it. Exporting a private
   * format from a public-only key is POLYTLS_ERR_BAD_INPUT. */
  polytls_status (*key_export)(void *ctx, const polytls_key *key, uint32_t format,
                               polytls_data passphrase, const polytls_sink *out,
                               polytls_error *err);

  /* key_describe fills `out` (whose struct_size the caller set). */
  polytls_status (*key_describe)(void *ctx, const polytls_key *key, polytls_key_info *out,
                                 polytls_error *err);

  /* key_sign signs `message` (not a digest: the backend hashes with `digest`,
   * which is NONE for Ed25519) and writes the signature: PKCS#1 v1.5 for RSA,
   * DER ECDSA-Sig-Value for EC, 64 bytes for Ed25519. */
  polytls_status (*key_sign)(void *ctx, const polytls_key *key, uint32_t digest,
                             polytls_data message, const polytls_sink *out, polytls_error *err);

  /* key_verify checks `signature` over `message`; a signature that does not
   * verify is POLYTLS_ERR_BAD_SIGNATURE. Works with public-only keys. */
  polytls_status (*key_verify)(void *ctx, const polytls_key *key, uint32_t digest,
                               polytls_data message, polytls_data signature, polytls_error *err);

  /* key_free releases a key from this backend; NULL is a no-op. Private key
   * material is wiped. */
  void (*key_free)(polytls_key *key);

  /* ---- certificates ---- */

  /* cert_create builds and signs a certificate exactly as `request` says. */
  polytls_status (*cert_create)(void *ctx, const polytls_cert_request_v1 *request,
                                polytls_cert **out_cert, polytls_error *err);

  /* cert_import parses one DER certificate. */
  polytls_status (*cert_import)(void *ctx, polytls_data der, polytls_cert **out_cert,
                                polytls_error *err);

  /* cert_export writes the certificate's DER to `out`. */
  polytls_status (*cert_export)(void *ctx, const polytls_cert *cert, const polytls_sink *out,
                                polytls_error *err);

  /* cert_inspect reports the certificate's fields, as the library parsed
   * them, to `visitor` (see POLYTLS_FIELD_*). */
  polytls_status (*cert_inspect)(void *ctx, const polytls_cert *cert,
                                 const polytls_cert_visitor *visitor, polytls_error *err);

  /* cert_public_key returns the certified public key as a new key object. */
  polytls_status (*cert_public_key)(void *ctx, const polytls_cert *cert, polytls_key **out_key,
                                    polytls_error *err);

  /* cert_verify checks the chain and validity periods (see
   * polytls_verify_request_v1). Failure categories: UNTRUSTED (no path to
   * an anchor, bad signature, issuer not a CA), EXPIRED, NOT_YET_VALID. */
  polytls_status (*cert_verify)(void *ctx, const polytls_verify_request_v1 *request,
                                polytls_error *err);

  /* cert_free releases a certificate from this backend; NULL is a no-op. */
  void (*cert_free)(polytls_cert *cert);

  /* ---- TLS (appended to ABI v1; a table whose struct_size ends before
   * these provides no TLS) ---- */

  /* tls_context_new creates a client or server context from `config`. */
  polytls_status (*tls_context_new)(void *ctx, const polytls_tls_config_v1 *config,
                                    polytls_tls_context **out_context, polytls_error *err);
  /* tls_context_free releases a context; NULL is a no-op. Sessions made from
   * it are freed first by the core. */
  void (*tls_context_free)(polytls_tls_context *context);

  /* tls_session_new starts a connection on `params->transport`; no bytes move
   * until tls_handshake. */
  polytls_status (*tls_session_new)(void *ctx, polytls_tls_context *context,
                                    const polytls_tls_session_params_v1 *params,
                                    polytls_tls_session **out_session, polytls_error *err);

  /* tls_handshake runs the handshake: POLYTLS_OK once complete (and the peer
   * checked), WANT_READ / WANT_WRITE to be called again, or the failure's
   * category: PROTOCOL_VERSION, NO_SHARED_CIPHER, NO_APPLICATION_PROTOCOL,
   * UNTRUSTED, EXPIRED, NOT_YET_VALID, the peer check's status, HANDSHAKE,
   * PEER_CLOSED, IO, TIMEOUT. */
  polytls_status (*tls_handshake)(polytls_tls_session *session, polytls_error *err);

  /* tls_read decrypts up to `cap` bytes: OK with *out_n >= 1, WANT_READ /
   * WANT_WRITE, PEER_CLOSED once the peer's close_notify arrived, IO when
   * the stream ended without close_notify (truncation). After OK, decrypted
   * bytes may remain inside the library: callers read again until WANT_READ
   * before waiting for the transport. */
  polytls_status (*tls_read)(polytls_tls_session *session, uint8_t *buf, size_t cap, size_t *out_n,
                             polytls_error *err);

  /* tls_write encrypts 1..len bytes of `data` (*out_n says how many were
   * taken), or WANT_WRITE / WANT_READ with nothing taken; the caller then
   * repeats the call with the same bytes (the library may have sealed them
   * into a record already; they may sit at another address). */
  polytls_status (*tls_write)(polytls_tls_session *session, const uint8_t *data, size_t len,
                              size_t *out_n, polytls_error *err);

  /* tls_close sends close_notify: OK once sent, WANT_WRITE to call again. */
  polytls_status (*tls_close)(polytls_tls_session *session, polytls_error *err);

  /* tls_describe fills `out` (struct_size set by the caller) after the handshake. */
  polytls_status (*tls_describe)(polytls_tls_session *session, polytls_tls_info_v1 *out,
                                 polytls_error *err);

  /* tls_peer_chain reports the peer's certificates as DER, leaf first. */
  polytls_status (*tls_peer_chain)(polytls_tls_session *session,
                                   const polytls_cert_der_visitor *visitor, polytls_error *err);

  /* tls_export_session writes the session's resumption state (opaque to the
   * core, meaningful only to the same backend) to `out`; UNSUPPORTED when
   * the context has no resumption. */
  polytls_status (*tls_export_session)(polytls_tls_session *session, const polytls_sink *out,
                                       polytls_error *err);

  /* tls_session_free releases a session (without sending anything); NULL is a no-op. */
  void (*tls_session_free)(polytls_tls_session *session);

  /* New members are appended here, never inserted or reordered. */
} polytls_backend_v1;

/* The smallest table the loader accepts: everything up to `cert_free`. */
#define POLYTLS_BACKEND_V1_MIN_SIZE \
  (offsetof(polytls_backend_v1, cert_free) + sizeof(void (*)(polytls_cert *)))

/* Plugins export exactly one symbol: */
#if defined(_WIN32)
#define POLYTLS_PLUGIN_EXPORT __declspec(dllexport)
#else
#define POLYTLS_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* polytls_backend_entry is the one entry point of a plugin. It returns the
 * plugin's table in static storage, or NULL when it cannot serve a core of
 * `core_abi_version`. */
typedef const polytls_backend_v1 *(*polytls_backend_entry_fn)(uint32_t core_abi_version);
#define POLYTLS_BACKEND_ENTRY_SYMBOL "polytls_backend_entry"

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* POLYTLS_ABI_BACKEND_H */
