// runner.cpp: the measurement loops of polytls-bench (runner.hpp).
#include "runner.hpp"

#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <thread>
#include <utility>
#include <variant>

#include "polytls/certificate_spec.hpp"
#include "polytls/registry.hpp"
#include "polytls/subject_alt_name.hpp"
#include "polytls/tcp.hpp"
#include "polytls_engine.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POLYTLS_BENCH_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define POLYTLS_BENCH_ASAN 1
#endif
#ifdef POLYTLS_BENCH_ASAN
#include <sanitizer/allocator_interface.h>
#endif

namespace polytls::bench {

std::string_view to_string(Test test) noexcept {
  switch (test) {
    case Test::handshake: return "handshake";
    case Test::resumed: return "resumed";
    case Test::bulk: return "bulk";
    case Test::heap: return "heap";
  }
  return "?";
}

std::optional<Test> parse_test(std::string_view name) noexcept {
  for (Test t : {Test::handshake, Test::resumed, Test::bulk, Test::heap}) {
    if (name == to_string(t)) return t;
  }
  return std::nullopt;
}

std::string_view to_string(Wire wire) noexcept {
  return wire == Wire::memory ? "memory" : "tcp";
}

Stat summarise(std::vector<double> values) {
  Stat s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  s.median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  s.min = values.front();
  s.max = values.back();
  s.samples = static_cast<int>(n);
  return s;
}

namespace {

using Clock = std::chrono::steady_clock;

// thread_cpu_ns is the CPU time the calling thread has used.
int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// live_heap_bytes is what the process's allocator has handed out and not
// taken back: glibc's mallinfo2 (every arena, plus mmapped blocks), or the
// sanitizer allocator's count in AddressSanitizer builds.
std::size_t live_heap_bytes() {
#ifdef POLYTLS_BENCH_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
#endif
}

std::string key_name(KeyType type) {
  switch (type) {
    case KeyType::rsa2048: return "rsa2048";
    case KeyType::ecdsa_p256: return "ecdsa-p256";
    case KeyType::ed25519: return "ed25519";
    default: return std::string(to_string(type));
  }
}

std::string version_name(TlsVersion v) {
  return v == TlsVersion::tls12 ? "1.2" : "1.3";
}

// Failure carries a message out of a measurement.
struct Failure {
  std::string message;
};
template <class T>
using Outcome = std::variant<T, Failure>;

// Pair is one memory connection: both peers over a non-blocking pair.
struct Pair {
  std::unique_ptr<Peer> client;
  std::unique_ptr<Peer> server;
  int64_t client_cpu_ns = 0;
  int64_t server_cpu_ns = 0;
};

// open_pair starts a connection in memory; the CPU each side spent
// creating its peer is counted to that side.
Outcome<Pair> open_pair(Engine &engine, const Ticket *resume) {
  auto [client_io, server_io] = make_memory_pair();
  Pair p;
  int64_t t0 = thread_cpu_ns();
  auto client = engine.client(std::move(client_io), resume);
  int64_t t1 = thread_cpu_ns();
  if (!client) return Failure{"client: " + client.error().to_string()};
  auto server = engine.server(std::move(server_io));
  int64_t t2 = thread_cpu_ns();
  if (!server) return Failure{"server: " + server.error().to_string()};
  p.client = std::move(*client);
  p.server = std::move(*server);
  p.client_cpu_ns += t1 - t0;
  p.server_cpu_ns += t2 - t1;
  return p;
}

// pump steps both peers' handshakes until both are done (bounded).
std::optional<Failure> pump(Pair &p) {
  bool client_done = false, server_done = false;
  for (int round = 0; round < 200 && !(client_done && server_done); ++round) {
    if (!client_done) {
      int64_t t0 = thread_cpu_ns();
      Step s = p.client->handshake();
      p.client_cpu_ns += thread_cpu_ns() - t0;
      if (s == Step::failed) return Failure{"client handshake: " + p.client->error()};
      client_done = s == Step::done;
    }
    if (!server_done) {
      int64_t t0 = thread_cpu_ns();
      Step s = p.server->handshake();
      p.server_cpu_ns += thread_cpu_ns() - t0;
      if (s == Step::failed) return Failure{"server handshake: " + p.server->error()};
      server_done = s == Step::done;
    }
  }
  if (!(client_done && server_done)) return Failure{"the handshake did not finish in 200 rounds"};
  return std::nullopt;
}

// transfer moves `total` bytes from `from` to `to` in `chunk`-sized writes
// over a memory pair, reading each chunk before writing the next.
std::optional<Failure> transfer(Peer &from, Peer &to, std::size_t total, std::size_t chunk) {
  std::vector<uint8_t> out(chunk, 0x5a), in(chunk);
  for (std::size_t sent = 0; sent < total; sent += chunk) {
    std::size_t written = 0, received = 0;
    for (int turn = 0; (written < chunk || received < chunk) && turn < 10000; ++turn) {
      if (written < chunk) {
        std::size_t n = 0;
        Step s = from.write(std::span(out).subspan(written), n);
        if (s == Step::failed) return Failure{"write: " + from.error()};
        if (s == Step::done) written += n;
      }
      while (received < chunk) {
        std::size_t n = 0;
        Step s = to.read(std::span(in).subspan(received), n);
        if (s == Step::failed) return Failure{"read: " + to.error()};
        if (s != Step::done) break;
        received += n;
      }
    }
    if (written < chunk || received < chunk) return Failure{"a record did not go through"};
  }
  return std::nullopt;
}

// exchange_byte sends one byte from the server to the client (which also
// brings TLS 1.3 tickets to the client).
std::optional<Failure> exchange_byte(Pair &p) {
  return transfer(*p.server, *p.client, 1, 1);
}

// HandshakeBatch is what one batch of handshakes measured.
struct HandshakeBatch {
  int count = 0;
  double seconds = 0;
  double server_cpu_us = 0;  // per handshake
  double client_cpu_us = 0;
};

Outcome<HandshakeBatch> memory_handshakes(Engine &engine, int count, const Ticket *resume) {
  HandshakeBatch b;
  int64_t server_ns = 0, client_ns = 0;
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    auto pair = open_pair(engine, resume);
    if (auto *f = std::get_if<Failure>(&pair)) return *f;
    Pair &p = std::get<Pair>(pair);
    if (auto f = pump(p)) return *f;
    if (resume != nullptr && !(p.client->resumed() && p.server->resumed())) {
      return Failure{"the handshake did not resume the saved session"};
    }
    if (resume == nullptr && (p.client->resumed() || p.server->resumed())) {
      return Failure{"a full handshake reported resumption"};
    }
    int64_t t0 = thread_cpu_ns();
    p.client.reset();
    int64_t t1 = thread_cpu_ns();
    p.server.reset();
    int64_t t2 = thread_cpu_ns();
    server_ns += p.server_cpu_ns + (t2 - t1);
    client_ns += p.client_cpu_ns + (t1 - t0);
  }
  b.seconds = seconds_since(start);
  b.count = count;
  b.server_cpu_us = static_cast<double>(server_ns) / 1000.0 / count;
  b.client_cpu_us = static_cast<double>(client_ns) / 1000.0 / count;
  return b;
}

// TCP handshakes: a server thread accepts `count` connections while the
// client thread makes them. Each connection ends with one byte from the
// server to the client, so both handshakes are known complete (and TLS
// 1.3 tickets are read) before the sockets close.
Outcome<HandshakeBatch> tcp_handshakes(Engine &engine, int count, const Ticket *resume) {
  auto listener = TcpListener::bind("127.0.0.1", 0);
  if (!listener) return Failure{"listen: " + listener.error().to_string()};
  const uint16_t port = listener->port();
  std::string server_failure;
  int64_t server_ns = 0;
  std::atomic<bool> client_gave_up{false};

  std::thread server_thread([&] {
    const int64_t t0 = thread_cpu_ns();
    for (int i = 0; i < count && !client_gave_up; ++i) {
      auto stream = listener->accept(std::chrono::seconds(10));
      if (!stream) {
        server_failure = "accept: " + stream.error().to_string();
        break;
      }
      stream->set_io_timeout(std::chrono::seconds(10));
      auto peer = engine.server(std::make_unique<TcpStream>(std::move(*stream)));
      if (!peer) {
        server_failure = "server: " + peer.error().to_string();
        break;
      }
      if ((*peer)->handshake() != Step::done) {
        server_failure = "server handshake: " + (*peer)->error();
        break;
      }
      const uint8_t one = 1;
      std::size_t n = 0;
      if ((*peer)->write(std::span(&one, 1), n) != Step::done) {
        server_failure = "server write: " + (*peer)->error();
        break;
      }
    }
    server_ns = thread_cpu_ns() - t0;
  });

  std::string client_failure;
  const auto start = Clock::now();
  const int64_t t0 = thread_cpu_ns();
  for (int i = 0; i < count; ++i) {
    auto stream = TcpStream::connect("127.0.0.1", port, std::chrono::seconds(10));
    if (!stream) {
      client_failure = "connect: " + stream.error().to_string();
      break;
    }
    stream->set_io_timeout(std::chrono::seconds(10));
    auto peer = engine.client(std::make_unique<TcpStream>(std::move(*stream)), resume);
    if (!peer) {
      client_failure = "client: " + peer.error().to_string();
      break;
    }
    if ((*peer)->handshake() != Step::done) {
      client_failure = "client handshake: " + (*peer)->error();
      break;
    }
    uint8_t byte = 0;
    std::size_t n = 0;
    if ((*peer)->read(std::span(&byte, 1), n) != Step::done) {
      client_failure = "client read: " + (*peer)->error();
      break;
    }
    if ((resume != nullptr) != (*peer)->resumed()) {
      client_failure = resume != nullptr ? "the handshake did not resume the saved session"
                                         : "a full handshake reported resumption";
      break;
    }
  }
  const int64_t client_ns = thread_cpu_ns() - t0;
  const double seconds = seconds_since(start);
  if (!client_failure.empty()) client_gave_up = true;
  server_thread.join();
  if (!client_failure.empty()) return Failure{client_failure};
  if (!server_failure.empty()) return Failure{server_failure};
  HandshakeBatch b;
  b.count = count;
  b.seconds = seconds;
  b.server_cpu_us = static_cast<double>(server_ns) / 1000.0 / count;
  b.client_cpu_us = static_cast<double>(client_ns) / 1000.0 / count;
  return b;
}

Outcome<HandshakeBatch> handshakes(Engine &engine, Wire wire, int count, const Ticket *resume) {
  return wire == Wire::memory ? memory_handshakes(engine, count, resume)
                              : tcp_handshakes(engine, count, resume);
}

// save_ticket makes one connection in memory and saves its session.
Outcome<std::unique_ptr<Ticket>> save_ticket(Engine &engine) {
  auto pair = open_pair(engine, nullptr);
  if (auto *f = std::get_if<Failure>(&pair)) return *f;
  Pair &p = std::get<Pair>(pair);
  if (auto f = pump(p)) return *f;
  if (auto f = exchange_byte(p)) return *f;
  auto ticket = engine.save(*p.client);
  if (!ticket) return Failure{"save the session: " + ticket.error().to_string()};
  return std::move(*ticket);
}

// Bulk: one established connection; `bytes` each way per batch.
struct BulkBatch {
  double seconds = 0;
  std::size_t bytes = 0;
};

constexpr std::size_t kRecord = 16 * 1024;

struct BulkSetup {
  Pair memory;                   // Wire::memory
  std::unique_ptr<Peer> client;  // Wire::tcp
  std::unique_ptr<Peer> server;
};

Outcome<BulkSetup> open_bulk(Engine &engine, Wire wire) {
  BulkSetup setup;
  if (wire == Wire::memory) {
    auto pair = open_pair(engine, nullptr);
    if (auto *f = std::get_if<Failure>(&pair)) return *f;
    setup.memory = std::move(std::get<Pair>(pair));
    if (auto f = pump(setup.memory)) return *f;
    if (auto f = exchange_byte(setup.memory)) return *f;
    return setup;
  }
  auto listener = TcpListener::bind("127.0.0.1", 0);
  if (!listener) return Failure{"listen: " + listener.error().to_string()};
  std::string server_failure;
  std::thread server_thread([&] {
    auto stream = listener->accept(std::chrono::seconds(10));
    if (!stream) {
      server_failure = "accept: " + stream.error().to_string();
      return;
    }
    stream->set_io_timeout(std::chrono::seconds(30));
    auto peer = engine.server(std::make_unique<TcpStream>(std::move(*stream)));
    if (!peer) {
      server_failure = "server: " + peer.error().to_string();
      return;
    }
    if ((*peer)->handshake() != Step::done) {
      server_failure = "server handshake: " + (*peer)->error();
      return;
    }
    setup.server = std::move(*peer);
  });
  std::string client_failure;
  auto stream = TcpStream::connect("127.0.0.1", listener->port(), std::chrono::seconds(10));
  if (stream) {
    stream->set_io_timeout(std::chrono::seconds(30));
    auto peer = engine.client(std::make_unique<TcpStream>(std::move(*stream)), nullptr);
    if (!peer) {
      client_failure = "client: " + peer.error().to_string();
    } else if ((*peer)->handshake() != Step::done) {
      client_failure = "client handshake: " + (*peer)->error();
    } else {
      setup.client = std::move(*peer);
    }
  } else {
    client_failure = "connect: " + stream.error().to_string();
  }
  server_thread.join();
  if (!client_failure.empty()) return Failure{client_failure};
  if (!server_failure.empty()) return Failure{server_failure};
  return setup;
}

// tcp_transfer writes `total` bytes in one thread and reads them in this one.
std::optional<Failure> tcp_transfer(Peer &from, Peer &to, std::size_t total) {
  std::string write_failure;
  std::thread writer([&] {
    std::vector<uint8_t> out(kRecord, 0x5a);
    for (std::size_t sent = 0; sent < total;) {
      std::size_t n = 0;
      const std::size_t want = std::min(kRecord, total - sent);
      if (from.write(std::span(out).first(want), n) != Step::done) {
        write_failure = "write: " + from.error();
        return;
      }
      sent += n;
    }
  });
  std::vector<uint8_t> in(kRecord);
  std::string read_failure;
  for (std::size_t received = 0; received < total;) {
    std::size_t n = 0;
    if (to.read(in, n) != Step::done) {
      read_failure = "read: " + to.error();
      break;
    }
    received += n;
  }
  writer.join();
  if (!write_failure.empty()) return Failure{write_failure};
  if (!read_failure.empty()) return Failure{read_failure};
  return std::nullopt;
}

Outcome<BulkBatch> bulk_batch(BulkSetup &setup, Wire wire, bool client_to_server,
                              std::size_t bytes) {
  const auto start = Clock::now();
  std::optional<Failure> f;
  if (wire == Wire::memory) {
    Peer &from = client_to_server ? *setup.memory.client : *setup.memory.server;
    Peer &to = client_to_server ? *setup.memory.server : *setup.memory.client;
    f = transfer(from, to, bytes, kRecord);
  } else {
    Peer &from = client_to_server ? *setup.client : *setup.server;
    Peer &to = client_to_server ? *setup.server : *setup.client;
    f = tcp_transfer(from, to, bytes);
  }
  if (f) return *f;
  return BulkBatch{seconds_since(start), bytes};
}

// Heap: `count` connections established and held; the live heap before,
// with all, after the clients went, after the servers went.
struct HeapFigures {
  double server_bytes = 0;
  double client_bytes = 0;
};

Outcome<HeapFigures> heap_per_connection(Engine &engine, int count) {
  {  // one connection first, so lazily made library state is not counted
    auto warm = open_pair(engine, nullptr);
    if (auto *f = std::get_if<Failure>(&warm)) return *f;
    if (auto f = pump(std::get<Pair>(warm))) return *f;
    if (auto f = exchange_byte(std::get<Pair>(warm))) return *f;
  }
  std::vector<Pair> pairs;
  pairs.reserve(static_cast<std::size_t>(count));
  const auto before = static_cast<double>(live_heap_bytes());
  for (int i = 0; i < count; ++i) {
    auto pair = open_pair(engine, nullptr);
    if (auto *f = std::get_if<Failure>(&pair)) return *f;
    pairs.push_back(std::move(std::get<Pair>(pair)));
    if (auto f = pump(pairs.back())) return *f;
    if (auto f = exchange_byte(pairs.back())) return *f;
    if (auto f = transfer(*pairs.back().client, *pairs.back().server, 1, 1)) return *f;
  }
  const auto all = static_cast<double>(live_heap_bytes());
  for (auto &p : pairs)
    p.client.reset();
  const auto servers_only = static_cast<double>(live_heap_bytes());
  pairs.clear();
  HeapFigures h;
  h.client_bytes = (all - servers_only) / count;
  h.server_bytes = (servers_only - before) / count;
  return h;
}

// ---- plan ------------------------------------------------------------------

Outcome<std::map<KeyType, ServerIdentity>> make_identities(const std::vector<KeyType> &types) {
  std::map<KeyType, ServerIdentity> out;
  for (KeyType type : types) {
    std::string problems;
    for (const Backend &b : available_backends()) {
      if (!b.supports(Capability::cert_create) || !b.supports(Capability::key_generate)) continue;
      auto key = b.generate_key(type);
      if (!key) {
        problems += " " + key.error().to_string() + ";";
        continue;
      }
      CertificateSpec spec;
      spec.subject.add(NameAttribute::common_name, "localhost");
      spec.subject_alt_names.push_back(SubjectAltName::parse("DNS:localhost").value());
      auto cert = b.self_sign(spec, *key);
      auto pem = key->private_key_pem();
      if (!cert || !pem) {
        problems += " " + (cert ? pem.error() : cert.error()).to_string() + ";";
        continue;
      }
      out[type] = ServerIdentity{type, cert->pem(), *pem};
      break;
    }
    if (!out.contains(type)) {
      return Failure{"no backend could make a " + key_name(type) + " certificate:" + problems};
    }
  }
  return out;
}

// payload_key is the key type of the bulk and heap cases, whose figures do
// not depend on it: ECDSA P-256 when the plan has it (cheap handshakes).
KeyType payload_key(const Plan &plan) {
  const auto &k = plan.key_types;
  return std::find(k.begin(), k.end(), KeyType::ecdsa_p256) != k.end() ? KeyType::ecdsa_p256
                                                                       : k.front();
}

struct CaseSpec {
  Test test;
  Wire wire;
  Case c;
  std::string label;
};

std::vector<CaseSpec> cases_for(const Plan &plan, const std::map<KeyType, ServerIdentity> &ids) {
  std::vector<CaseSpec> out;
  for (Test test : plan.tests) {
    for (Wire wire : plan.wires) {
      if (test == Test::heap && wire == Wire::tcp) continue;  // heap: in memory only
      for (TlsVersion version : plan.versions) {
        std::vector<std::pair<KeyType, uint16_t>> combos;
        if (test == Test::handshake || test == Test::resumed) {
          for (KeyType k : plan.key_types) {
            for (uint16_t g : plan.groups) {
              const bool reduced_ok = g == plan.groups.front() || k == KeyType::ecdsa_p256 ||
                                      (plan.key_types.size() == 1);
              if (plan.full || reduced_ok) combos.emplace_back(k, g);
            }
            if (test == Test::resumed) break;  // resumption: one key type
          }
        } else {
          // bulk and heap: one key type (ECDSA P-256 when planned) and group
          combos.emplace_back(payload_key(plan), plan.groups.front());
        }
        std::vector<uint16_t> suites{0};
        if (test == Test::bulk) {
          suites.clear();
          for (uint16_t s : secure_cipher_suites(version)) {
            // one suite per cipher: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305
            const bool rsa = payload_key(plan) == KeyType::rsa2048;
            if (version == TlsVersion::tls12 && needs_rsa(s) != rsa) {
              continue;
            }
            suites.push_back(s);
          }
          if (plan.max_suites != 0 && suites.size() > plan.max_suites) {
            suites.resize(plan.max_suites);
          }
        }
        for (auto [k, g] : combos) {
          for (uint16_t suite : suites) {
            CaseSpec cs{test, wire, Case{}, ""};
            cs.c.version = version;
            cs.c.group = g;
            cs.c.cipher_suite = suite;
            cs.c.identity = &ids.at(k);
            cs.c.resumption = test == Test::resumed;
            if (version == TlsVersion::tls12 && k == KeyType::ecdsa_p256 && g != 0x0017) {
              cs.c.client_extra_group = 0x0017;
            }
            cs.label = std::string(to_string(test)) + " " + std::string(to_string(wire)) + " TLS " +
                       version_name(version) + " " + key_name(k) + " " +
                       std::string(group_name(g)) +
                       (suite != 0 ? " " + std::string(cipher_suite_name(suite)) : "");
            out.push_back(std::move(cs));
          }
        }
      }
    }
  }
  return out;
}

Row base_row(const Engine &engine, const CaseSpec &cs) {
  Row r;
  r.backend = engine.backend();
  r.library = engine.library();
  r.direct = engine.direct();
  r.test = cs.test;
  r.wire = cs.wire;
  r.version = version_name(cs.c.version);
  for (const auto &[type, name] :
       {std::pair{KeyType::rsa2048, "rsa2048"}, std::pair{KeyType::ecdsa_p256, "ecdsa-p256"},
        std::pair{KeyType::ed25519, "ed25519"}}) {
    if (cs.c.identity->key_type == type) r.key_type = name;
  }
  r.group = std::string(group_name(cs.c.group));
  if (cs.c.cipher_suite != 0) r.suite = std::string(cipher_suite_name(cs.c.cipher_suite));
  return r;
}

// Contender is one engine taking part in a case, with what it measured.
struct Contender {
  explicit Contender(Engine *e) : engine(e) {}
  Engine *engine = nullptr;
  bool ready = false;
  std::string status = "ok";
  std::string note;
  std::unique_ptr<Ticket> ticket;
  std::optional<BulkSetup> bulk;
  std::vector<double> values, values2, server_cpu, client_cpu;

  void fail(std::string why, std::string kind = "failed") {
    ready = false;
    status = std::move(kind);
    note = std::move(why);
  }
};

double overhead_pct_time(double polytls_rate, double direct_rate) {
  // rates per second: cost per item is 1/rate.
  return (direct_rate / polytls_rate - 1.0) * 100.0;
}

// measure_case runs one case on the engines of one backend, batch by
// batch in ABBA order, and appends rows.
void measure_case(const Plan &plan, const CaseSpec &cs, std::vector<Contender> &engines,
                  std::vector<Row> &rows) {
  for (auto &c : engines) {
    c = Contender(c.engine);
    auto ok = c.engine->prepare(cs.c);
    if (!ok) {
      c.fail(ok.error().to_string(),
             ok.error().code() == ErrorCode::unsupported ? "unsupported" : "failed");
      continue;
    }
    c.ready = true;
    if (cs.test == Test::resumed) {
      auto t = save_ticket(*c.engine);
      if (auto *f = std::get_if<Failure>(&t)) {
        c.fail(f->message);
        continue;
      }
      c.ticket = std::move(std::get<std::unique_ptr<Ticket>>(t));
    }
    if (cs.test == Test::bulk) {
      auto s = open_bulk(*c.engine, cs.wire);
      if (auto *f = std::get_if<Failure>(&s)) {
        c.fail(f->message);
        continue;
      }
      c.bulk.emplace(std::move(std::get<BulkSetup>(s)));
    }
  }

  // Handshake batches: the iteration count is set from a warm-up batch so
  // one batch lasts about plan.batch, the same count for every engine.
  int count = plan.min_iterations;
  std::size_t bulk_bytes = plan.bulk_bytes;
  for (auto &c : engines) {
    if (!c.ready) continue;
    if (cs.test == Test::handshake || cs.test == Test::resumed) {
      auto warm = handshakes(*c.engine, cs.wire, plan.min_iterations, c.ticket.get());
      if (auto *f = std::get_if<Failure>(&warm)) {
        c.fail(f->message);
        continue;
      }
      const auto &b = std::get<HandshakeBatch>(warm);
      const double per = b.seconds / b.count;
      const int wanted = static_cast<int>(std::chrono::duration<double>(plan.batch).count() / per);
      count = std::max({count, wanted, plan.min_iterations});
    } else if (cs.test == Test::bulk) {
      auto warm = bulk_batch(*c.bulk, cs.wire, true, kRecord * 8);
      if (auto *f = std::get_if<Failure>(&warm)) c.fail(f->message);
    }
  }
  count = std::min(count, 100000);
  bulk_bytes = std::max(bulk_bytes, kRecord);

  for (int repeat = 0; repeat < plan.repeats; ++repeat) {
    for (std::size_t i = 0; i < engines.size(); ++i) {
      // ABBA: every other repeat runs the engines in reverse order.
      auto &c = engines[repeat % 2 == 0 ? i : engines.size() - 1 - i];
      if (!c.ready) continue;
      switch (cs.test) {
        case Test::handshake:
        case Test::resumed: {
          auto r = handshakes(*c.engine, cs.wire, count, c.ticket.get());
          if (auto *f = std::get_if<Failure>(&r)) {
            c.fail(f->message);
            break;
          }
          const auto &b = std::get<HandshakeBatch>(r);
          c.values.push_back(b.count / b.seconds);
          c.server_cpu.push_back(b.server_cpu_us);
          c.client_cpu.push_back(b.client_cpu_us);
          break;
        }
        case Test::bulk: {
          for (bool c2s : {true, false}) {
            auto r = bulk_batch(*c.bulk, cs.wire, c2s, bulk_bytes);
            if (auto *f = std::get_if<Failure>(&r)) {
              c.fail(f->message);
              break;
            }
            const auto &b = std::get<BulkBatch>(r);
            (c2s ? c.values : c.values2).push_back(static_cast<double>(b.bytes) / b.seconds / 1e6);
          }
          break;
        }
        case Test::heap: {
          auto r = heap_per_connection(*c.engine, plan.heap_connections);
          if (auto *f = std::get_if<Failure>(&r)) {
            c.fail(f->message);
            break;
          }
          c.values.push_back(std::get<HeapFigures>(r).server_bytes);
          c.values2.push_back(std::get<HeapFigures>(r).client_bytes);
          break;
        }
      }
    }
  }
  for (auto &c : engines)
    c.bulk.reset();

  // Rows: polytls first, then its direct twin; overhead on the polytls row.
  const Contender *direct = nullptr;
  for (auto &c : engines) {
    if (c.engine->direct() && c.status == "ok") direct = &c;
  }
  for (auto &c : engines) {
    auto add = [&](std::string direction, const std::vector<double> &values,
                   const std::vector<double> *twin, const char *unit) {
      Row r = base_row(*c.engine, cs);
      r.direction = std::move(direction);
      r.status = c.status;
      r.note = c.note;
      r.unit = unit;
      if (c.status == "ok") {
        r.value = summarise(values);
        if (!c.server_cpu.empty()) {
          r.server_cpu_us = summarise(c.server_cpu).median;
          r.client_cpu_us = summarise(c.client_cpu).median;
        }
        if (!c.engine->direct() && twin != nullptr && !twin->empty()) {
          const double d = summarise(*twin).median;
          if (cs.test == Test::heap) {
            r.overhead_bytes = r.value.median - d;
          } else {
            r.overhead_pct = overhead_pct_time(r.value.median, d);
          }
        }
      }
      rows.push_back(std::move(r));
    };
    switch (cs.test) {
      case Test::handshake:
      case Test::resumed:
        add("", c.values, direct ? &direct->values : nullptr, "handshakes/s");
        break;
      case Test::bulk:
        add("client-to-server", c.values, direct ? &direct->values : nullptr, "MB/s");
        add("server-to-client", c.values2, direct ? &direct->values2 : nullptr, "MB/s");
        break;
      case Test::heap:
        add("server", c.values, direct ? &direct->values : nullptr, "bytes");
        add("client", c.values2, direct ? &direct->values2 : nullptr, "bytes");
        break;
    }
  }
}

}  // namespace

std::vector<Row> run(const Plan &plan, const Progress &progress) {
  std::vector<Row> rows;
  auto ids = make_identities(plan.key_types);
  if (auto *f = std::get_if<Failure>(&ids)) {
    Row r;
    r.status = "failed";
    r.note = f->message;
    rows.push_back(r);
    return rows;
  }
  const auto &identities = std::get<std::map<KeyType, ServerIdentity>>(ids);
  const auto specs = cases_for(plan, identities);

  // Engines per backend: polytls, then the direct reference when there is one.
  struct Lineup {
    std::vector<std::unique_ptr<Engine>> owned;
    std::vector<Contender> contenders;
  };
  std::vector<Lineup> lineups;
  for (const std::string &name : plan.backends) {
    auto backend = find_backend(name);
    if (!backend) continue;  // main() checked the names
    Lineup l;
    l.owned.push_back(make_polytls_engine(*backend));
    if (plan.direct) {
      if (auto d = make_direct_engine(name)) l.owned.push_back(std::move(d));
    }
    for (auto &e : l.owned)
      l.contenders.emplace_back(e.get());
    lineups.push_back(std::move(l));
  }

  const int total = static_cast<int>(specs.size() * lineups.size());
  int done = 0;
  for (const CaseSpec &cs : specs) {
    for (auto &l : lineups) {
      if (progress) progress(done, total, l.owned.front()->backend() + " " + cs.label);
      measure_case(plan, cs, l.contenders, rows);
      ++done;
    }
  }
  if (progress) progress(done, total, "");
  return rows;
}

}  // namespace polytls::bench
