// client.hpp: what polytls-client does, as a library the apps can call in
// process (the menu app does): one HTTPS GET over a TLS session on any
// backend, verifying by default, that returns the response and everything
// learnt on the way: what was negotiated, the server's chain, timings, and
// the connection as it went over the wire (recorded by a tap).
#ifndef POLYTLS_APPS_CLIENT_HPP
#define POLYTLS_APPS_CLIENT_HPP

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app.hpp"
#include "http.hpp"
#include "pcap.hpp"
#include "polytls/polytls.hpp"

namespace polytls::client {

// Exit codes of polytls-client, besides app::ExitCode's 0-7.
enum ExitCode : int {
  kExitCannotConnect = 10,  // refused, unreachable, unknown host, connect timeout
  kExitUntrusted = 11,      // the server's chain reaches no trust anchor
  kExitHostname = 12,       // the certificate does not name the host
  kExitValidity = 13,       // a certificate is expired or not yet valid
  kExitVersion = 14,        // no TLS version in common
  kExitPin = 15,            // the server's key matches no --pin
  kExitHttpStatus = 16,     // the server answered with a status >= 400 (body still written)
  kExitTls = 17,            // any other TLS failure (handshake, no shared cipher, ALPN, ...)
  kExitBadResponse = 18,    // the answer is not HTTP/1.x, is truncated or too large
};

// FetchOptions say what to fetch and how.
struct FetchOptions {
  std::string url;                 // https://host[:port][/path][?query]
  std::optional<Backend> backend;  // empty: $POLYTLS_BACKEND, else the preferred backend

  // Trust: the system store, or only the certificates of `cacert` (a CA, a
  // bundle, or the server's own self-signed certificate).
  std::string cacert;
  // insecure turns verification of the server's certificate off (pins
  // still apply). Callers must say so loudly.
  bool insecure = false;
  // pins are "sha256//BASE64" (curl's form, ';'-separated lists too) or 64
  // hex digits: the server's public key must match one of them.
  std::vector<std::string> pins;

  std::optional<TlsVersion> min_version;  // empty: the library's default (TLS 1.2)
  std::optional<TlsVersion> max_version;  // empty: TLS 1.3 where the backend has it
  // alpn is offered as given; the client speaks HTTP/1.1 only, so a server
  // that chooses anything else is a bad response.
  std::vector<std::string> alpn = {"http/1.1"};
  // cipher_suites and groups restrict the client (IANA numbers, by
  // preference; parse_cipher_suites / parse_groups read names); empty: the
  // secure defaults.
  std::vector<uint16_t> cipher_suites;
  std::vector<uint16_t> groups;

  // Client authentication: a PEM chain (leaf first) and its key.
  std::string cert_file;
  std::string key_file;
  std::string key_passphrase;

  // keylog_file gets NSS key log lines (appended, created 0600). A backend
  // that cannot log every version in range makes the fetch fail as
  // `unsupported`, unless `keylog_best_effort` (for $SSLKEYLOGFILE): then no
  // key log is written and a warning says why.
  std::string keylog_file;
  bool keylog_best_effort = false;

  // connect_to is "HOST[:PORT]" to connect to instead of the URL's host
  // (and port); the URL's host is still sent as SNI and in Host, and the
  // certificate must still name it.
  std::string connect_to;

  std::chrono::milliseconds connect_timeout{10000};  // the TCP connection
  std::chrono::milliseconds timeout{60000};          // everything, from the start
  std::size_t max_body = std::size_t{64} << 20;      // bytes of body accepted
  // record keeps every byte the connection moved (for traces and pcap files).
  bool record = false;
  std::string user_agent = std::string("polytls-client/") + kVersion;
};

// FetchStage is how far a fetch got.
enum class FetchStage { setup, connect, handshake, request, response, done };
std::string_view to_string(FetchStage stage) noexcept;

// Timings are measured from the start of the fetch (name resolution
// included); each is unset until that point was reached.
struct Timings {
  using Ms = std::chrono::duration<double, std::milli>;
  std::optional<Ms> connect;     // TCP connected
  std::optional<Ms> handshake;   // TLS handshake done
  std::optional<Ms> first_byte;  // first byte of the response decrypted
  std::optional<Ms> total;       // the response complete
};

// Recording is the connection as a tap saw it, with the socket's real
// endpoints: what app::trace_lines and app::pcap_bytes take.
struct Recording {
  std::vector<TapTransport::Segment> segments;
  app::Endpoint local;
  app::Endpoint remote;
  bool has_endpoints = false;
  std::chrono::steady_clock::time_point start_steady;
  std::chrono::system_clock::time_point start_wall;
};

// FetchResult is a fetched response and how it was fetched.
struct FetchResult {
  FetchStage stage = FetchStage::setup;  // `done` after a complete response
  std::string backend;                   // the backend's name
  std::string library;                   // its library and version, "OpenSSL 3.0.19"
  http::Url url;
  std::string peer_address;   // "127.0.0.1:4433"
  std::string local_address;  // "127.0.0.1:50432"
  std::string request;        // the request as sent
  http::ResponseHead head;
  std::string head_text;      // the response head as received (status line to blank line)
  std::string body;           // decoded (chunked undone)
  bool close_notify = false;  // the server closed the session cleanly
  std::optional<SessionInfo> session;
  std::vector<Certificate> peer_chain;  // leaf first
  Timings timings;
  Recording recording;                // filled when FetchOptions::record
  std::vector<std::string> warnings;  // things the caller should tell the user
};

// fetch makes one GET request and reads the whole response. Errors keep
// the category of their cause: what the TCP connection, the handshake
// (untrusted, hostname_mismatch, expired, not_yet_valid, protocol_version,
// pin_mismatch, ...) or the response (`bad_input` not HTTP, `io` truncated)
// said. When `partial` is given, a failure leaves in it what was learnt
// before it: the stage reached, timings, the session and the server's chain
// if the handshake completed, and the recording.
Result<FetchResult> fetch(const FetchOptions &options, FetchResult *partial = nullptr);

// exit_code_for maps a fetch failure at `stage` to the exit code above (or
// app::ExitCode's for failures before connecting).
int exit_code_for(const Error &error, FetchStage stage) noexcept;
// failure_text names a failure for the user: "cannot connect", "untrusted certificate", ...
std::string failure_text(const Error &error, FetchStage stage);

}  // namespace polytls::client

#endif  // POLYTLS_APPS_CLIENT_HPP
