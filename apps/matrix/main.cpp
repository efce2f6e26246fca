// polytls-matrix: every server backend against every client backend, for
// each TLS version and key type both support, over memory and loopback TCP.
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "app.hpp"
#include "matrix.hpp"

namespace polytls::app {
namespace {

constexpr std::string_view kApp = "polytls-matrix";

struct Options {
  BackendOptions backend;
  std::vector<std::string> backends;
  std::string transport = "both";
  std::vector<std::string> versions;
  std::vector<std::string> key_types;
  std::string format = "text";
  std::size_t payload = 16 * 1024;
};

std::string detail_of(const matrix::CellResult &r) {
  if (r.status == matrix::Status::pass) {
    return r.cipher_suite + (r.group.empty() ? "" : ", " + r.group);
  }
  return r.reason;
}

void print_text(const std::vector<matrix::CellResult> &results) {
  std::cout << std::left << std::setw(9) << "server" << std::setw(9) << "client" << std::setw(9)
            << "version" << std::setw(12) << "key" << std::setw(8) << "wire" << std::setw(6)
            << "status" << std::setw(10) << "handshake"
            << "  details\n";
  for (const auto &r : results) {
    std::ostringstream time;
    if (r.status == matrix::Status::pass) time << r.handshake_us << " us";
    std::cout << std::left << std::setw(9) << r.cell.server << std::setw(9) << r.cell.client
              << std::setw(9) << to_string(r.cell.version) << std::setw(12)
              << to_string(r.cell.key_type) << std::setw(8) << matrix::to_string(r.cell.transport)
              << std::setw(7) << matrix::to_string(r.status) << std::setw(10) << time.str() << "  "
              << detail_of(r) << "\n";
  }
}

void print_markdown(const std::vector<matrix::CellResult> &results) {
  std::cout << "| server | client | version | key | transport | status | negotiated | cipher suite"
               " | group | handshake (µs) | reason |\n"
            << "| --- | --- | --- | --- | --- | --- | --- | --- | --- | ---: | --- |\n";
  for (const auto &r : results) {
    std::string reason = r.reason;
    for (char &c : reason) {
      if (c == '|') c = '/';
    }
    std::cout << "| " << r.cell.server << " | " << r.cell.client << " | "
              << to_string(r.cell.version) << " | " << to_string(r.cell.key_type) << " | "
              << matrix::to_string(r.cell.transport) << " | " << matrix::to_string(r.status)
              << " | " << r.negotiated_version << " | " << r.cipher_suite << " | " << r.group
              << " | " << (r.status == matrix::Status::pass ? std::to_string(r.handshake_us) : "")
              << " | " << reason << " |\n";
  }
}

void print_json(const std::vector<matrix::CellResult> &results) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto &r : results) {
    out.push_back({{"server", r.cell.server},
                   {"client", r.cell.client},
                   {"version", to_string(r.cell.version)},
                   {"key_type", to_string(r.cell.key_type)},
                   {"transport", matrix::to_string(r.cell.transport)},
                   {"status", matrix::to_string(r.status)},
                   {"negotiated_version", r.negotiated_version},
                   {"cipher_suite", r.cipher_suite},
                   {"group", r.group},
                   {"handshake_us", r.handshake_us},
                   {"reason", r.reason}});
  }
  std::cout << out.dump(2) << "\n";
}

int run(int argc, char **argv) {
  CLI::App cli{
      "polytls-matrix: every server backend against every client backend, for each TLS\n"
      "version and key type (RSA-2048, ECDSA-P256, Ed25519), over the in-memory transport and\n"
      "loopback TCP. Cells that cannot work are shown as n/a with the reason.\n\n"
      "Exit codes: 0 every applicable cell passed, 1 a cell failed, 2 usage.",
      "polytls-matrix"};
  Options o;
  cli.add_flag("--list-backends", o.backend.list, "List the backends, then exit");
  cli.add_option("--plugin", o.backend.plugins,
                 "Load a backend plugin besides $POLYTLS_PLUGIN_PATH")
      ->type_name("FILE");
  cli.add_option("--backend", o.backends, "Only these backends (repeat it)")->type_name("NAME");
  cli.add_option("--transport", o.transport, "memory, tcp or both (default both)")
      ->check(CLI::IsMember({"memory", "tcp", "both"}));
  cli.add_option("--tls-version", o.versions, "Only these versions: 1.2, 1.3 (repeat it)");
  cli.add_option("--key-type", o.key_types, "Only these key types (repeat it)");
  cli.add_option("--format", o.format, "text, markdown or json (default text)")
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  cli.add_option("--payload", o.payload, "Bytes sent each way per cell (default 16384)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{64} << 20));
  if (auto end = parse_command_line(cli, argc, argv)) return *end;
  if (auto end = load_and_list(kApp, o.backend, o.format == "json" ? Format::json : Format::text)) {
    return *end;
  }

  std::vector<Backend> backends;
  if (o.backends.empty()) {
    backends = available_backends();
  } else {
    for (const std::string &name : o.backends) {
      auto b = find_backend(name);
      if (!b) return fail(kApp, b.error());
      backends.push_back(*b);
    }
  }
  std::vector<matrix::TransportKind> transports;
  if (o.transport != "tcp") transports.push_back(matrix::TransportKind::memory);
  if (o.transport != "memory") transports.push_back(matrix::TransportKind::tcp);
  std::vector<TlsVersion> versions;
  for (const std::string &v : o.versions) {
    auto parsed = parse_tls_version(v);
    if (!parsed) return fail(kApp, parsed.error());
    versions.push_back(*parsed);
  }
  std::vector<KeyType> types;
  for (const std::string &t : o.key_types) {
    auto parsed = parse_key_type(t);
    if (!parsed) return fail(kApp, parsed.error());
    types.push_back(*parsed);
  }

  std::map<std::pair<std::string, KeyType>, std::optional<matrix::Pki>> pkis;
  std::vector<matrix::CellResult> results;
  bool failed = false;
  for (const matrix::Cell &cell : matrix::cells(backends, transports)) {
    if (!versions.empty() &&
        std::find(versions.begin(), versions.end(), cell.version) == versions.end()) {
      continue;
    }
    if (!types.empty() && std::find(types.begin(), types.end(), cell.key_type) == types.end()) {
      continue;
    }
    const Backend server = find_backend(cell.server).value();
    const Backend client = find_backend(cell.client).value();
    if (auto why = matrix::not_applicable(server, client, cell.version, cell.key_type)) {
      results.push_back(
          matrix::CellResult{cell, matrix::Status::not_applicable, {}, {}, {}, 0, *why});
      continue;
    }
    auto &pki = pkis[{cell.server, cell.key_type}];
    if (!pki) {
      auto made = matrix::make_pki(server, cell.key_type);
      if (!made) return fail(kApp, made.error());
      pki.emplace(std::move(made).value());
    }
    results.push_back(matrix::run_cell(cell, *pki, o.payload));
    failed |= results.back().status == matrix::Status::fail;
  }
  if (o.format == "json") {
    print_json(results);
  } else if (o.format == "markdown") {
    print_markdown(results);
  } else {
    print_text(results);
  }
  return failed ? kExitFailure : kExitOk;
}

}  // namespace
}  // namespace polytls::app

int main(int argc, char **argv) {
  return polytls::app::run(argc, argv);
}
