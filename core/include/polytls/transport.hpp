// polytls/transport.hpp: how TLS sessions move bytes.
//
// A session owns no socket: it reads and writes through a Transport. The
// core provides a TCP transport (tcp.hpp), an in-memory pair (client and
// server in one process, no kernel) and a tap that records every byte.
// Transports work in blocking mode (calls wait, bounded by a timeout) or
// non-blocking mode (calls return `want_read` / `want_write` at once, and
// an event loop calls again when the transport is ready).
#ifndef POLYTLS_TRANSPORT_HPP
#define POLYTLS_TRANSPORT_HPP

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "polytls/result.hpp"

namespace polytls {

// Transport is a byte stream.
class Transport {
 public:
  virtual ~Transport() = default;

  // send writes 1..data.size() bytes and returns how many. A non-blocking
  // transport that cannot take any byte now returns `want_write`; failures
  // are `io`, `timeout` or `peer_closed`.
  virtual Result<std::size_t> send(std::span<const uint8_t> data) = 0;

  // recv reads 1..buffer.size() bytes and returns how many; 0 means the
  // peer closed the stream. A non-blocking transport with nothing to read
  // returns `want_read`; failures are `io` or `timeout`.
  virtual Result<std::size_t> recv(std::span<uint8_t> buffer) = 0;
};

// MemoryTransportOptions configure an in-memory pair.
struct MemoryTransportOptions {
  // blocking makes recv wait for data (and send never blocks); otherwise
  // recv returns `want_read` when empty.
  bool blocking = false;
  // timeout bounds a blocking recv; it then fails with `timeout`.
  std::chrono::milliseconds timeout{10000};
  // max_chunk caps how many bytes one recv returns (to exercise partial I/O).
  std::size_t max_chunk = 0;  // 0: no cap
};

// MemoryTransport is one end of an in-memory pair: what one end sends,
// the other receives. Both ends may live in different threads. When one
// end is destroyed or closed, the other reads the rest and then 0.
class MemoryTransport final : public Transport {
 public:
  struct Pipe;
  MemoryTransport(std::shared_ptr<Pipe> pipe, int side, MemoryTransportOptions options);
  ~MemoryTransport() override;

  Result<std::size_t> send(std::span<const uint8_t> data) override;
  Result<std::size_t> recv(std::span<uint8_t> buffer) override;

  // close ends this side's stream: the peer reads what is left, then 0.
  void close();
  // pending returns how many bytes wait to be read on this side.
  std::size_t pending() const;

 private:
  std::shared_ptr<Pipe> pipe_;
  int side_;
  MemoryTransportOptions options_;
};

// make_memory_pair returns two connected in-memory transports.
std::pair<std::unique_ptr<MemoryTransport>, std::unique_ptr<MemoryTransport>> make_memory_pair(
    const MemoryTransportOptions &options = {});

// TapTransport wraps another transport and records every byte that went
// through it, in order, as the wire saw it.
class TapTransport final : public Transport {
 public:
  enum class Direction { sent, received };
  // Segment is one successful send or recv.
  struct Segment {
    Direction direction;
    std::chrono::steady_clock::time_point when;
    std::vector<uint8_t> bytes;
  };

  explicit TapTransport(std::unique_ptr<Transport> inner) : inner_(std::move(inner)) {}

  Result<std::size_t> send(std::span<const uint8_t> data) override;
  Result<std::size_t> recv(std::span<uint8_t> buffer) override;

  Transport &inner() noexcept { return *inner_; }
  const std::vector<Segment> &segments() const noexcept { return segments_; }
  // bytes concatenates everything that went in one direction.
  std::vector<uint8_t> bytes(Direction direction) const;

 private:
  std::unique_ptr<Transport> inner_;
  std::vector<Segment> segments_;
};

}  // namespace polytls

#endif  // POLYTLS_TRANSPORT_HPP
