// polytls-bench: handshakes, resumptions, bulk throughput and heap per
// connection, for each backend through polytls and through the library's
// own API (the direct reference), in one run.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app.hpp"
#include "report.hpp"
#include "runner.hpp"

namespace polytls::app {
namespace {

constexpr std::string_view kApp = "polytls-bench";

struct Options {
  BackendOptions backend;
  std::vector<std::string> backends;
  std::vector<std::string> tests;
  std::string transport = "both";
  std::vector<std::string> versions;
  std::vector<std::string> key_types;
  std::vector<std::string> groups;
  bool full = false;
  bool no_direct = false;
  bool quick = false;
  int repeats = 5;
  int batch_ms = 200;
  int bulk_mib = 8;
  int heap_connections = 16;
  std::string format = "text";
  std::string output;
  bool force = false;
  bool no_progress = false;
  std::string static_dir;
  std::string input;
};

// split_list accepts "a,b" as well as repeated options.
std::vector<std::string> split_list(const std::vector<std::string> &items) {
  std::vector<std::string> out;
  for (const std::string &item : items) {
    std::stringstream s(item);
    for (std::string part; std::getline(s, part, ',');) {
      if (!part.empty()) out.push_back(part);
    }
  }
  return out;
}

// static_sizes reads the statically linked clients' sizes from `dir`
// (polytls-static-client-<backend>, built stripped; see apps/bench/CMakeLists.txt).
std::vector<bench::StaticSize> static_sizes(const std::filesystem::path &dir,
                                            const std::vector<std::string> &backends) {
  std::vector<bench::StaticSize> out;
  if (dir.empty() || !std::filesystem::is_directory(dir)) return out;
  for (const std::string &name : backends) {
    bench::StaticSize s;
    s.backend = name;
    const auto file = dir / ("polytls-static-client-" + name);
    const auto why = dir / ("polytls-static-client-" + name + ".unsupported");
    std::error_code ec;
    if (std::filesystem::is_regular_file(file, ec)) {
      s.status = "ok";
      s.file = file.string();
      s.file_bytes = std::filesystem::file_size(file, ec);
    } else if (std::filesystem::is_regular_file(why, ec)) {
      s.status = "unsupported";
      std::ifstream in(why);
      std::getline(in, s.note);
    } else {
      continue;
    }
    out.push_back(std::move(s));
  }
  return out;
}

int run(int argc, char **argv) {
  CLI::App cli{
      "polytls-bench: for each backend, through polytls and straight through the library's\n"
      "own API (the direct reference), in the same run: full and resumed handshakes per\n"
      "second with the CPU time of each side, bulk throughput per cipher suite with 16 KiB\n"
      "records both ways, and heap bytes held per connection; over an in-memory pair and\n"
      "loopback TCP. Figures are medians of --repeats batches, with min and max; polytls's\n"
      "overhead is the ratio to the direct reference measured alternately in the same run.\n\n"
      "Exit codes: 0 every case ran or was unsupported, 1 a case failed, 2 usage.",
      std::string(kApp)};
  Options o;
  cli.add_flag("--list-backends", o.backend.list, "List the backends, then exit");
  cli.add_option("--plugin", o.backend.plugins,
                 "Load a backend plugin besides $POLYTLS_PLUGIN_PATH")
      ->type_name("FILE");
  cli.add_option("--backend", o.backends, "Only these backends (repeat it or a,b)")
      ->type_name("NAME");
  cli.add_option("--test", o.tests,
                 "Only these: handshake, resumed, bulk, heap (repeat it or a,b)");
  cli.add_option("--transport", o.transport, "memory, tcp or both (default both)")
      ->check(CLI::IsMember({"memory", "tcp", "both"}));
  cli.add_option("--tls-version", o.versions, "Only these versions: 1.2, 1.3");
  cli.add_option("--key-type", o.key_types, "Only these key types: rsa2048, ecdsa-p256, ed25519");
  cli.add_option("--group", o.groups, "Only these groups: x25519, secp256r1, secp384r1");
  cli.add_flag("--full", o.full,
               "Every key type with every group (default: every key type with the first group, "
               "every group with ECDSA P-256)");
  cli.add_flag("--no-direct", o.no_direct, "Leave out the direct references");
  cli.add_flag("--quick", o.quick,
               "A short smoke run: one case per test, one short batch, TLS 1.3 (1.2 for backends "
               "without it)");
  cli.add_option("--repeats", o.repeats, "Measured batches per figure (default 5)")
      ->check(CLI::Range(1, 1000));
  cli.add_option("--batch-ms", o.batch_ms, "Least time of one handshake batch (default 200)")
      ->check(CLI::Range(1, 600000));
  cli.add_option("--bulk-mib", o.bulk_mib, "MiB each way per bulk batch (default 8)")
      ->check(CLI::Range(1, 4096));
  cli.add_option("--heap-connections", o.heap_connections,
                 "Connections held to measure heap per connection (default 16)")
      ->check(CLI::Range(1, 10000));
  cli.add_option("--static-dir", o.static_dir,
                 "Where the statically linked clients are (default: static-clients beside "
                 "this program)")
      ->type_name("DIR");
  cli.add_option("--format", o.format, "text, markdown, json or csv (default text)")
      ->check(CLI::IsMember({"text", "markdown", "json", "csv"}));
  cli.add_option("-o,--output", o.output, "Write the report to FILE instead of stdout")
      ->type_name("FILE");
  cli.add_flag("--force", o.force, "Replace --output if it exists");
  cli.add_flag("--no-progress", o.no_progress, "No progress line on stderr");
  cli.add_option("--input", o.input,
                 "Measure nothing: render a report saved with --format json in --format")
      ->type_name("FILE");
  if (auto end = parse_command_line(cli, argc, argv)) return *end;
  if (auto end = load_and_list(kApp, o.backend, o.format == "json" ? Format::json : Format::text)) {
    return *end;
  }

  // An existing --output is refused before anything is measured.
  if (!o.output.empty() && !o.force) {
    std::error_code ec;
    const auto st = std::filesystem::status(o.output, ec);
    if (std::filesystem::is_regular_file(st)) {
      return fail(
          kApp, Error(ErrorCode::already_exists, o.output + " exists (use --force to replace it)"));
    }
  }

  bench::Plan plan;
  for (const std::string &name : split_list(o.backends)) {
    auto b = find_backend(name);
    if (!b) return fail(kApp, b.error());
    plan.backends.push_back(b->name());
  }
  if (plan.backends.empty()) {
    for (const Backend &b : available_backends()) {
      if (b.supports(Capability::tls12) || b.supports(Capability::tls13)) {
        plan.backends.push_back(b.name());
      }
    }
  }
  if (plan.backends.empty()) {
    return fail(kApp, Error(ErrorCode::unsupported, "no backend with TLS is available"));
  }
  if (!o.tests.empty()) {
    plan.tests.clear();
    for (const std::string &t : split_list(o.tests)) {
      const auto test = bench::parse_test(t);
      if (!test) {
        return fail(kApp, Error(ErrorCode::bad_input,
                                "unknown test \"" + t + "\" (handshake, resumed, bulk, heap)"));
      }
      plan.tests.push_back(*test);
    }
  }
  plan.wires.clear();
  if (o.transport != "tcp") plan.wires.push_back(bench::Wire::memory);
  if (o.transport != "memory") plan.wires.push_back(bench::Wire::tcp);
  if (!o.versions.empty()) {
    plan.versions.clear();
    for (const std::string &v : split_list(o.versions)) {
      auto parsed = parse_tls_version(v);
      if (!parsed) return fail(kApp, parsed.error());
      plan.versions.push_back(*parsed);
    }
  }
  if (!o.key_types.empty()) {
    plan.key_types.clear();
    for (const std::string &t : split_list(o.key_types)) {
      auto parsed = parse_key_type(t);
      if (!parsed) return fail(kApp, parsed.error());
      plan.key_types.push_back(*parsed);
    }
  }
  if (!o.groups.empty()) {
    plan.groups.clear();
    for (const std::string &g : split_list(o.groups)) {
      auto parsed = parse_group(g);
      if (!parsed) return fail(kApp, parsed.error());
      plan.groups.push_back(*parsed);
    }
  }
  plan.full = o.full;
  plan.direct = !o.no_direct;
  plan.repeats = o.repeats;
  plan.batch = std::chrono::milliseconds(o.batch_ms);
  plan.bulk_bytes = static_cast<std::size_t>(o.bulk_mib) << 20;
  plan.heap_connections = o.heap_connections;
  if (o.quick) {
    // One case per test: the first planned (or given) version, key and group.
    if (o.versions.empty()) plan.versions = {TlsVersion::tls13, TlsVersion::tls12};
    if (o.key_types.empty()) plan.key_types = {KeyType::ecdsa_p256};
    plan.groups.resize(1);
    plan.repeats = std::min(plan.repeats, 2);
    plan.batch = std::chrono::milliseconds(0);
    plan.min_iterations = 2;
    plan.bulk_bytes = 1u << 20;
    plan.heap_connections = 4;
    plan.max_suites = 1;
  }

  const bool progress_line = !o.no_progress && isatty(STDERR_FILENO) != 0;
  bench::Progress progress;
  if (progress_line) {
    progress = [](int done, int total, const std::string &label) {
      if (label.empty()) {
        std::fprintf(stderr, "\r\033[K");
      } else {
        std::fprintf(stderr, "\r\033[K[%d/%d] %s", done + 1, total, label.c_str());
      }
      std::fflush(stderr);
    };
  }

  bench::Report report;
  if (!o.input.empty()) {
    auto text = read_file(o.input);
    if (!text) return fail(kApp, text.error());
    auto saved = bench::read_json(
        std::string_view(reinterpret_cast<const char *>(text->data()), text->size()));
    if (!saved) return fail(kApp, saved.error().with_context(o.input + ": "));
    report = std::move(*saved);
  } else {
    report.machine = bench::this_machine();
    for (int i = 0; i < argc; ++i)
      report.command += (i ? " " : "") + std::string(argv[i]);
    report.rows = bench::run(plan, progress);
    std::filesystem::path static_dir = o.static_dir;
    if (static_dir.empty()) {
      std::error_code ec;
      static_dir =
          std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / "static-clients";
    }
    report.sizes = static_sizes(static_dir, plan.backends);
  }

  std::ostringstream out;
  if (o.format == "json") {
    bench::write_json(out, report);
  } else if (o.format == "markdown") {
    bench::write_markdown(out, report);
  } else if (o.format == "csv") {
    bench::write_csv(out, report);
  } else {
    bench::write_text(out, report);
  }
  if (o.output.empty()) {
    std::cout << out.str();
  } else {
    WriteOptions w;
    w.overwrite = o.force;
    if (auto written = write_file(o.output, out.str(), w); !written)
      return fail(kApp, written.error());
  }
  const bool failed = std::any_of(report.rows.begin(), report.rows.end(),
                                  [](const bench::Row &r) { return r.status == "failed"; });
  for (const bench::Row &r : report.rows) {
    if (r.status == "failed") {
      std::cerr << kApp << ": "
                << (r.backend.empty() ? "" : r.backend + (r.direct ? " (direct)" : "") + ": ")
                << bench::to_string(r.test) << ": " << r.note << "\n";
    }
  }
  return failed ? kExitFailure : kExitOk;
}

}  // namespace
}  // namespace polytls::app

int main(int argc, char **argv) {
  return polytls::app::run(argc, argv);
}
