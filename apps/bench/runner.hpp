// runner.hpp: the measurements of polytls-bench.
//
// The runner drives Engines (engine.hpp) through each case the same way:
// memory (a non-blocking in-memory pair, both peers stepped in one thread,
// the CPU time of each side's steps counted apart) and TCP (a blocking
// loopback connection, server and client in two threads, each thread's CPU
// time counted). For every case, the polytls engine and its direct
// reference take turns batch by batch (ABBA), so a change in machine load
// touches both and the ratio between them stays meaningful.
#ifndef POLYTLS_BENCH_RUNNER_HPP
#define POLYTLS_BENCH_RUNNER_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine.hpp"

namespace polytls::bench {

enum class Test { handshake, resumed, bulk, heap };
enum class Wire { memory, tcp };
std::string_view to_string(Test test) noexcept;
std::string_view to_string(Wire wire) noexcept;
// parse_test reads a test's name as to_string writes it.
std::optional<Test> parse_test(std::string_view name) noexcept;

// Stat summarises repeated figures: median and the range.
struct Stat {
  double median = 0;
  double min = 0;
  double max = 0;
  int samples = 0;
};
Stat summarise(std::vector<double> values);

// Row is one figure: one engine, one test, one case.
struct Row {
  std::string backend;
  std::string library;
  bool direct = false;
  Test test = Test::handshake;
  Wire wire = Wire::memory;
  std::string version;   // "1.2", "1.3"
  std::string key_type;  // "rsa2048", "ecdsa-p256", "ed25519"
  std::string group;     // "x25519", ...
  std::string suite;     // IANA name (the case's or the negotiated one)
  std::string
      direction;       // bulk: "client-to-server" / "server-to-client"; heap: "server" / "client"
  std::string status;  // "ok", "unsupported", "failed"
  std::string note;    // the reason when not ok
  // value is per test: handshakes/s (handshake, resumed), MB/s (bulk,
  // 10^6 bytes of application data per second), bytes (heap).
  Stat value;
  std::string unit;
  // Handshakes: median CPU microseconds per handshake on each side.
  std::optional<double> server_cpu_us;
  std::optional<double> client_cpu_us;
  // overhead_pct (polytls rows with a direct twin): how much more polytls
  // costs than direct, in percent of direct (time per handshake, time per
  // byte); heap: overhead_bytes more per connection.
  std::optional<double> overhead_pct;
  std::optional<double> overhead_bytes;
};

// Plan says what to measure.
struct Plan {
  std::vector<std::string> backends;
  std::vector<Test> tests{Test::handshake, Test::resumed, Test::bulk, Test::heap};
  std::vector<Wire> wires{Wire::memory, Wire::tcp};
  std::vector<TlsVersion> versions{TlsVersion::tls12, TlsVersion::tls13};
  std::vector<KeyType> key_types{KeyType::rsa2048, KeyType::ecdsa_p256, KeyType::ed25519};
  std::vector<uint16_t> groups{0x001d, 0x0017, 0x0018};
  // full measures every key type with every group; otherwise every key
  // type with the first group, and every group with ECDSA P-256.
  bool full = false;
  bool direct = true;                    // measure the direct references too
  int repeats = 5;                       // measured batches per engine and case
  std::chrono::milliseconds batch{200};  // the least time one batch runs
  int min_iterations = 1;                // per batch, handshakes
  std::size_t bulk_bytes = 8u << 20;     // per direction and batch, at least
  int heap_connections = 16;
  std::size_t max_suites = 0;  // bulk: at most this many suites per version (0: all)
};

// Progress is told each case before it runs: done, total, label.
using Progress = std::function<void(int done, int total, const std::string &label)>;

// run measures `plan` on the polytls engines of `plan.backends` and their
// direct references. Identities are made once, per key type.
std::vector<Row> run(const Plan &plan, const Progress &progress);

}  // namespace polytls::bench

#endif  // POLYTLS_BENCH_RUNNER_HPP
