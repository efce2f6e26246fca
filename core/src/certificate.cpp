#include "polytls/certificate.hpp"

#include <cstdio>

#include "backend_state.hpp"
#include "polytls/backend.hpp"
#include "polytls/pem.hpp"
#include "text.hpp"

namespace polytls {

using detail::BackendState;
using detail::new_error;

namespace detail {

Result<Certificate> make_certificate(const std::shared_ptr<BackendState> &state,
                                     polytls_cert *handle) {
  auto fn = POLYTLS_MEMBER(*state, cert_export);
  VectorSink out;
  polytls_error err = new_error();
  const polytls_status st = fn != nullptr ? fn(state->ctx, handle, &out.sink, &err)
                                          : static_cast<polytls_status>(POLYTLS_ERR_UNSUPPORTED);
  if (st != POLYTLS_OK) {
    state->table->cert_free(handle);
    return state->error(st, err, "cannot export the certificate");
  }
  return Access::certificate(state, handle, std::move(out.bytes));
}

}  // namespace detail

Certificate::Certificate(std::shared_ptr<BackendState> backend, polytls_cert *handle,
                         std::vector<uint8_t> der)
    : backend_(std::move(backend)), handle_(handle), der_(std::move(der)) {}

Certificate::Certificate(Certificate &&other) noexcept
    : backend_(std::move(other.backend_)),
      handle_(std::exchange(other.handle_, nullptr)),
      der_(std::move(other.der_)) {}

Certificate &Certificate::operator=(Certificate &&other) noexcept {
  if (this != &other) {
    reset();
    backend_ = std::move(other.backend_);
    handle_ = std::exchange(other.handle_, nullptr);
    der_ = std::move(other.der_);
  }
  return *this;
}

Certificate::~Certificate() {
  reset();
}

void Certificate::reset() noexcept {
  if (handle_ != nullptr && backend_ != nullptr) backend_->table->cert_free(handle_);
  handle_ = nullptr;
}

Backend Certificate::backend() const {
  return detail::Access::backend(backend_);
}

std::string Certificate::pem() const {
  return pem_encode("CERTIFICATE", der_);
}

namespace {

// InfoBuilder collects cert_inspect's fields into a CertificateInfo.
struct InfoBuilder {
  CertificateInfo info;
  std::string problem;

  static polytls_status field(void *user, const polytls_cert_field *f) noexcept {
    try {
      static_cast<InfoBuilder *>(user)->add(*f);
      return POLYTLS_OK;
    } catch (...) {
      return POLYTLS_ERR_INTERNAL;
    }
  }

  void add(const polytls_cert_field &f) {
    const auto *p = f.data.data;
    const std::size_t n = p == nullptr ? 0 : f.data.len;
    const std::string text(reinterpret_cast<const char *>(p), n);
    switch (f.kind) {
      case POLYTLS_FIELD_VERSION: info.version = static_cast<int>(f.number); break;
      case POLYTLS_FIELD_SUBJECT_ATTR:
        info.subject.add(static_cast<NameAttribute>(f.sub <= 7 ? f.sub : 0), text);
        break;
      case POLYTLS_FIELD_ISSUER_ATTR:
        info.issuer.add(static_cast<NameAttribute>(f.sub <= 7 ? f.sub : 0), text);
        break;
      case POLYTLS_FIELD_SERIAL: {
        std::size_t skip = 0;
        while (skip + 1 < n && p[skip] == 0)
          ++skip;
        info.serial.assign(p + skip, p + n);
        break;
      }
      case POLYTLS_FIELD_NOT_BEFORE:
        info.not_before = UtcTime{std::chrono::seconds{f.number}};
        break;
      case POLYTLS_FIELD_NOT_AFTER: info.not_after = UtcTime{std::chrono::seconds{f.number}}; break;
      case POLYTLS_FIELD_SAN:
        if (f.sub == POLYTLS_SAN_IP) {
          auto ip = SubjectAltName::from_ip_bytes(p, n);
          if (ip) {
            info.subject_alt_names.push_back(*ip);
          } else {
            problem = "malformed IP address SAN";
          }
        } else {
          const auto type = f.sub <= POLYTLS_SAN_URI ? static_cast<SubjectAltName::Type>(f.sub)
                                                     : SubjectAltName::Type::other;
          info.subject_alt_names.push_back(SubjectAltName{type, text});
        }
        break;
      case POLYTLS_FIELD_PUBLIC_KEY:
        info.key_algorithm = static_cast<KeyAlgorithm>(f.sub);
        info.key_bits = static_cast<uint32_t>(f.number);
        break;
      case POLYTLS_FIELD_SIGNATURE:
        info.signature_algorithm = f.sub <= POLYTLS_SIG_RSA_PSS
                                       ? static_cast<SignatureAlgorithm>(f.sub)
                                       : SignatureAlgorithm::unknown;
        break;
      case POLYTLS_FIELD_BASIC_CONSTRAINTS:
        info.has_basic_constraints = true;
        info.is_ca = f.sub != 0;
        if (f.number >= 0) info.path_length = static_cast<int>(f.number);
        break;
      case POLYTLS_FIELD_KEY_USAGE: info.key_usage = static_cast<uint32_t>(f.number); break;
      case POLYTLS_FIELD_EXT_KEY_USAGE: info.ext_key_usage = static_cast<uint32_t>(f.number); break;
      case POLYTLS_FIELD_SUBJECT_KEY_ID: info.subject_key_id.assign(p, p + n); break;
      case POLYTLS_FIELD_AUTHORITY_KEY_ID: info.authority_key_id.assign(p, p + n); break;
      default: break;  // fields of a newer ABI are ignored
    }
  }
};

std::string hex(std::span<const uint8_t> bytes, const char *separator, bool upper) {
  static constexpr char kLower[] = "0123456789abcdef";
  static constexpr char kUpper[] = "0123456789ABCDEF";
  const char *digits = upper ? kUpper : kLower;
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0) out += separator;
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 0x0f];
  }
  return out;
}

}  // namespace

namespace detail {

Result<CertificateInfo> inspect_fields(const BackendState &state, const polytls_cert *handle) {
  auto fn = POLYTLS_MEMBER(state, cert_inspect);
  if (fn == nullptr) return state.unsupported("inspecting certificates");
  InfoBuilder builder;
  polytls_cert_visitor visitor{&builder, &InfoBuilder::field};
  polytls_error err = new_error();
  const polytls_status st = fn(state.ctx, handle, &visitor, &err);
  if (st != POLYTLS_OK) return state.error(st, err, "cannot inspect the certificate");
  if (!builder.problem.empty()) {
    return Error(ErrorCode::bad_input, detail::cat({"certificate has a ", builder.problem}),
                 state.name);
  }
  return std::move(builder.info);
}

}  // namespace detail

Result<CertificateInfo> Certificate::inspect() const {
  POLYTLS_TRY(CertificateInfo info, detail::inspect_fields(*backend_, handle_));
  POLYTLS_TRY(std::vector<uint8_t> fingerprint, backend().digest(DigestAlgorithm::sha256, der_));
  if (fingerprint.size() != info.fingerprint_sha256.size()) {
    return Error(ErrorCode::internal, "SHA-256 digest has the wrong size", backend_->name);
  }
  std::copy(fingerprint.begin(), fingerprint.end(), info.fingerprint_sha256.begin());
  return info;
}

Result<Key> Certificate::public_key() const {
  const std::shared_ptr<BackendState> &state = backend_;
  auto fn = POLYTLS_MEMBER(*state, cert_public_key);
  if (fn == nullptr) return state->unsupported("extracting public keys from certificates");
  polytls_key *handle = nullptr;
  polytls_error err = new_error();
  const polytls_status st = fn(state->ctx, handle_, &handle, &err);
  if (st != POLYTLS_OK) return state->error(st, err, "cannot read the certificate's public key");
  return detail::make_key(state, handle);
}

std::string CertificateInfo::serial_hex() const {
  return hex(serial, "", false);
}

std::string CertificateInfo::fingerprint_hex() const {
  return hex(fingerprint_sha256, ":", true);
}

std::string CertificateInfo::key_description() const {
  switch (key_algorithm) {
    case KeyAlgorithm::rsa: return "RSA " + std::to_string(key_bits);
    case KeyAlgorithm::ec:
      return key_bits == 256   ? "EC P-256"
             : key_bits == 384 ? "EC P-384"
             : key_bits == 521 ? "EC P-521"
                               : "EC " + std::to_string(key_bits);
    case KeyAlgorithm::ed25519: return "Ed25519";
    default: return "unknown key";
  }
}

}  // namespace polytls
