#include "tls_support.hpp"

#include <map>
#include <mutex>

namespace polytls::test {

Certificate copy(const Certificate &cert, const Backend &b) {
  auto c = b.load_certificate(cert.der());
  if (!c) {
    ADD_FAILURE() << c.error().to_string();
    std::abort();
  }
  return std::move(c).value();
}

std::vector<Certificate> copies(const Certificate &cert, const Backend &b) {
  std::vector<Certificate> out;
  out.push_back(copy(cert, b));
  return out;
}

Key copy_key(const Key &key, const Backend &b) {
  auto pem = key.private_key_pem();
  if (!pem) {
    ADD_FAILURE() << pem.error().to_string();
    std::abort();
  }
  auto k = b.load_key(*pem);
  if (!k) {
    ADD_FAILURE() << k.error().to_string();
    std::abort();
  }
  return std::move(k).value();
}

bool has_tls(const Backend &b) {
  return b.supports(Capability::tls12) || b.supports(Capability::tls13);
}

bool supports_version(const Backend &b, TlsVersion version) {
  return version == TlsVersion::tls12 ? b.supports(Capability::tls12)
                                      : b.supports(Capability::tls13);
}

const Pki &pki(const std::string &backend_name, KeyType type) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, KeyType>, std::unique_ptr<Pki>> cache;
  std::lock_guard lock(mutex);
  auto &slot = cache[{backend_name, type}];
  if (slot) return *slot;
  const Backend b = backend(backend_name);
  auto must = [](auto result) {
    if (!result) {
      ADD_FAILURE() << result.error().to_string();
      std::abort();
    }
    return std::move(result).value();
  };
  Key ca_key = must(b.generate_key(KeyType::ecdsa_p256));
  Certificate ca = must(b.self_sign(ca_spec(), ca_key));
  Key server_key = must(b.generate_key(type));
  Certificate server = must(b.issue(leaf_spec(), server_key, ca, ca_key));
  Key client_key = must(b.generate_key(type));
  CertificateSpec client_spec = leaf_spec("polytls test client");
  client_spec.subject_alt_names.clear();
  client_spec.ext_key_usage = ext_key_usage::client_auth;
  Certificate client = must(b.issue(client_spec, client_key, ca, ca_key));
  CertificateSpec old = leaf_spec();
  old.not_before = now_utc() - std::chrono::days(90);
  old.not_after = now_utc() - std::chrono::days(30);
  Certificate expired = must(b.issue(old, server_key, ca, ca_key));
  Key other_key = must(b.generate_key(KeyType::ecdsa_p256));
  Certificate other_ca = must(b.self_sign(ca_spec("Unrelated CA"), other_key));
  Certificate self_signed = must(b.self_sign(leaf_spec(), server_key));
  slot = std::make_unique<Pki>(Pki{
      std::move(ca), std::move(ca_key), std::move(server), std::move(server_key), std::move(client),
      std::move(client_key), std::move(expired), std::move(other_ca), std::move(self_signed)});
  return *slot;
}

HandshakeOutcome pump(Session &client, Session &server, int max_rounds) {
  HandshakeOutcome out;
  bool client_over = false, server_over = false;
  auto step = [](Session &s, Result<void> &result, bool &over) {
    if (over) return;
    auto r = s.handshake();
    if (r) {
      over = true;
      result = ::polytls::ok();
    } else if (r.error().code() != ErrorCode::want_read &&
               r.error().code() != ErrorCode::want_write) {
      over = true;
      result = r.error();
    }
  };
  for (int round = 0; round < max_rounds && !(client_over && server_over); ++round) {
    step(client, out.client, client_over);
    step(server, out.server, server_over);
    // A side that failed sent its alert; the other reads it next round. If
    // the failed side sent nothing, the other waits; stop after a few rounds.
    if ((client_over && !out.client) || (server_over && !out.server)) {
      if (round > 0 && max_rounds > round + 20) max_rounds = round + 20;
    }
  }
  if (!client_over) out.client = Error(ErrorCode::timeout, "client handshake did not finish");
  if (!server_over) out.server = Error(ErrorCode::timeout, "server handshake did not finish");
  return out;
}

Result<std::vector<uint8_t>> transfer(Session &from, Session &to, std::span<const uint8_t> data) {
  std::vector<uint8_t> got;
  got.reserve(data.size());
  std::vector<uint8_t> buffer(16384);
  std::size_t sent = 0;
  for (int rounds = 0; got.size() < data.size(); ++rounds) {
    if (rounds > 100000) return Error(ErrorCode::timeout, "transfer did not finish");
    if (sent < data.size()) {
      auto w = from.write(data.subspan(sent));
      if (w) {
        sent += *w;
      } else if (w.error().code() != ErrorCode::want_read &&
                 w.error().code() != ErrorCode::want_write) {
        return w.error();
      }
    }
    auto r = to.read(buffer);
    if (r) {
      got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*r));
    } else if (r.error().code() != ErrorCode::want_read &&
               r.error().code() != ErrorCode::want_write) {
      return r.error();
    }
  }
  return got;
}

Result<void> first_read(Session &session) {
  uint8_t buf[256];
  for (int i = 0; i < 50; ++i) {
    auto r = session.read(buf);
    if (r) return ::polytls::ok();
    if (r.error().code() != ErrorCode::want_read && r.error().code() != ErrorCode::want_write) {
      return r.error();
    }
  }
  return ::polytls::ok();
}

Result<SessionPair> connect_memory(const TlsContext &client, const TlsContext &server,
                                   const ClientSessionOptions &options) {
  auto [a, b] = make_memory_pair();
  auto tap = std::make_unique<TapTransport>(std::move(a));
  TapTransport *tap_ptr = tap.get();
  POLYTLS_TRY(Session c, client.connect(std::move(tap), options));
  POLYTLS_TRY(Session s, server.accept(std::move(b)));
  return SessionPair{std::move(c), std::move(s), tap_ptr};
}

std::vector<uint8_t> random_payload(std::size_t n, uint32_t seed) {
  std::vector<uint8_t> out(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto &b : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<uint8_t>(x);
  }
  return out;
}

}  // namespace polytls::test
