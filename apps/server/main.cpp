// polytls-server: an HTTPS server on any backend.
#include <signal.h>

#include <fstream>
#include <iostream>
#include <mutex>

#include "app.hpp"
#include "server.hpp"

namespace polytls::app {
namespace {

constexpr std::string_view kApp = "polytls-server";

struct Options {
  BackendOptions backend;
  std::string host = "127.0.0.1";
  uint16_t port = 4433;
  std::string cert, key;
  std::string key_passphrase_env, key_passphrase_file;
  std::string root;
  int threads = 1;
  std::string tls_min = "1.2", tls_max;
  std::vector<std::string> alpn;
  std::string ciphers, groups;
  std::string client_ca;
  std::string keylog;
  double handshake_timeout = 10, request_timeout = 10, idle_timeout = 15;
  std::size_t max_header_bytes = 16 * 1024;
  bool no_resumption = false;
  bool quiet = false;
};

// build_config makes the TLS server configuration from the options.
Result<TlsServerConfig> build_config(const Options &o, const Backend &backend) {
  TlsServerConfig config;
  if (o.cert.empty() != o.key.empty()) {
    return Error(ErrorCode::bad_input, "--cert and --key go together");
  }
  if (!o.cert.empty()) {
    POLYTLS_TRY(config.chain, backend.load_certificates_file(o.cert));
    POLYTLS_TRY(std::string passphrase,
                read_passphrase(o.key_passphrase_env, o.key_passphrase_file));
    POLYTLS_TRY(Key key, backend.load_key_file(o.key, passphrase));
    config.key = std::move(key);
  } else {
    const auto dir = server::local_identity_dir();
    POLYTLS_TRY(server::LocalIdentity id, server::local_identity(backend, dir));
    std::cerr << kApp << ": no --cert given: " << (id.made ? "made" : "using")
              << " a self-signed certificate for localhost, 127.0.0.1 and ::1: "
              << id.cert_file.string() << " (key " << id.key_file.string() << ")\n"
              << kApp << ": trust it with: polytls-client --cacert " << id.cert_file.string()
              << "\n";
    config.chain = std::move(id.chain);
    config.key = std::move(id.key);
  }
  POLYTLS_TRY(config.min_version, parse_tls_version(o.tls_min));
  if (!o.tls_max.empty()) {
    POLYTLS_TRY(config.max_version, parse_tls_version(o.tls_max));
  } else {
    // The newest version the backend has.
    config.max_version =
        backend.supports(Capability::tls13) ? TlsVersion::tls13 : TlsVersion::tls12;
  }
  // The server speaks HTTP/1.1: offer it unless told otherwise.
  if (o.alpn.empty()) config.alpn = {"http/1.1"};
  for (const std::string &list : o.alpn) {
    std::size_t at = 0;
    while (at <= list.size()) {
      const auto comma = list.find(',', at);
      std::string p = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
      if (p.empty()) return Error(ErrorCode::bad_input, "an empty --alpn protocol");
      config.alpn.push_back(std::move(p));
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
  }
  if (!o.ciphers.empty()) {
    POLYTLS_TRY(config.cipher_suites, parse_cipher_suites(o.ciphers));
  }
  if (!o.groups.empty()) {
    POLYTLS_TRY(config.groups, parse_groups(o.groups));
  }
  if (!o.client_ca.empty()) {
    POLYTLS_TRY(config.client_anchors, backend.load_certificates_file(o.client_ca));
    config.client_auth = ClientAuth::require;
  }
  // Off: no tickets (TLS 1.2 or 1.3) and no session-ID cache, so every
  // connection is a full handshake. Unset: on wherever the backend has it.
  if (o.no_resumption) config.resumption = false;
  if (!o.keylog.empty()) {
    auto file = std::make_shared<std::ofstream>(o.keylog, std::ios::app);
    if (!*file) return Error(ErrorCode::io, "cannot open the key log " + o.keylog);
    auto mutex = std::make_shared<std::mutex>();
    config.keylog = [file, mutex](std::string_view line) {
      std::lock_guard lock(*mutex);
      *file << line << '\n' << std::flush;
    };
  }
  return config;
}

int serve(const Options &o, const Backend &backend) {
  auto config = build_config(o, backend);
  if (!config) return fail(kApp, config.error());
  const TlsVersion min = config->min_version, max = config->max_version;
  auto context = backend.make_server_context(std::move(config).value());
  if (!context) return fail(kApp, context.error());

  server::Options so;
  so.host = o.host;
  so.port = o.port;
  so.threads = o.threads;
  if (!o.root.empty()) {
    if (!std::filesystem::is_directory(o.root)) {
      return fail(kApp, Error(ErrorCode::not_found, "--root " + o.root + " is not a directory"));
    }
    so.root = o.root;
  }
  auto seconds = [](double s) { return std::chrono::milliseconds(static_cast<int64_t>(s * 1000)); };
  so.handshake_timeout = seconds(o.handshake_timeout);
  so.request_timeout = seconds(o.request_timeout);
  so.idle_timeout = seconds(o.idle_timeout);
  so.limits.max_header_bytes = o.max_header_bytes;
  if (!o.quiet) {
    so.log = [](const std::string &line) { std::cout << line << std::endl; };
  }

  // SIGINT and SIGTERM are taken by this thread alone (sigwait below): the
  // event loops, started after the mask is set, never see them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = server::Server::start(*context, std::move(so));
  if (!server) return fail(kApp, server.error());
  std::cerr << kApp << ": serving " << (*server)->url() << " with " << backend.name() << " ("
            << library_text(backend) << "), " << to_string(min)
            << (min == max ? "" : std::string(" to ") + std::string(to_string(max))) << ", "
            << o.threads << (o.threads == 1 ? " thread" : " threads")
            << (o.no_resumption ? ", no resumption" : "") << "; Ctrl-C stops" << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << kApp << ": " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
            << ": no new connections; finishing the answers in flight" << std::endl;
  (*server)->stop();
  const server::Stats st = (*server)->stats();
  std::cerr << kApp << ": stopped after " << st.requests << " requests on " << st.accepted
            << " connections (" << st.handshake_failures << " failed handshakes, " << st.timeouts
            << " timeouts)" << std::endl;
  return kExitOk;
}

int run(int argc, char **argv) {
  CLI::App cli{
      "polytls-server: an HTTPS server on any polytls backend.\n\n"
      "GET / answers a page saying which backend served it and what this connection\n"
      "negotiated; --root serves static files. Without --cert it makes (once) a\n"
      "self-signed certificate for localhost, 127.0.0.1 and ::1, and says where.\n"
      "One access-log line per request on stdout. SIGINT or SIGTERM stops it cleanly.\n\n"
      "Exit codes: 0 stopped cleanly, 1 failure, 2 usage, 4 bad passphrase,\n"
      "5 unsupported by the backend, 6 file or backend not found, 7 malformed input.",
      "polytls-server"};
  cli.get_formatter()->column_width(34);
  Options o;
  add_backend_options(cli, o.backend);
  cli.add_option("--host", o.host, "Address to listen on (default 127.0.0.1; ::1 for IPv6)");
  cli.add_option("--port", o.port, "Port (default 4433; 0: any free port)");
  cli.add_option("--cert", o.cert, "Certificate chain, PEM (leaf first)")->type_name("FILE");
  cli.add_option("--key", o.key, "The certificate's private key")->type_name("FILE");
  cli.add_option("--key-passphrase-env", o.key_passphrase_env, "Passphrase of --key, from $VAR")
      ->type_name("VAR");
  cli.add_option("--key-passphrase-file", o.key_passphrase_file, "Passphrase of --key, from FILE")
      ->type_name("FILE");
  cli.add_option("--root", o.root, "Serve static files from DIR")->type_name("DIR");
  cli.add_option("--threads", o.threads, "Event loops, one per thread (default 1)")
      ->check(CLI::Range(1, 256));
  cli.add_option("--tls-min", o.tls_min, "Lowest TLS version: 1.2 or 1.3 (default 1.2)");
  cli.add_option("--tls-max", o.tls_max, "Highest TLS version (default: the backend's newest)");
  cli.add_option("--alpn", o.alpn, "ALPN protocols, server preference first (default http/1.1)")
      ->type_name("LIST");
  cli.add_option("--ciphers", o.ciphers,
                 "Allow only these cipher suites, server preference first (comma-separated IANA "
                 "or OpenSSL names, or 0x1301 numbers; default: the secure set)")
      ->type_name("LIST");
  cli.add_option("--groups", o.groups,
                 "Allow only these key exchange groups, server preference first (x25519, "
                 "secp256r1/P-256, secp384r1/P-384)")
      ->type_name("LIST");
  cli.add_option("--require-client-cert", o.client_ca,
                 "Require a client certificate issued by a CA in FILE")
      ->type_name("FILE");
  cli.add_option("--keylog", o.keylog, "Append NSS key log lines (for Wireshark) to FILE")
      ->type_name("FILE");
  cli.add_option("--handshake-timeout", o.handshake_timeout, "Seconds to finish a handshake")
      ->check(CLI::PositiveNumber);
  cli.add_option("--request-timeout", o.request_timeout, "Seconds to send a whole request")
      ->check(CLI::PositiveNumber);
  cli.add_option("--idle-timeout", o.idle_timeout,
                 "Seconds a kept-alive connection may wait for its next request")
      ->check(CLI::PositiveNumber);
  cli.add_option("--max-header-bytes", o.max_header_bytes, "Largest request head (default 16384)")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 20));
  cli.add_flag("--no-resumption", o.no_resumption,
               "Issue no session tickets and resume no session IDs: every handshake is full");
  cli.add_flag("--quiet", o.quiet, "No access log");
  if (auto end = parse_command_line(cli, argc, argv)) return *end;
  if (auto end = load_and_list(kApp, o.backend)) return *end;
  auto backend = choose_backend(o.backend);
  if (!backend) return fail(kApp, backend.error());
  return serve(o, *backend);
}

}  // namespace
}  // namespace polytls::app

int main(int argc, char **argv) {
  return polytls::app::run(argc, argv);
}
