// polytls-client: fetch an https URL on any backend, verifying by default,
// and show what was negotiated, the handshake as a packet analyser sees it,
// or the connection as a pcap file that Wireshark opens.
#include <sys/stat.h>

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "app.hpp"
#include "client.hpp"
#include "pcap.hpp"
#include "trace.hpp"

namespace polytls::app {
namespace {

constexpr std::string_view kApp = "polytls-client";

struct Options {
  BackendOptions backend;
  std::string url;
  std::string cacert;
  bool insecure = false;
  std::vector<std::string> pins;
  std::string tls_min, tls_max;
  std::vector<std::string> alpn;
  bool no_alpn = false;
  std::string ciphers, groups;
  std::string cert, key;
  std::string key_passphrase_env, key_passphrase_file;
  std::string keylog;
  bool verbose = false;
  bool trace = false;
  std::string pcap;
  std::string output;
  bool force = false;
  bool head = false;
  std::string connect_to;
  double connect_timeout = 10;
  double timeout = 60;
  std::size_t max_body = std::size_t{64} << 20;
};

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000 + 0.5));
}

// refuse_existing stops before connecting when an output file exists
// without --force. A character device or FIFO (-o /dev/null, a pipe) is a
// stream, written in place: it needs no --force.
Result<void> refuse_existing(const std::string &path, const char *option, bool force) {
  struct stat st {};
  if (path.empty() || force || ::lstat(path.c_str(), &st) != 0) return ok();
  if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) return ok();
  return Error(ErrorCode::already_exists,
               path + " (" + option + ") already exists; use --force to overwrite it");
}

// fetch_options turns the command line into client::FetchOptions.
Result<client::FetchOptions> fetch_options(const Options &o, const Backend &backend) {
  client::FetchOptions f;
  f.url = o.url;
  f.backend = backend;
  f.cacert = o.cacert;
  f.insecure = o.insecure;
  f.pins = o.pins;
  if (!o.tls_min.empty()) {
    POLYTLS_TRY(f.min_version, parse_tls_version(o.tls_min));
  }
  if (!o.tls_max.empty()) {
    POLYTLS_TRY(f.max_version, parse_tls_version(o.tls_max));
  }
  if (o.no_alpn) {
    f.alpn.clear();
  } else if (!o.alpn.empty()) {
    f.alpn.clear();
    for (const std::string &list : o.alpn) {
      std::stringstream in(list);
      for (std::string name; std::getline(in, name, ',');) {
        if (!name.empty()) f.alpn.push_back(name);
      }
    }
  }
  if (!o.ciphers.empty()) {
    POLYTLS_TRY(f.cipher_suites, parse_cipher_suites(o.ciphers));
  }
  if (!o.groups.empty()) {
    POLYTLS_TRY(f.groups, parse_groups(o.groups));
  }
  f.cert_file = o.cert;
  f.key_file = o.key;
  POLYTLS_TRY(f.key_passphrase, read_passphrase(o.key_passphrase_env, o.key_passphrase_file));
  if (!o.keylog.empty()) {
    f.keylog_file = o.keylog;
  } else if (const char *env = std::getenv("SSLKEYLOGFILE"); env != nullptr && *env != '\0') {
    // The variable is often set for a whole session: a backend that cannot
    // log this connection's keys warns instead of refusing to connect.
    f.keylog_file = env;
    f.keylog_best_effort = true;
  }
  f.connect_to = o.connect_to;
  f.connect_timeout = to_ms(o.connect_timeout);
  f.timeout = to_ms(o.timeout);
  f.max_body = o.max_body;
  f.record = o.trace || !o.pcap.empty();
  return f;
}

std::string ms_text(const std::optional<client::Timings::Ms> &t) {
  if (!t) return "-";
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << t->count() << " ms";
  return out.str();
}

// print_lines prints a head's lines with a prefix ("> ", "< ").
void print_lines(std::ostream &out, std::string_view text, std::string_view prefix) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!line.empty()) out << prefix << line << "\n";
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
}

// print_verbose shows what was negotiated and how long it took,
// as far as the fetch got.
void print_verbose(std::ostream &out, const client::FetchResult &r) {
  auto row = [&out](const char *label, const std::string &value) {
    out << "* " << std::left << std::setw(12) << label << value << "\n";
  };
  if (!r.backend.empty()) row("backend", r.backend + " (" + r.library + ")");
  if (!r.peer_address.empty()) {
    row("connected", r.peer_address + (r.local_address.empty() ? "" : " from " + r.local_address));
  }
  if (r.session) {
    const SessionInfo &s = *r.session;
    row("TLS", std::string(to_string(s.version)));
    std::ostringstream suite;
    suite << s.cipher_suite_name << " (0x" << std::hex << std::setw(4) << std::setfill('0')
          << s.cipher_suite << ")";
    row("suite", suite.str());
    row("group",
        s.group_name.empty() ? (s.group == 0 ? "unknown" : std::to_string(s.group)) : s.group_name);
    row("ALPN", s.alpn.empty() ? "none" : s.alpn);
    row("resumed", s.resumed ? "yes" : "no");
  }
  if (!r.peer_chain.empty()) {
    out << "* server certificate (chain of " << r.peer_chain.size() << "):\n";
    if (auto info = r.peer_chain.front().inspect(); info) {
      print_certificate(out, *info);
    } else {
      out << "  cannot inspect it: " << info.error().to_string() << "\n";
    }
    for (std::size_t i = 1; i < r.peer_chain.size(); ++i) {
      if (auto info = r.peer_chain[i].inspect(); info) {
        out << "  chain[" << i << "]     " << info->subject.to_string() << " (issuer "
            << info->issuer.to_string() << ")\n";
      }
    }
  }
  print_lines(out, r.request, "> ");
  print_lines(out, r.head_text, "< ");
  if (r.stage == client::FetchStage::done) {
    row("body",
        std::to_string(r.body.size()) + " bytes" + (r.close_notify ? ", then close_notify" : ""));
  }
  row("timings", "connect " + ms_text(r.timings.connect) + ", handshake " +
                     ms_text(r.timings.handshake) + ", first byte " +
                     ms_text(r.timings.first_byte) + ", total " + ms_text(r.timings.total));
}

// write_pcap writes the recorded connection; a connection never made has nothing to write.
Result<void> write_pcap(const Options &o, const client::FetchResult &r) {
  if (!r.recording.has_endpoints) {
    return Error(ErrorCode::not_found,
                 "no connection was made, so " + o.pcap + " (--pcap) was not written");
  }
  PcapCapture capture{.local = r.recording.local,
                      .remote = r.recording.remote,
                      .segments = r.recording.segments,
                      .start_steady = r.recording.start_steady,
                      .start_wall = r.recording.start_wall,
                      .closed = true};
  POLYTLS_TRY(std::vector<uint8_t> bytes, pcap_bytes(capture));
  return write_file(o.pcap, std::span<const uint8_t>(bytes), {.overwrite = o.force});
}

// report shows what the user asked to see of the connection, whether the
// fetch worked or not: warnings, -v, --trace, --pcap.
Result<void> report(const Options &o, const client::FetchResult &r) {
  for (const std::string &w : r.warnings)
    std::cerr << kApp << ": warning: " << w << "\n";
  if (o.verbose) print_verbose(std::cerr, r);
  if (o.trace) {
    for (const std::string &line : trace_lines(r.recording.segments))
      std::cerr << line << "\n";
  }
  if (!o.pcap.empty()) return write_pcap(o, r);
  return ok();
}

int fetch(const Options &o, const Backend &backend) {
  for (auto [path, option] : {std::pair{&o.output, "--output"}, std::pair{&o.pcap, "--pcap"}}) {
    if (auto free = refuse_existing(*path, option, o.force); !free) return fail(kApp, free.error());
  }
  auto options = fetch_options(o, backend);
  if (!options) return fail(kApp, options.error());
  if (o.insecure) {
    std::cerr << kApp
              << ": warning: --insecure: the server's certificate is NOT verified (chain, dates "
                 "and name); anyone on the path can read and change this connection\n";
  }

  client::FetchResult partial;
  auto fetched = client::fetch(*options, &partial);
  if (!fetched) {
    const Error &error = fetched.error();
    if (auto shown = report(o, partial); !shown && partial.stage != client::FetchStage::setup) {
      std::cerr << kApp << ": warning: " << shown.error().to_string() << "\n";
    }
    std::cerr << kApp << ": " << client::failure_text(error, partial.stage) << ": "
              << error.to_string() << "\n";
    return client::exit_code_for(error, partial.stage);
  }
  const client::FetchResult &r = *fetched;
  if (auto shown = report(o, r); !shown) return fail(kApp, shown.error());

  const std::string &head = o.head ? r.head_text : std::string();
  if (!o.output.empty()) {
    if (auto written = write_file(o.output, head + r.body, {.overwrite = o.force}); !written) {
      return fail(kApp, written.error());
    }
  } else {
    std::cout.write(head.data(), static_cast<std::streamsize>(head.size()));
    std::cout.write(r.body.data(), static_cast<std::streamsize>(r.body.size()));
    std::cout.flush();
    if (!std::cout) {
      return fail(kApp, Error(ErrorCode::io, "cannot write the body to the standard output"));
    }
  }
  if (r.head.status >= 400) {
    std::cerr << kApp << ": HTTP error: the server answered " << r.head.status << " "
              << r.head.reason << " for " << r.url.target << "\n";
    return client::kExitHttpStatus;
  }
  return kExitOk;
}

int run(int argc, char **argv) {
  CLI::App cli{
      "polytls-client: fetch an https URL with any polytls backend and print the body.\n"
      "The server's certificate is verified against the system store, or only --cacert.\n\n"
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 output exists, 4 bad passphrase,\n"
      "5 unsupported by the backend, 6 file or backend not found, 7 malformed input,\n"
      "10 cannot connect (refused, unreachable, unknown host, connect timeout),\n"
      "11 untrusted certificate, 12 host name mismatch, 13 certificate expired or not yet\n"
      "valid, 14 no TLS version in common, 15 public key pin mismatch, 16 HTTP status >= 400\n"
      "(the body is still written), 17 other TLS failure (handshake, cipher, ALPN, a refused\n"
      "client certificate), 18 bad response (not HTTP/1.x, truncated, too large, too slow).",
      "polytls-client"};
  cli.get_formatter()->column_width(36);
  Options o;
  add_backend_options(cli, o.backend);
  cli.add_option("url", o.url, "https://host[:port][/path][?query]")->type_name("URL");
  cli.add_option("--cacert", o.cacert,
                 "Trust only these certificates (PEM: a CA, a bundle, or the server's own "
                 "self-signed certificate) instead of the system store")
      ->type_name("FILE");
  cli.add_flag("-k,--insecure", o.insecure,
               "Do not verify the server's certificate (says so on stderr; pins still apply)");
  cli.add_option("--pin", o.pins,
                 "Require the server's public key: sha256//BASE64 (';'-separated list, or "
                 "repeat it)")
      ->allow_extra_args(false)  // one value per --pin: the URL after it is not a pin
      ->type_name("PIN");
  cli.add_option("--tls-min", o.tls_min, "Lowest TLS version: 1.2 or 1.3 (default 1.2)")
      ->type_name("VERSION");
  cli.add_option("--tls-max", o.tls_max, "Highest TLS version: 1.2 or 1.3 (default 1.3)")
      ->type_name("VERSION");
  cli.add_option("--alpn", o.alpn, "Offer these ALPN protocols (comma-separated; default http/1.1)")
      ->allow_extra_args(false)
      ->type_name("LIST");
  cli.add_flag("--no-alpn", o.no_alpn, "Offer no ALPN protocol");
  cli.add_option("--ciphers", o.ciphers,
                 "Offer only these cipher suites, by preference (comma-separated IANA or OpenSSL "
                 "names, or 0x1301 numbers)")
      ->type_name("LIST");
  cli.add_option("--groups", o.groups,
                 "Offer only these key exchange groups, by preference (x25519, secp256r1/P-256, "
                 "secp384r1/P-384)")
      ->type_name("LIST");
  cli.add_option("--cert", o.cert, "Client certificate chain (PEM, leaf first)")->type_name("FILE");
  cli.add_option("--key", o.key, "The client certificate's private key")->type_name("FILE");
  cli.add_option("--key-passphrase-env", o.key_passphrase_env, "Passphrase of --key, from $VAR")
      ->type_name("VAR");
  cli.add_option("--key-passphrase-file", o.key_passphrase_file, "Passphrase of --key, from FILE")
      ->type_name("FILE");
  cli.add_option("--keylog", o.keylog,
                 "Append the session keys to FILE (NSS format, for Wireshark); default "
                 "$SSLKEYLOGFILE")
      ->type_name("FILE");
  cli.add_flag("-v,--verbose", o.verbose,
               "Show the backend, what was negotiated, the server's certificate and timings "
               "(stderr)");
  cli.add_flag("--trace", o.trace,
               "Show the connection as a packet analyser would, from the wire bytes (stderr)");
  cli.add_option("--pcap", o.pcap, "Write the connection as a pcap file (Wireshark, tshark)")
      ->type_name("FILE");
  cli.add_option("-o,--output", o.output, "Write the body to FILE instead of the standard output")
      ->type_name("FILE");
  cli.add_flag("--force", o.force, "Overwrite the --output and --pcap files");
  cli.add_flag("-i,--head,--include", o.head, "Write the response head before the body");
  cli.add_option("--connect-to", o.connect_to,
                 "Connect to HOST[:PORT] instead; the URL's host is still the name checked")
      ->type_name("HOST[:PORT]");
  cli.add_option("--connect-timeout", o.connect_timeout,
                 "Seconds to wait for the TCP connection (default 10)")
      ->check(CLI::PositiveNumber)
      ->type_name("SECONDS");
  cli.add_option("--timeout", o.timeout, "Seconds for the whole fetch (default 60)")
      ->check(CLI::PositiveNumber)
      ->type_name("SECONDS");
  cli.add_option("--max-body", o.max_body, "Largest body accepted (default 64MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->type_name("SIZE");
  if (auto end = parse_command_line(cli, argc, argv)) return *end;
  if (auto end = load_and_list(kApp, o.backend)) return *end;
  if (o.url.empty()) {
    std::cerr << kApp << ": give the URL to fetch (https://host[:port]/path); see --help\n";
    return kExitUsage;
  }
  auto backend = choose_backend(o.backend);
  if (!backend) return fail(kApp, backend.error());
  return fetch(o, *backend);
}

}  // namespace
}  // namespace polytls::app

int main(int argc, char **argv) {
  return polytls::app::run(argc, argv);
}
