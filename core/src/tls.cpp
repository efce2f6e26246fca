// TLS contexts and sessions: the core validates and decides, the backend
// executes through the tls_* members of its table.
#include "polytls/tls.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "backend_state.hpp"
#include "der.hpp"
#include "polytls/backend.hpp"
#include "polytls/features.hpp"
#include "polytls/files.hpp"
#include "polytls/hostname.hpp"
#include "text.hpp"

namespace polytls {

using detail::Access;
using detail::BackendState;
using detail::new_error;

namespace detail {

// ContextState owns a backend context and everything it may reference.
struct ContextState {
  std::shared_ptr<BackendState> backend;
  polytls_tls_context *handle = nullptr;
  bool server = false;
  bool verify = true;
  std::vector<std::array<uint8_t, 32>> pins;
  std::vector<Certificate> chain;
  std::optional<Key> key;
  std::vector<Certificate> anchors;
  KeylogCallback keylog;

  // The SubjectAltNames of the server leaves this client context checked
  // lately, by the leaf's DER. Reading them means inspecting the whole
  // certificate, which costs more than the rest of the check; a client
  // meets the same leaf on every connection to a server (and on every
  // resumption, where the backend checks the leaf stored with the session).
  mutable std::mutex leaf_mutex;
  mutable std::vector<std::pair<std::vector<uint8_t>, std::vector<SubjectAltName>>> leaf_names;
  static constexpr std::size_t kLeafNamesMax = 16;

  ContextState() = default;
  ContextState(const ContextState &) = delete;
  ContextState &operator=(const ContextState &) = delete;
  ~ContextState() {
    if (handle != nullptr) backend->table->tls_context_free(handle);
  }

  static void keylog_trampoline(void *user, const char *line) noexcept {
    auto *self = static_cast<ContextState *>(user);
    try {
      if (self->keylog && line != nullptr) self->keylog(line);
    } catch (...) {
      // A key log sink that throws loses its line, never the connection.
    }
  }
};

// SessionState is one connection; its address is stable for the callbacks.
struct SessionState {
  std::shared_ptr<ContextState> context;
  std::unique_ptr<Transport> transport;
  polytls_tls_session *handle = nullptr;
  std::string host;
  bool handshake_done = false;
  // The last transport failure and the last failed peer check, with their
  // full detail (the backend only sees the status).
  std::optional<Error> transport_error;
  std::optional<Error> peer_error;

  SessionState() = default;
  SessionState(const SessionState &) = delete;
  SessionState &operator=(const SessionState &) = delete;
  ~SessionState() {
    if (handle != nullptr) context->backend->table->tls_session_free(handle);
  }

  const BackendState &backend() const { return *context->backend; }

  static polytls_status status_of(const Error &e) { return static_cast<polytls_status>(e.code()); }

  static polytls_status send(void *user, const uint8_t *data, size_t len,
                             size_t *out_sent) noexcept {
    auto *self = static_cast<SessionState *>(user);
    try {
      auto sent = self->transport->send({data, len});
      if (sent) {
        *out_sent = *sent;
        return POLYTLS_OK;
      }
      if (sent.error().code() != ErrorCode::want_write) self->transport_error = sent.error();
      return status_of(sent.error());
    } catch (...) {
      return POLYTLS_ERR_INTERNAL;
    }
  }

  static polytls_status recv(void *user, uint8_t *buf, size_t cap, size_t *out_received) noexcept {
    auto *self = static_cast<SessionState *>(user);
    try {
      auto received = self->transport->recv({buf, cap});
      if (received) {
        *out_received = *received;
        return POLYTLS_OK;
      }
      if (received.error().code() != ErrorCode::want_read) {
        self->transport_error = received.error();
      }
      return status_of(received.error());
    } catch (...) {
      return POLYTLS_ERR_INTERNAL;
    }
  }

  // peer_check is the core's check of the server's leaf: the host name
  // (when verifying) and the pins (whenever there are some).
  static polytls_status peer_check(void *user, const polytls_cert *leaf,
                                   polytls_error *err) noexcept {
    auto *self = static_cast<SessionState *>(user);
    try {
      Result<void> verdict = self->check_leaf(leaf);
      if (verdict) return POLYTLS_OK;
      self->peer_error = verdict.error();
      return kit::set_error(err, status_of(verdict.error()), 0, "%s",
                            verdict.error().message().c_str());
    } catch (...) {
      return kit::set_error(err, POLYTLS_ERR_INTERNAL, 0, "peer check failed unexpectedly");
    }
  }

  // leaf_names returns the leaf's SubjectAltNames, from the context's cache
  // when it has this leaf (same DER), else inspected and then cached.
  Result<std::vector<SubjectAltName>> leaf_names(const BackendState &state,
                                                 const polytls_cert *leaf) const {
    auto export_der = POLYTLS_MEMBER(state, cert_export);
    VectorSink der;
    if (export_der != nullptr) {
      polytls_error err = new_error();
      if (export_der(state.ctx, leaf, &der.sink, &err) != POLYTLS_OK) der.bytes.clear();
    }
    if (!der.bytes.empty()) {
      std::lock_guard<std::mutex> lock(context->leaf_mutex);
      for (const auto &[bytes, names] : context->leaf_names) {
        if (bytes == der.bytes) return names;
      }
    }
    POLYTLS_TRY(CertificateInfo info, inspect_fields(state, leaf));
    if (!der.bytes.empty()) {
      std::lock_guard<std::mutex> lock(context->leaf_mutex);
      auto &cache = context->leaf_names;
      if (cache.size() == ContextState::kLeafNamesMax) cache.erase(cache.begin());
      cache.emplace_back(std::move(der.bytes), info.subject_alt_names);
    }
    return std::move(info.subject_alt_names);
  }

  Result<void> check_leaf(const polytls_cert *leaf) const {
    const BackendState &state = backend();
    if (context->verify) {
      POLYTLS_TRY(std::vector<SubjectAltName> names, leaf_names(state, leaf));
      if (auto match = check_host(names, host); !match) {
        return Error(match.error().code(), match.error().message(), state.name);
      }
    }
    if (context->pins.empty()) return ok();
    auto public_key = POLYTLS_MEMBER(state, cert_public_key);
    if (public_key == nullptr) return state.unsupported("public key pinning");
    polytls_key *key_handle = nullptr;
    polytls_error err = new_error();
    polytls_status st = public_key(state.ctx, leaf, &key_handle, &err);
    if (st != POLYTLS_OK) return state.error(st, err, "cannot read the server's public key");
    POLYTLS_TRY(Key key, make_key(context->backend, key_handle));
    POLYTLS_TRY(std::vector<uint8_t> spki, key.public_key_der());
    POLYTLS_TRY(std::vector<uint8_t> digest,
                Access::backend(context->backend).digest(DigestAlgorithm::sha256, spki));
    for (const auto &pin : context->pins) {
      if (std::equal(pin.begin(), pin.end(), digest.begin(), digest.end())) return ok();
    }
    return Error(ErrorCode::pin_mismatch, "the server's public key matches none of the pinned keys",
                 state.name);
  }

  // fail builds the Error for a failed session call, preferring the detail
  // the core kept (transport failure, peer check) for the same status.
  Error fail(polytls_status st, const polytls_error &err, std::string_view what) {
    if (peer_error && status_of(*peer_error) == st) return *std::exchange(peer_error, {});
    if (transport_error && status_of(*transport_error) == st) {
      Error e = *std::exchange(transport_error, {});
      return Error(e.code(), detail::cat({what, ": ", e.message()}), backend().name,
                   e.library_code(), e.library_detail());
    }
    return backend().error(st, err, std::string(what));
  }
};

Session Access::session(std::unique_ptr<SessionState> state) {
  return Session(std::move(state));
}

}  // namespace detail

namespace {

using detail::ContextState;
using detail::SessionState;

bool is_want(polytls_status st) {
  return st == POLYTLS_ERR_WANT_READ || st == POLYTLS_ERR_WANT_WRITE;
}

Error want(polytls_status st) {
  return Error(st == POLYTLS_ERR_WANT_READ ? ErrorCode::want_read : ErrorCode::want_write, {});
}

// alpn_wire encodes a protocol list in the ALPN wire format.
Result<std::vector<uint8_t>> alpn_wire(const std::vector<std::string> &protocols) {
  std::vector<uint8_t> wire;
  for (const std::string &p : protocols) {
    if (p.empty() || p.size() > 255) {
      return Error(ErrorCode::bad_input,
                   detail::cat({"an ALPN protocol name is 1 to 255 bytes, not '", p, "'"}));
    }
    wire.push_back(static_cast<uint8_t>(p.size()));
    wire.insert(wire.end(), p.begin(), p.end());
  }
  return wire;
}

// own_certificates reads certificates of other backends into this one.
Result<std::vector<Certificate>> own_certificates(const std::shared_ptr<BackendState> &state,
                                                  std::vector<Certificate> certs) {
  std::vector<Certificate> out;
  for (Certificate &cert : certs) {
    if (Access::state(cert) == state) {
      out.push_back(std::move(cert));
    } else {
      POLYTLS_TRY(Certificate copy, detail::import_certificate(state, cert.der()));
      out.push_back(std::move(copy));
    }
  }
  return out;
}

struct Common {
  TlsVersion min_version, max_version;
  const std::vector<std::string> &alpn;
  std::optional<bool> resumption;
  const KeylogCallback &keylog;
  const std::vector<uint16_t> &cipher_suites;
  const std::vector<uint16_t> &groups;
};

// Buffers hold what the config points to until the backend has it.
struct Buffers {
  std::vector<uint8_t> alpn;
  std::vector<uint8_t> cipher_suites;
  std::vector<uint8_t> groups;
};

// named_number is "NAME (0x1301)", or the number alone when it has no name.
// (Cipher suites are written in upper-case hex, groups in lower case.)
std::string named_number(std::string_view name, uint16_t value, bool upper) {
  char number[8];
  std::snprintf(number, sizeof number, upper ? "0x%04X" : "0x%04x", value);
  return name.empty() ? std::string(number) : detail::cat({name, " (", number, ")"});
}

std::string suite_text(uint16_t suite) {
  return named_number(cipher_suite_name(suite), suite, true);
}

std::string group_text(uint16_t group) {
  return named_number(group_name(group), group, false);
}

// check_selection applies the rules of a cipher suite and group selection
// to the user's version range (so the verdict is the same on every backend).
Result<void> check_selection(const BackendState &state, const Common &common) {
  const auto allowed = [](std::span<const uint16_t> set, uint16_t v) {
    return std::find(set.begin(), set.end(), v) != set.end();
  };
  for (std::size_t i = 0; i < common.cipher_suites.size(); ++i) {
    const uint16_t suite = common.cipher_suites[i];
    if (!cipher_suite_version(suite)) {
      return Error(ErrorCode::bad_input,
                   detail::cat({"cipher suite ", suite_text(suite),
                                " is not one polytls allows (TLS 1.3: TLS_AES_128_GCM_SHA256, "
                                "TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256; TLS 1.2: "
                                "ECDHE with AES-GCM or ChaCha20-Poly1305)"}),
                   state.name);
    }
    if (std::find(common.cipher_suites.begin(), common.cipher_suites.begin() + i, suite) !=
        common.cipher_suites.begin() + i) {
      return Error(ErrorCode::bad_input,
                   detail::cat({"cipher suite ", suite_text(suite), " is listed twice"}),
                   state.name);
    }
  }
  for (std::size_t i = 0; i < common.groups.size(); ++i) {
    const uint16_t group = common.groups[i];
    if (!allowed(secure_groups(), group)) {
      return Error(ErrorCode::bad_input,
                   detail::cat({"key exchange group ", group_text(group),
                                " is not one polytls allows (x25519, secp256r1, secp384r1)"}),
                   state.name);
    }
    if (std::find(common.groups.begin(), common.groups.begin() + i, group) !=
        common.groups.begin() + i) {
      return Error(ErrorCode::bad_input,
                   detail::cat({"key exchange group ", group_text(group), " is listed twice"}),
                   state.name);
    }
  }
  if (!common.cipher_suites.empty()) {
    for (TlsVersion v : {TlsVersion::tls12, TlsVersion::tls13}) {
      if (v < common.min_version || v > common.max_version) continue;
      const bool listed =
          std::any_of(common.cipher_suites.begin(), common.cipher_suites.end(),
                      [v](uint16_t suite) { return cipher_suite_version(suite) == v; });
      if (!listed) {
        return Error(ErrorCode::bad_input,
                     detail::cat({"the cipher suites include none for ", to_string(v),
                                  ", which the version range allows (add one, or narrow the "
                                  "range)"}),
                     state.name);
      }
    }
  }
  return ok();
}

// u16_wire encodes numbers as big-endian 16-bit values.
std::vector<uint8_t> u16_wire(const std::vector<uint16_t> &numbers) {
  std::vector<uint8_t> out;
  for (uint16_t n : numbers) {
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n & 0xFF));
  }
  return out;
}

// check_common applies the rules every context shares and fills the config.
Result<void> check_common(const BackendState &state, const Common &common,
                          polytls_tls_config_v1 &config, Buffers &buffers) {
  if (!state.has(POLYTLS_FEATURE_TLS12) && !state.has(POLYTLS_FEATURE_TLS13)) {
    return state.unsupported("TLS");
  }
  if (POLYTLS_MEMBER(state, tls_session_free) == nullptr) return state.unsupported("TLS");
  uint32_t min = static_cast<uint32_t>(common.min_version);
  uint32_t max = static_cast<uint32_t>(common.max_version);
  if (min > max) {
    return Error(ErrorCode::bad_input, "the minimum TLS version is above the maximum", state.name);
  }
  POLYTLS_CHECK(check_selection(state, common));
  // Keep the range within what the library has; a range it cannot serve at all is unsupported.
  const uint32_t lib_min = state.caps.tls_min_version;
  const uint32_t lib_max = state.caps.tls_max_version;
  if (max < lib_min || min > lib_max) {
    return state.unsupported(
        std::string(to_string(static_cast<TlsVersion>(min > lib_max ? min : max))));
  }
  min = std::max(min, lib_min);
  max = std::min(max, lib_max);
  config.min_version = min;
  config.max_version = max;

  if (!common.alpn.empty()) {
    if (!state.has(POLYTLS_FEATURE_ALPN)) return state.unsupported("ALPN");
    POLYTLS_TRY(buffers.alpn, alpn_wire(common.alpn));
    config.alpn = detail::as_data(buffers.alpn);
  }
  if (!common.cipher_suites.empty() || !common.groups.empty()) {
    // A backend without the bit may have been built against a header that
    // ends before these fields: it would ignore them.
    if (!state.has(POLYTLS_FEATURE_TLS_SELECT)) {
      return state.unsupported("choosing cipher suites or key exchange groups");
    }
    // Only the suites of the versions the context serves reach the backend.
    std::vector<uint16_t> suites;
    for (uint16_t suite : common.cipher_suites) {
      const auto v = static_cast<uint32_t>(*cipher_suite_version(suite));
      if (v >= min && v <= max) suites.push_back(suite);
    }
    buffers.cipher_suites = u16_wire(suites);
    buffers.groups = u16_wire(common.groups);
    config.cipher_suites = detail::as_data(buffers.cipher_suites);
    config.groups = detail::as_data(buffers.groups);
  }
  if (common.resumption.value_or(false) && !state.has(POLYTLS_FEATURE_RESUMPTION)) {
    return state.unsupported("session resumption");
  }
  config.resumption = common.resumption.value_or(state.has(POLYTLS_FEATURE_RESUMPTION)) ? 1u : 0u;
  if (common.keylog) {
    if (min <= POLYTLS_TLS1_2 && !state.has(POLYTLS_FEATURE_KEYLOG_TLS12)) {
      return state.unsupported("key logging for TLS 1.2");
    }
    if (max >= POLYTLS_TLS1_3 && !state.has(POLYTLS_FEATURE_KEYLOG_TLS13)) {
      return state.unsupported(
          "key logging for TLS 1.3 (limit the connection to TLS 1.2 to log keys)");
    }
  }
  return ok();
}

// check_identity checks that `key` holds the private key of `chain[0]`.
Result<void> check_identity(const BackendState &state, const std::vector<Certificate> &chain,
                            const std::optional<Key> &key) {
  if (chain.empty() != !key.has_value()) {
    return Error(ErrorCode::bad_input, "a certificate chain and its key go together", state.name);
  }
  if (chain.empty()) return ok();
  if (detail::Access::state(*key).get() != &state) {
    return state.foreign("the private key", detail::Access::state(*key)->name);
  }
  if (!key->has_private()) {
    return Error(ErrorCode::bad_input, "the key has no private half", state.name);
  }
  POLYTLS_TRY(Key certified, chain.front().public_key());
  POLYTLS_TRY(std::vector<uint8_t> a, certified.public_key_der());
  POLYTLS_TRY(std::vector<uint8_t> b, key->public_key_der());
  if (a != b) {
    return Error(ErrorCode::bad_input, "the private key does not belong to the certificate",
                 state.name);
  }
  return ok();
}

Result<std::vector<Certificate>> system_anchors(const std::shared_ptr<BackendState> &state) {
  const char *env = std::getenv("POLYTLS_CA_FILE");
  const std::string path =
      env != nullptr && *env != '\0' ? env : "/etc/ssl/certs/ca-certificates.crt";
  auto certs = Access::backend(state).load_certificates_file(path);
  if (!certs) return certs.error().with_context("the system trust store");
  return certs;
}

Result<TlsContext> make_context(const std::shared_ptr<ContextState> &context,
                                polytls_tls_config_v1 &config) {
  const BackendState &state = *context->backend;
  std::vector<const polytls_cert *> chain, anchors;
  for (const Certificate &c : context->chain)
    chain.push_back(Access::handle(c));
  for (const Certificate &c : context->anchors)
    anchors.push_back(Access::handle(c));
  config.chain = chain.data();
  config.chain_count = chain.size();
  config.key = context->key ? Access::handle(*context->key) : nullptr;
  config.anchors = anchors.data();
  config.anchor_count = anchors.size();
  if (context->keylog) {
    config.keylog = &ContextState::keylog_trampoline;
    config.keylog_user = context.get();
  }
  auto fn = POLYTLS_MEMBER(state, tls_context_new);
  if (fn == nullptr) return state.unsupported("TLS");
  polytls_error err = new_error();
  const polytls_status st = fn(state.ctx, &config, &context->handle, &err);
  if (st != POLYTLS_OK) {
    context->handle = nullptr;
    return state.error(st, err, "cannot create the TLS context");
  }
  return Access::tls_context(context);
}

}  // namespace

Result<TlsContext> Backend::make_server_context(TlsServerConfig config) const {
#if !POLYTLS_HAS_TLS_SERVER
  (void)config;
  return Error(ErrorCode::unsupported,
               "TLS server: this polytls was built without it (POLYTLS_TLS_SERVER=OFF)",
               state_->name);
#else
  const BackendState &state = *state_;
  auto context = std::make_shared<ContextState>();
  context->backend = state_;
  context->server = true;
  polytls_tls_config_v1 c{};
  c.struct_size = sizeof c;
  c.role = POLYTLS_ROLE_SERVER;
  Buffers buffers;
  POLYTLS_CHECK(
      check_common(state,
                   {config.min_version, config.max_version, config.alpn, config.resumption,
                    config.keylog, config.cipher_suites, config.groups},
                   c, buffers));
  if (config.chain.empty()) {
    return Error(ErrorCode::bad_input, "a TLS server needs a certificate and its key", state.name);
  }
  POLYTLS_TRY(context->chain, own_certificates(state_, std::move(config.chain)));
  context->key = std::move(config.key);
  POLYTLS_CHECK(check_identity(state, context->chain, context->key));
  if (config.client_auth != ClientAuth::none) {
    if (!state.has(POLYTLS_FEATURE_CLIENT_AUTH)) return state.unsupported("client certificates");
    if (config.client_anchors.empty()) {
      return Error(ErrorCode::bad_input,
                   "asking for client certificates needs the CAs that issue them", state.name);
    }
  }
  POLYTLS_TRY(context->anchors, own_certificates(state_, std::move(config.client_anchors)));
  c.verify_peer = static_cast<uint32_t>(config.client_auth);
  context->keylog = std::move(config.keylog);
  return make_context(context, c);
#endif
}

Result<TlsContext> Backend::make_client_context(TlsClientConfig config) const {
  const BackendState &state = *state_;
  auto context = std::make_shared<ContextState>();
  context->backend = state_;
  polytls_tls_config_v1 c{};
  c.struct_size = sizeof c;
  c.role = POLYTLS_ROLE_CLIENT;
  Buffers buffers;
  POLYTLS_CHECK(
      check_common(state,
                   {config.min_version, config.max_version, config.alpn, config.resumption,
                    config.keylog, config.cipher_suites, config.groups},
                   c, buffers));
  POLYTLS_TRY(context->anchors, own_certificates(state_, std::move(config.anchors)));
  if (config.use_system_store) {
    POLYTLS_TRY(std::vector<Certificate> system, system_anchors(state_));
    for (Certificate &cert : system)
      context->anchors.push_back(std::move(cert));
  }
  if (config.verify && context->anchors.empty()) {
    return Error(ErrorCode::bad_input,
                 "a verifying client needs trust anchors: a CA or the server's own certificate, "
                 "or the system store (or turn verification off explicitly)",
                 state.name);
  }
  POLYTLS_TRY(context->chain, own_certificates(state_, std::move(config.chain)));
  context->key = std::move(config.key);
  POLYTLS_CHECK(check_identity(state, context->chain, context->key));
  if (!context->chain.empty() && !state.has(POLYTLS_FEATURE_CLIENT_AUTH)) {
    return state.unsupported("client certificates");
  }
  context->verify = config.verify;
  context->pins = std::move(config.pins);
  c.verify_peer = config.verify ? 1u : 0u;
  context->keylog = std::move(config.keylog);
  return make_context(context, c);
}

namespace {

Result<Session> start(const std::shared_ptr<ContextState> &context,
                      std::unique_ptr<Transport> transport, const ClientSessionOptions *client) {
  const BackendState &state = *context->backend;
  if (transport == nullptr) return Error(ErrorCode::bad_input, "no transport", state.name);
  auto session = std::make_unique<SessionState>();
  session->context = context;
  session->transport = std::move(transport);
  polytls_tls_session_params_v1 params{};
  params.struct_size = sizeof params;
  params.transport = polytls_transport{session.get(), &SessionState::send, &SessionState::recv};
  std::string sni;
  if (client != nullptr) {
    if (client->host.empty() && context->verify) {
      return Error(ErrorCode::bad_input,
                   "a verifying client needs the server's host name to check its certificate",
                   state.name);
    }
    session->host = client->host;
    // SNI carries host names only, never IP addresses (RFC 6066).
    if (!client->host.empty() && !SubjectAltName::ip(client->host)) {
      for (char ch : client->host)
        sni += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (sni.ends_with('.')) sni.pop_back();
      if (!state.has(POLYTLS_FEATURE_SNI)) return state.unsupported("SNI");
      params.server_name = detail::as_data(sni);
    }
    if (client->resume != nullptr) {
      if (client->resume->backend != state.name) {
        return Error(ErrorCode::bad_input,
                     detail::cat({"the session ticket belongs to the ", client->resume->backend,
                                  " backend"}),
                     state.name);
      }
      params.resume = detail::as_data(client->resume->data);
    }
    if (context->verify || !context->pins.empty()) {
      params.peer_check = &SessionState::peer_check;
      params.peer_check_user = session.get();
    }
  }
  auto fn = POLYTLS_MEMBER(state, tls_session_new);
  if (fn == nullptr) return state.unsupported("TLS");
  polytls_error err = new_error();
  const polytls_status st = fn(state.ctx, context->handle, &params, &session->handle, &err);
  if (st != POLYTLS_OK) {
    session->handle = nullptr;
    return state.error(st, err, "cannot start the TLS session");
  }
  return Access::session(std::move(session));
}

}  // namespace

Result<Session> TlsContext::connect(std::unique_ptr<Transport> transport,
                                    const ClientSessionOptions &options) const {
  if (state_->server) {
    return Error(ErrorCode::bad_input, "connect needs a client context", state_->backend->name);
  }
  return start(state_, std::move(transport), &options);
}

Result<Session> TlsContext::accept(std::unique_ptr<Transport> transport) const {
  if (!state_->server) {
    return Error(ErrorCode::bad_input, "accept needs a server context", state_->backend->name);
  }
  return start(state_, std::move(transport), nullptr);
}

bool TlsContext::is_server() const noexcept {
  return state_->server;
}
Backend TlsContext::backend() const {
  return Access::backend(state_->backend);
}

Session::Session(std::unique_ptr<detail::SessionState> state) : state_(std::move(state)) {}
Session::Session(Session &&) noexcept = default;
Session &Session::operator=(Session &&) noexcept = default;
Session::~Session() = default;

bool Session::is_handshake_done() const noexcept {
  return state_->handshake_done;
}
Transport &Session::transport() noexcept {
  return *state_->transport;
}
Backend Session::backend() const {
  return Access::backend(state_->context->backend);
}

Result<void> Session::handshake() {
  SessionState &s = *state_;
  if (s.handshake_done) return ok();
  polytls_error err = new_error();
  const polytls_status st = s.backend().table->tls_handshake(s.handle, &err);
  if (st == POLYTLS_OK) {
    s.handshake_done = true;
    return ok();
  }
  if (is_want(st)) return want(st);
  return s.fail(st, err, "TLS handshake failed");
}

Result<std::size_t> Session::read(std::span<uint8_t> buffer) {
  SessionState &s = *state_;
  if (buffer.empty()) return std::size_t{0};
  std::size_t n = 0;
  polytls_error err = new_error();
  const polytls_status st =
      s.backend().table->tls_read(s.handle, buffer.data(), buffer.size(), &n, &err);
  if (st == POLYTLS_OK) return n;
  if (is_want(st)) return want(st);
  if (st == POLYTLS_ERR_PEER_CLOSED) {
    return Error(ErrorCode::peer_closed, "the peer closed the TLS connection", s.backend().name);
  }
  return s.fail(st, err, "TLS read failed");
}

Result<std::size_t> Session::write(std::span<const uint8_t> data) {
  SessionState &s = *state_;
  if (data.empty()) return std::size_t{0};
  std::size_t n = 0;
  polytls_error err = new_error();
  const polytls_status st =
      s.backend().table->tls_write(s.handle, data.data(), data.size(), &n, &err);
  if (st == POLYTLS_OK) return n;
  if (is_want(st)) return want(st);
  return s.fail(st, err, "TLS write failed");
}

Result<void> Session::write_all(std::span<const uint8_t> data) {
  while (!data.empty()) {
    POLYTLS_TRY(std::size_t n, write(data));
    data = data.subspan(n);
  }
  return ok();
}

Result<void> Session::close() {
  SessionState &s = *state_;
  polytls_error err = new_error();
  const polytls_status st = s.backend().table->tls_close(s.handle, &err);
  if (st == POLYTLS_OK) return ok();
  if (is_want(st)) return want(st);
  return s.fail(st, err, "sending close_notify failed");
}

Result<SessionInfo> Session::info() const {
  const SessionState &s = *state_;
  const BackendState &state = s.backend();
  polytls_tls_info_v1 raw{};
  raw.struct_size = sizeof raw;
  polytls_error err = new_error();
  const polytls_status st = state.table->tls_describe(s.handle, &raw, &err);
  if (st != POLYTLS_OK) return state.error(st, err, "cannot describe the TLS session");
  SessionInfo info;
  info.version = static_cast<TlsVersion>(raw.version);
  info.cipher_suite = static_cast<uint16_t>(raw.cipher_suite);
  info.cipher_suite_name = std::string(cipher_suite_name(info.cipher_suite));
  info.group = static_cast<uint16_t>(raw.group);
  info.group_name = std::string(group_name(info.group));
  info.alpn = std::string(kit::text(raw.alpn));
  info.resumed = raw.resumed != 0;
  info.server_name = std::string(kit::text(raw.server_name));
  return info;
}

Result<std::vector<Certificate>> Session::peer_certificates() const {
  const SessionState &s = *state_;
  struct Collector {
    std::vector<std::vector<uint8_t>> ders;
    static polytls_status add(void *user, const uint8_t *der, size_t len) noexcept {
      try {
        static_cast<Collector *>(user)->ders.emplace_back(der, der + len);
        return POLYTLS_OK;
      } catch (...) {
        return POLYTLS_ERR_INTERNAL;
      }
    }
  } collector;
  polytls_cert_der_visitor visitor{&collector, &Collector::add};
  polytls_error err = new_error();
  const polytls_status st = s.backend().table->tls_peer_chain(s.handle, &visitor, &err);
  if (st != POLYTLS_OK) return s.backend().error(st, err, "cannot read the peer's certificates");
  std::vector<Certificate> out;
  for (const auto &der : collector.ders) {
    POLYTLS_TRY(Certificate cert, detail::import_certificate(s.context->backend, der));
    out.push_back(std::move(cert));
  }
  return out;
}

Result<SessionTicket> Session::export_ticket() const {
  const SessionState &s = *state_;
  detail::VectorSink out;
  polytls_error err = new_error();
  const polytls_status st = s.backend().table->tls_export_session(s.handle, &out.sink, &err);
  if (st != POLYTLS_OK) return s.backend().error(st, err, "cannot export the session");
  return SessionTicket{s.backend().name, std::move(out.bytes)};
}

Result<std::array<uint8_t, 32>> spki_pin(const Certificate &certificate) {
  POLYTLS_TRY(Key key, certificate.public_key());
  POLYTLS_TRY(std::vector<uint8_t> spki, key.public_key_der());
  POLYTLS_TRY(std::vector<uint8_t> digest,
              certificate.backend().digest(DigestAlgorithm::sha256, spki));
  std::array<uint8_t, 32> pin{};
  std::copy(digest.begin(), digest.end(), pin.begin());
  return pin;
}

Result<std::array<uint8_t, 32>> parse_pin(std::string_view text) {
  std::array<uint8_t, 32> pin{};
  auto bad = [&text] {
    return Error(ErrorCode::bad_input,
                 detail::cat({"'", text, "' is not a pin (sha256//BASE64 or 64 hex digits)"}));
  };
  if (text.starts_with("sha256//")) {
    const std::string_view b64 = text.substr(8);
    // Base64 of 32 bytes is 44 characters with one '='.
    if (b64.size() != 44 || b64[43] != '=') return bad();
    uint32_t acc = 0;
    int bits = 0;
    std::size_t n = 0;
    for (char c : b64.substr(0, 43)) {
      int v = -1;
      if (c >= 'A' && c <= 'Z') v = c - 'A';
      if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
      if (c >= '0' && c <= '9') v = c - '0' + 52;
      if (c == '+') v = 62;
      if (c == '/') v = 63;
      if (v < 0) return bad();
      acc = (acc << 6) | static_cast<uint32_t>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        if (n >= pin.size()) return bad();
        pin[n++] = static_cast<uint8_t>((acc >> bits) & 0xff);
      }
    }
    if (n != pin.size()) return bad();
    return pin;
  }
  if (text.size() != 64) return bad();
  for (std::size_t i = 0; i < 32; ++i) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = nibble(text[2 * i]);
    const int lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return bad();
    pin[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return pin;
}

}  // namespace polytls
