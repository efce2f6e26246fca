// trace.cpp: the packet-analyser view of a tapped TLS connection.
#include "trace.hpp"

#include <cstdio>

#include "polytls/tls.hpp"
#include "polytls/wire.hpp"

namespace polytls::app {
namespace {

std::string hex16(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

bool is_grease(uint16_t v) {
  return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

// named renders "NAME (0x....)", "GREASE (0x....)" or just the number.
std::string named(std::string_view name, uint16_t v) {
  if (!name.empty()) return std::string(name) + " (" + hex16(v) + ")";
  if (is_grease(v)) return "GREASE (" + hex16(v) + ")";
  return hex16(v);
}

template <typename Fn>
std::string join(const std::vector<uint16_t> &values, Fn &&render) {
  std::string out;
  for (uint16_t v : values) {
    if (!out.empty()) out += ", ";
    out += render(v);
  }
  return out;
}

std::string suite_text(uint16_t v) {
  if (v == 0x00ff) return named("TLS_EMPTY_RENEGOTIATION_INFO_SCSV", v);
  if (v == 0x5600) return named("TLS_FALLBACK_SCSV", v);
  return named(cipher_suite_name(v), v);
}

std::string byte_count(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}
std::string group_text(uint16_t v) {
  return named(group_name(v), v);
}

// Side is what the listing knows about one direction of the stream.
struct Side {
  std::string name;                // "client > server"
  std::vector<uint8_t> data;       // received bytes not yet cut into records
  std::vector<uint8_t> handshake;  // plaintext handshake bytes not yet cut into messages
  bool encrypted = false;          // this side changed keys (ChangeCipherSpec or TLS 1.3)
  bool not_tls = false;            // a bad record header: the rest is shown as bytes
};

class Tracer {
 public:
  explicit Tracer(const TraceOptions &options) {
    sides_[0].name = options.local + " > " + options.remote;
    sides_[1].name = options.remote + " > " + options.local;
  }

  void add(const TapTransport::Segment &segment) {
    if (!started_) {
      start_ = segment.when;
      started_ = true;
    }
    const double ms = std::chrono::duration<double, std::milli>(segment.when - start_).count();
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%+10.3f ms  ", ms);
    stamp_ = stamp;
    Side &side = sides_[segment.direction == TapTransport::Direction::sent ? 0 : 1];
    if (side.not_tls) {
      emit(side, byte_count(segment.bytes.size()) + " more (not TLS)");
      return;
    }
    side.data.insert(side.data.end(), segment.bytes.begin(), segment.bytes.end());
    auto split = wire::split_records(side.data);
    if (!split) {
      side.not_tls = true;
      emit(side, std::to_string(side.data.size()) +
                     " bytes that are not TLS: " + split.error().message());
      side.data.clear();
      return;
    }
    std::size_t used = 0;
    for (const wire::Record &record : split->records) {
      used += 5 + record.fragment.size();
      this->record(side, record);
    }
    side.data.erase(side.data.begin(), side.data.begin() + static_cast<std::ptrdiff_t>(used));
    if (!split->not_tls.empty()) {
      side.not_tls = true;
      emit(side, std::to_string(side.data.size()) + " bytes that are not TLS: " + split->not_tls);
      side.data.clear();
    }
  }

  std::vector<std::string> finish() {
    for (Side &side : sides_) {
      if (!side.data.empty()) {
        stamp_ = std::string(14, ' ');
        emit(side, byte_count(side.data.size()) + " of a record cut off");
      }
    }
    return std::move(lines_);
  }

 private:
  void emit(const Side &side, const std::string &text) {
    lines_.push_back(stamp_ + side.name + "  " + text);
  }
  void detail(const std::string &text) { lines_.push_back(std::string(16, ' ') + text); }

  void record(Side &side, const wire::Record &record) {
    std::string head = content_type_text(record.content_type) + "  " +
                       version_text(record.version) + "  " + byte_count(record.fragment.size());
    switch (record.content_type) {
      case wire::kChangeCipherSpec:
        emit(side, head);
        // TLS 1.2: the keys change here. (TLS 1.3 sends it only for
        // middlebox compatibility; its keys already changed.)
        side.encrypted = true;
        return;
      case wire::kAlert:
        if (side.encrypted || record.fragment.size() != 2) {
          emit(side, head + "  encrypted");
        } else {
          emit(side, head + "  " + (record.fragment[0] == 2 ? "fatal " : "warning ") +
                         alert_text(record.fragment[1]));
        }
        return;
      case wire::kApplicationData: emit(side, head + "  encrypted"); return;
      case wire::kHandshake:
        if (side.encrypted) {
          emit(side, head + "  encrypted handshake (Finished)");
          return;
        }
        emit(side, head);
        side.handshake.insert(side.handshake.end(), record.fragment.begin(), record.fragment.end());
        messages(side);
        return;
      default: emit(side, head); return;
    }
  }

  // messages lists every complete plaintext handshake message of a side.
  void messages(Side &side) {
    std::size_t at = 0;
    while (side.handshake.size() - at >= 4) {
      const uint8_t type = side.handshake[at];
      const std::size_t length = std::size_t{side.handshake[at + 1]} << 16 |
                                 std::size_t{side.handshake[at + 2]} << 8 | side.handshake[at + 3];
      if (side.handshake.size() - at - 4 < length) break;
      std::span<const uint8_t> body(side.handshake.data() + at + 4, length);
      message(side, type, body);
      at += 4 + length;
    }
    side.handshake.erase(side.handshake.begin(),
                         side.handshake.begin() + static_cast<std::ptrdiff_t>(at));
  }

  void message(Side &side, uint8_t type, std::span<const uint8_t> body) {
    detail(handshake_type_text(type) + ", " + byte_count(body.size()));
    if (type == wire::kClientHello) {
      auto hello = wire::parse_client_hello(body);
      if (!hello) return detail("  (unreadable: " + hello.error().message() + ")");
      detail("  legacy_version      " + version_text(hello->legacy_version));
      if (!hello->supported_versions.empty()) {
        detail("  supported_versions  " + join(hello->supported_versions, version_text));
      }
      detail("  cipher_suites       " + join(hello->cipher_suites, suite_text));
      if (!hello->groups.empty())
        detail("  supported_groups    " + join(hello->groups, group_text));
      if (!hello->key_share_groups.empty()) {
        detail("  key_share           " + join(hello->key_share_groups, group_text));
      }
      if (!hello->server_name.empty()) detail("  server_name         " + hello->server_name);
      if (!hello->alpn.empty()) {
        std::string alpn;
        for (const auto &p : hello->alpn)
          alpn += (alpn.empty() ? "" : ", ") + p;
        detail("  alpn                " + alpn);
      }
    } else if (type == wire::kServerHello) {
      auto hello = wire::parse_server_hello(body);
      if (!hello) return detail("  (unreadable: " + hello.error().message() + ")");
      if (hello->hello_retry_request) detail("  HelloRetryRequest");
      detail("  legacy_version      " + version_text(hello->legacy_version));
      if (hello->selected_version) {
        detail("  supported_versions  " + version_text(*hello->selected_version));
      }
      detail("  cipher_suite        " + suite_text(hello->cipher_suite));
      if (hello->key_share_group)
        detail("  key_share           " + group_text(*hello->key_share_group));
      if (!hello->alpn.empty()) detail("  alpn                " + hello->alpn);
      detail("  => " + version_text(hello->negotiated_version()));
      if (hello->negotiated_version() == 0x0304 && !hello->hello_retry_request) {
        // TLS 1.3: everything after the ServerHello is encrypted.
        side.encrypted = true;
      }
    } else if (type == wire::kServerKeyExchange) {
      auto group = wire::server_key_exchange_group(body);
      if (group) detail("  ECDHE group         " + group_text(*group));
    }
  }

  Side sides_[2];
  std::vector<std::string> lines_;
  std::chrono::steady_clock::time_point start_;
  bool started_ = false;
  std::string stamp_;
};

}  // namespace

std::string version_text(uint16_t version) {
  std::string name;
  switch (version) {
    case 0x0300: name = "SSL 3.0"; break;
    case 0x0301: name = "TLS 1.0"; break;
    case 0x0302: name = "TLS 1.1"; break;
    case 0x0303: name = "TLS 1.2"; break;
    case 0x0304: name = "TLS 1.3"; break;
    default: return named({}, version);
  }
  return name + " (" + hex16(version) + ")";
}

std::string content_type_text(uint8_t type) {
  const char *name = nullptr;
  switch (type) {
    case wire::kChangeCipherSpec: name = "ChangeCipherSpec"; break;
    case wire::kAlert: name = "Alert"; break;
    case wire::kHandshake: name = "Handshake"; break;
    case wire::kApplicationData: name = "ApplicationData"; break;
    default: name = "ContentType"; break;
  }
  return std::string(name) + " (" + std::to_string(type) + ")";
}

std::string handshake_type_text(uint8_t type) {
  const char *name = "HandshakeType";
  switch (type) {
    case 0: name = "HelloRequest"; break;
    case 1: name = "ClientHello"; break;
    case 2: name = "ServerHello"; break;
    case 4: name = "NewSessionTicket"; break;
    case 8: name = "EncryptedExtensions"; break;
    case 11: name = "Certificate"; break;
    case 12: name = "ServerKeyExchange"; break;
    case 13: name = "CertificateRequest"; break;
    case 14: name = "ServerHelloDone"; break;
    case 15: name = "CertificateVerify"; break;
    case 16: name = "ClientKeyExchange"; break;
    case 20: name = "Finished"; break;
    default: break;
  }
  return std::string(name) + " (" + std::to_string(type) + ")";
}

std::string alert_text(uint8_t description) {
  const char *name = "alert";
  switch (description) {
    case 0: name = "close_notify"; break;
    case 10: name = "unexpected_message"; break;
    case 20: name = "bad_record_mac"; break;
    case 22: name = "record_overflow"; break;
    case 40: name = "handshake_failure"; break;
    case 42: name = "bad_certificate"; break;
    case 43: name = "unsupported_certificate"; break;
    case 44: name = "certificate_revoked"; break;
    case 45: name = "certificate_expired"; break;
    case 46: name = "certificate_unknown"; break;
    case 47: name = "illegal_parameter"; break;
    case 48: name = "unknown_ca"; break;
    case 49: name = "access_denied"; break;
    case 50: name = "decode_error"; break;
    case 51: name = "decrypt_error"; break;
    case 70: name = "protocol_version"; break;
    case 71: name = "insufficient_security"; break;
    case 80: name = "internal_error"; break;
    case 86: name = "inappropriate_fallback"; break;
    case 90: name = "user_canceled"; break;
    case 109: name = "missing_extension"; break;
    case 110: name = "unsupported_extension"; break;
    case 112: name = "unrecognized_name"; break;
    case 116: name = "certificate_required"; break;
    case 120: name = "no_application_protocol"; break;
    default: break;
  }
  return std::string(name) + " (" + std::to_string(description) + ")";
}

std::vector<std::string> trace_lines(std::span<const TapTransport::Segment> segments,
                                     const TraceOptions &options) {
  Tracer tracer(options);
  for (const auto &segment : segments)
    tracer.add(segment);
  return tracer.finish();
}

}  // namespace polytls::app
