// identity.cpp: the self-signed localhost certificate a server uses when it
// is given none, kept between runs so a browser or client trusts it once.
#include <cstdlib>
#include <system_error>

#include "server.hpp"

namespace polytls::server {
namespace {

constexpr const char *kCertName = "localhost-cert.pem";
constexpr const char *kKeyName = "localhost-key.pem";

// reuse loads an earlier identity; an error means "make a new one".
Result<LocalIdentity> reuse(const Backend &backend, const std::filesystem::path &dir) {
  LocalIdentity id;
  id.cert_file = dir / kCertName;
  id.key_file = dir / kKeyName;
  POLYTLS_TRY(id.chain, backend.load_certificates_file(id.cert_file));
  POLYTLS_TRY(Key key, backend.load_key_file(id.key_file));
  id.key = std::move(key);
  if (id.chain.size() != 1) return Error(ErrorCode::bad_input, "not one certificate");
  // Still valid (trusted as itself, within its dates), and its key is ours.
  POLYTLS_CHECK(backend.verify(id.chain.front(), id.chain));
  POLYTLS_TRY(Key certified, id.chain.front().public_key());
  POLYTLS_TRY(auto a, certified.public_key_der());
  POLYTLS_TRY(auto b, id.key->public_key_der());
  if (a != b) return Error(ErrorCode::bad_input, "the key does not match the certificate");
  return id;
}

}  // namespace

std::filesystem::path local_identity_dir() {
  if (const char *dir = std::getenv("POLYTLS_STATE_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  if (const char *dir = std::getenv("XDG_STATE_HOME"); dir != nullptr && *dir == '/') {
    return std::filesystem::path(dir) / "polytls";
  }
  if (const char *home = std::getenv("HOME"); home != nullptr && *home == '/') {
    return std::filesystem::path(home) / ".local" / "state" / "polytls";
  }
  return std::filesystem::temp_directory_path() / "polytls";
}

Result<LocalIdentity> local_identity(const Backend &backend, const std::filesystem::path &dir,
                                     bool fresh) {
  if (!fresh) {
    if (auto earlier = reuse(backend, dir)) return earlier;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::io, "cannot create " + dir.string() + ": " + ec.message());

  CertificateSpec spec;
  spec.subject.add(NameAttribute::common_name, "localhost");
  for (const char *text : {"DNS:localhost", "IP:127.0.0.1", "IP:::1"}) {
    POLYTLS_TRY(SubjectAltName san, SubjectAltName::parse(text));
    spec.subject_alt_names.push_back(std::move(san));
  }
  LocalIdentity id;
  id.cert_file = dir / kCertName;
  id.key_file = dir / kKeyName;
  id.made = true;
  POLYTLS_TRY(Key key, backend.generate_key(KeyType::rsa2048));
  POLYTLS_TRY(Certificate cert, backend.self_sign(spec, key));
  POLYTLS_TRY(std::string key_pem, key.private_key_pem());
  id.key = std::move(key);
  // The key first: a certificate on disk always has its key beside it.
  POLYTLS_CHECK(write_file(id.key_file, key_pem, {.overwrite = true, .private_file = true}));
  POLYTLS_CHECK(write_file(id.cert_file, cert.pem(), {.overwrite = true}));
  id.chain.push_back(std::move(cert));
  return id;
}

}  // namespace polytls::server
