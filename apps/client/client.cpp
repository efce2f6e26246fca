#include "client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

namespace polytls::client {
namespace {

using Clock = std::chrono::steady_clock;

// endpoint_text renders "127.0.0.1:4433" or "[::1]:4433".
std::string endpoint_text(const app::Endpoint &e) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(e.ipv6 ? AF_INET6 : AF_INET, e.address.data(), text, sizeof text);
  return e.ipv6 ? "[" + std::string(text) + "]:" + std::to_string(e.port)
                : std::string(text) + ":" + std::to_string(e.port);
}

// Target is where the TCP connection goes.
struct Target {
  std::string host;
  uint16_t port = 0;
};

// parse_connect_to reads "HOST", "HOST:PORT", "[v6]", "[v6]:PORT" or a bare
// IPv6 address; the port defaults to the URL's.
Result<Target> parse_connect_to(std::string_view text, uint16_t default_port) {
  auto bad = [&](const char *why) {
    return Error(ErrorCode::bad_input,
                 std::string("--connect-to takes HOST[:PORT] (") + why + "): " + std::string(text));
  };
  Target t{.host = {}, .port = default_port};
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return bad("an unclosed [");
    t.host = std::string(text.substr(1, close - 1));
    const std::string_view after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after ]");
      port = after.substr(1);
      if (port.empty()) return bad("no port after ':'");
    }
  } else if (std::count(text.begin(), text.end(), ':') > 1) {
    t.host = std::string(text);  // a bare IPv6 address
  } else {
    const auto colon = text.find(':');
    t.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = text.substr(colon + 1);
      if (port.empty()) return bad("no port after ':'");
    }
  }
  if (t.host.empty()) return bad("no host");
  if (!port.empty()) {
    unsigned value = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || value > 65535) return bad("an invalid port");
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return bad("an invalid port");
    t.port = static_cast<uint16_t>(value);
  }
  return t;
}

// KeylogFile appends key log lines to a file created with mode 0600 (the
// lines are secrets). The context's callback holds it; the file is opened
// once the context exists, so a context the backend refuses creates no file.
class KeylogFile {
 public:
  KeylogFile() = default;
  KeylogFile(const KeylogFile &) = delete;
  KeylogFile &operator=(const KeylogFile &) = delete;
  ~KeylogFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  Result<void> open(const std::string &path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      const int err = errno;
      return Error(err == ENOENT ? ErrorCode::not_found : ErrorCode::io,
                   "cannot open the key log " + path + ": " + std::strerror(err));
    }
    return ok();
  }

  // write appends one line in a single write, so lines from concurrent
  // processes sharing $SSLKEYLOGFILE do not interleave.
  void write(std::string_view line) {
    std::string text(line);
    text += '\n';
    std::lock_guard lock(mutex_);
    std::size_t done = 0;
    while (fd_ >= 0 && done < text.size()) {
      const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // a full disk loses key log lines, never the connection
      done += static_cast<std::size_t>(n);
    }
  }

 private:
  int fd_ = -1;
  std::mutex mutex_;
};

// can_log_keys mirrors the core's rule: the backend must log every version
// of the range it will actually use.
bool can_log_keys(const Backend &backend, TlsVersion min, TlsVersion max, std::string &missing) {
  const Capabilities &caps = backend.capabilities();
  const uint32_t lo = std::max<uint32_t>(static_cast<uint32_t>(min), caps.tls_min_version);
  const uint32_t hi = std::min<uint32_t>(static_cast<uint32_t>(max), caps.tls_max_version);
  if (lo <= 0x0303 && hi >= 0x0303 && !backend.supports(Capability::keylog_tls12)) {
    missing = "TLS 1.2";
    return false;
  }
  if (hi >= 0x0304 && lo <= 0x0304 && !backend.supports(Capability::keylog_tls13)) {
    missing = "TLS 1.3";
    return false;
  }
  return true;
}

// Fetcher runs one fetch, filling `out` as it goes.
class Fetcher {
 public:
  Fetcher(const FetchOptions &options, FetchResult &out) : o_(options), out_(out) {}

  Result<void> run() {
    start_ = Clock::now();
    POLYTLS_TRY(out_.url, http::parse_url(o_.url));
    // Malformed input is reported before the trust store or files are read.
    POLYTLS_TRY(Target target, connect_target());
    POLYTLS_TRY(TlsContext context, make_context());

    out_.stage = FetchStage::connect;
    POLYTLS_TRY(std::chrono::milliseconds left, remaining("connecting"));
    // The recording starts with the TCP connection (its synthetic handshake
    // in a pcap file is stamped then).
    out_.recording.start_steady = Clock::now();
    out_.recording.start_wall = std::chrono::system_clock::now();
    POLYTLS_TRY(TcpStream tcp,
                TcpStream::connect(target.host, target.port, std::min(left, o_.connect_timeout)));
    out_.timings.connect = since_start();
    out_.peer_address = tcp.peer_address();
    if (auto local = app::local_endpoint(tcp.fd()); local) {
      out_.local_address = endpoint_text(*local);
      if (auto remote = app::peer_endpoint(tcp.fd()); remote) {
        out_.recording.local = *local;
        out_.recording.remote = *remote;
        out_.recording.has_endpoints = true;
      }
    }

    out_.stage = FetchStage::handshake;
    auto owned_tcp = std::make_unique<TcpStream>(std::move(tcp));
    tcp_ = owned_tcp.get();
    std::unique_ptr<Transport> transport = std::move(owned_tcp);
    if (o_.record) {
      auto tap = std::make_unique<TapTransport>(std::move(transport));
      tap_ = tap.get();
      transport = std::move(tap);
    }
    POLYTLS_TRY(Session session,
                context.connect(std::move(transport), {.host = out_.url.host, .resume = nullptr}));
    // Whatever happens next, the recording keeps what went over the wire.
    struct KeepSegments {
      TapTransport *tap;
      Recording &recording;
      ~KeepSegments() {
        if (tap != nullptr) recording.segments = tap->segments();
      }
    } keep{tap_, out_.recording};

    POLYTLS_CHECK(bounded("the TLS handshake"));
    POLYTLS_CHECK(session.handshake());
    out_.timings.handshake = since_start();
    POLYTLS_TRY(out_.session, session.info());
    if (auto chain = session.peer_certificates(); chain) out_.peer_chain = std::move(chain).value();

    out_.stage = FetchStage::request;
    if (!out_.session->alpn.empty() && out_.session->alpn != "http/1.1") {
      out_.stage = FetchStage::response;
      return Error(ErrorCode::bad_input, "the server chose the application protocol '" +
                                             out_.session->alpn +
                                             "'; polytls-client speaks HTTP/1.1 only");
    }
    out_.request = http::request_text(out_.url, o_.user_agent);
    POLYTLS_CHECK(bounded("sending the request"));
    if (auto sent = session.write_all(
            {reinterpret_cast<const uint8_t *>(out_.request.data()), out_.request.size()});
        !sent) {
      // In TLS 1.3 a server judges the client's certificate after the
      // client's handshake is done; a refusal often resets the connection
      // under the request before its alert can be read.
      return sent.error().with_context(
          "the server dropped the connection after the handshake, before taking the request");
    }

    out_.stage = FetchStage::response;
    POLYTLS_CHECK(read_response(session));
    out_.timings.total = since_start();
    out_.stage = FetchStage::done;
    // Say goodbye properly (the server may be gone already: that is fine).
    if (bounded("closing").has_value()) (void)session.close();
    return ok();
  }

 private:
  Timings::Ms since_start() const { return Clock::now() - start_; }

  // remaining is the time left of --timeout; `timeout` once it is spent.
  Result<std::chrono::milliseconds> remaining(std::string_view doing) const {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(start_ + o_.timeout - Clock::now());
    if (left.count() <= 0) {
      return Error(ErrorCode::timeout, "the time limit (" + std::to_string(o_.timeout.count()) +
                                           " ms) ran out while " + std::string(doing));
    }
    return left;
  }

  // bounded makes the next blocking socket call wait no longer than the
  // time left, so the whole fetch ends within --timeout.
  Result<void> bounded(std::string_view doing) {
    POLYTLS_TRY(std::chrono::milliseconds left, remaining(doing));
    tcp_->set_io_timeout(left);
    return ok();
  }

  Result<TlsContext> make_context() {
    if (o_.backend) return make_context_for(*o_.backend);
    POLYTLS_TRY(Backend backend, default_backend());
    return make_context_for(backend);
  }

  Result<TlsContext> make_context_for(const Backend &backend) {
    out_.backend = backend.name();
    out_.library =
        backend.capabilities().library_name + " " + backend.capabilities().runtime_version;
    TlsClientConfig config;
    if (o_.min_version) config.min_version = *o_.min_version;
    if (o_.max_version) config.max_version = *o_.max_version;
    config.verify = !o_.insecure;
    if (!o_.cacert.empty()) {
      POLYTLS_TRY(config.anchors, backend.load_certificates_file(o_.cacert));
      if (config.anchors.empty()) {
        return Error(ErrorCode::bad_input, o_.cacert + " holds no certificate");
      }
    } else if (!o_.insecure) {
      config.use_system_store = true;
    }
    for (const std::string &list : o_.pins) {
      std::string_view rest = list;
      while (!rest.empty()) {
        const auto semicolon = rest.find(';');
        const std::string_view one = http::trim(rest.substr(0, semicolon));
        rest =
            semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
        if (one.empty()) continue;
        POLYTLS_TRY(auto pin, parse_pin(one));
        config.pins.push_back(pin);
      }
    }
    config.alpn = o_.alpn;
    config.cipher_suites = o_.cipher_suites;
    config.groups = o_.groups;
    if (o_.cert_file.empty() != o_.key_file.empty()) {
      return Error(ErrorCode::bad_input, "a client certificate and its key go together");
    }
    if (!o_.cert_file.empty()) {
      POLYTLS_TRY(config.chain, backend.load_certificates_file(o_.cert_file));
      if (config.chain.empty()) {
        return Error(ErrorCode::bad_input, o_.cert_file + " holds no certificate");
      }
      POLYTLS_TRY(config.key, backend.load_key_file(o_.key_file, o_.key_passphrase));
    }
    std::shared_ptr<KeylogFile> keylog;
    if (!o_.keylog_file.empty()) {
      std::string missing;
      if (o_.keylog_best_effort &&
          !can_log_keys(backend, config.min_version, config.max_version, missing)) {
        out_.warnings.push_back(backend.name() + " cannot log " + missing +
                                " keys: no key log written to " + o_.keylog_file +
                                (missing == "TLS 1.3" ? " (limit the connection to TLS 1.2)" : ""));
      } else {
        keylog = std::make_shared<KeylogFile>();
        config.keylog = [keylog](std::string_view line) { keylog->write(line); };
      }
    }
    POLYTLS_TRY(TlsContext context, backend.make_client_context(std::move(config)));
    if (keylog) POLYTLS_CHECK(keylog->open(o_.keylog_file));
    return context;
  }

  Result<Target> connect_target() const {
    if (o_.connect_to.empty()) return Target{.host = out_.url.host, .port = out_.url.port};
    return parse_connect_to(o_.connect_to, out_.url.port);
  }

  // read_response reads one response: its head (skipping 1xx interim
  // answers), then the body by Content-Length, chunked, or until the
  // server closes the session.
  Result<void> read_response(Session &session) {
    std::string pending;  // received bytes not yet parsed
    bool have_head = false;
    bool complete = false;
    http::ChunkedDecoder chunked;
    uint8_t buffer[16384];

    // take processes `pending`; returns whether the response is complete.
    auto take = [&]() -> Result<bool> {
      if (!have_head) {
        for (;;) {
          http::ResponseParse parsed = http::parse_response_head(pending);
          if (parsed.status == http::ParseStatus::need_more) return false;
          if (parsed.status == http::ParseStatus::error) {
            return Error(ErrorCode::bad_input,
                         "the answer is not an HTTP/1.x response: " + parsed.error);
          }
          const int status = parsed.head.status;
          if (status >= 100 && status < 200 && status != 101) {
            pending.erase(0, parsed.consumed);  // an interim answer: the real one follows
            continue;
          }
          if (status == 101) {
            return Error(ErrorCode::bad_input, "the server switched protocols (101)");
          }
          out_.head_text = pending.substr(0, parsed.consumed);
          out_.head = std::move(parsed.head);
          pending.erase(0, parsed.consumed);
          have_head = true;
          break;
        }
        if (out_.head.status == 204 || out_.head.status == 304) return true;
        if (out_.head.content_length && *out_.head.content_length > o_.max_body) {
          return too_large(*out_.head.content_length);
        }
      }
      if (out_.head.chunked) {
        const bool fed = chunked.feed(pending, out_.body);
        pending.clear();
        if (!fed) {
          return Error(ErrorCode::bad_input, "a malformed chunked body: " + chunked.error());
        }
        if (out_.body.size() > o_.max_body) return too_large(out_.body.size());
        return chunked.done();
      }
      if (out_.head.content_length) {
        const std::size_t want = *out_.head.content_length - out_.body.size();
        out_.body.append(pending, 0, std::min(want, pending.size()));  // extra bytes are ignored
        pending.clear();
        return out_.body.size() == *out_.head.content_length;
      }
      out_.body += pending;
      pending.clear();
      if (out_.body.size() > o_.max_body) return too_large(out_.body.size());
      return false;  // the body ends when the server closes
    };

    while (!complete) {
      POLYTLS_CHECK(bounded("reading the response"));
      auto n = session.read(buffer);
      if (!n) {
        const ErrorCode code = n.error().code();
        if (code == ErrorCode::peer_closed) {
          out_.close_notify = true;
          break;
        }
        if (code == ErrorCode::io) return ended_early(n.error());
        return n.error();
      }
      if (!out_.timings.first_byte) out_.timings.first_byte = since_start();
      pending.append(reinterpret_cast<const char *>(buffer), *n);
      POLYTLS_TRY(complete, take());
    }
    if (complete) return ok();
    // The session ended cleanly before anything said the response was complete.
    if (have_head && !out_.head.chunked && !out_.head.content_length) return ok();
    return truncated("the server closed the session");
  }

  Error too_large(std::size_t size) const {
    return Error(ErrorCode::bad_input, "the body (" + std::to_string(size) +
                                           " bytes or more) exceeds the limit of " +
                                           std::to_string(o_.max_body) + " bytes");
  }

  // truncated describes a response that stopped before its end.
  Error truncated(const std::string &how) const {
    if (out_.head.status == 0 && out_.head_text.empty()) {
      return Error(ErrorCode::io, how + " before sending a complete response head");
    }
    if (out_.head.content_length) {
      return Error(ErrorCode::io, how + " after " + std::to_string(out_.body.size()) + " of " +
                                      std::to_string(*out_.head.content_length) +
                                      " body bytes: the response is truncated");
    }
    if (out_.head.chunked) {
      return Error(ErrorCode::io, how + " before the last chunk: the response is truncated");
    }
    return Error(ErrorCode::io, how +
                                    " without close_notify: the body, delimited by the end of the "
                                    "connection, may be truncated");
  }

  // ended_early turns the end of the stream without close_notify into a
  // truncation error that keeps the transport's detail.
  Error ended_early(const Error &cause) const {
    Error e = truncated("the connection ended");
    return Error(e.code(), e.message(), cause.backend(), cause.library_code(),
                 cause.library_detail().empty() ? cause.message() : cause.library_detail());
  }

  const FetchOptions &o_;
  FetchResult &out_;
  Clock::time_point start_;
  TcpStream *tcp_ = nullptr;
  TapTransport *tap_ = nullptr;
};

}  // namespace

std::string_view to_string(FetchStage stage) noexcept {
  switch (stage) {
    case FetchStage::setup: return "setup";
    case FetchStage::connect: return "connect";
    case FetchStage::handshake: return "handshake";
    case FetchStage::request: return "request";
    case FetchStage::response: return "response";
    case FetchStage::done: return "done";
  }
  return "unknown";
}

Result<FetchResult> fetch(const FetchOptions &options, FetchResult *partial) {
  FetchResult out;
  Result<void> ran = Fetcher(options, out).run();
  if (ran) return out;
  if (partial != nullptr) *partial = std::move(out);
  return ran.error();
}

namespace {

// tls_exit_code maps the categories a TLS peer check or alert produces.
int tls_exit_code(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::untrusted: return kExitUntrusted;
    case ErrorCode::hostname_mismatch: return kExitHostname;
    case ErrorCode::expired:
    case ErrorCode::not_yet_valid: return kExitValidity;
    case ErrorCode::protocol_version: return kExitVersion;
    case ErrorCode::pin_mismatch: return kExitPin;
    default: return kExitTls;
  }
}

}  // namespace

int exit_code_for(const Error &error, FetchStage stage) noexcept {
  switch (stage) {
    case FetchStage::setup: return app::exit_code_for(error);
    case FetchStage::connect: return kExitCannotConnect;
    case FetchStage::handshake: return tls_exit_code(error.code());
    case FetchStage::request:
      // The server refused the connection at the TLS level right after the
      // handshake (its alert, or the connection dropped under the request).
      return tls_exit_code(error.code());
    case FetchStage::response:
    case FetchStage::done:
      // A TLS category is the server's alert (in TLS 1.3 a refused client
      // certificate arrives here); the stream ending, stalling or carrying
      // something else than HTTP is a bad response.
      switch (error.code()) {
        case ErrorCode::io:
        case ErrorCode::peer_closed:
        case ErrorCode::timeout:
        case ErrorCode::bad_input: return kExitBadResponse;
        default: return tls_exit_code(error.code());
      }
  }
  return app::kExitFailure;
}

std::string failure_text(const Error &error, FetchStage stage) {
  switch (exit_code_for(error, stage)) {
    case kExitCannotConnect: return "cannot connect";
    case kExitUntrusted: return "untrusted certificate";
    case kExitHostname: return "host name mismatch";
    case kExitValidity:
      return error.code() == ErrorCode::not_yet_valid ? "certificate not yet valid"
                                                      : "certificate expired";
    case kExitVersion: return "no TLS version in common";
    case kExitPin: return "public key pin mismatch";
    case kExitTls: return "TLS failure";
    case kExitBadResponse: return "bad response";
    default: return "failed";
  }
}

}  // namespace polytls::client
