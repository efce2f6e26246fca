// polytls/tcp.hpp: the TCP transport (IPv4 and IPv6).
#ifndef POLYTLS_TCP_HPP
#define POLYTLS_TCP_HPP

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "polytls/transport.hpp"

namespace polytls {

// TcpStream is a connected TCP socket used as a Transport. It starts in
// blocking mode, where send and recv wait at most io_timeout (then fail
// with `timeout`); set_blocking(false) makes them return want_read /
// want_write instead. The socket closes with the object.
class TcpStream final : public Transport {
 public:
  // connect resolves `host` (a name, an IPv4 or IPv6 address) and connects
  // to the first address that answers within `timeout`. Failures: `not_found`
  // (unknown host), `io` (refused, unreachable), `timeout`.
  static Result<TcpStream> connect(std::string_view host, uint16_t port,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // TcpStream adopts a connected socket.
  explicit TcpStream(int fd) noexcept;
  TcpStream(TcpStream &&other) noexcept;
  TcpStream &operator=(TcpStream &&other) noexcept;
  TcpStream(const TcpStream &) = delete;
  TcpStream &operator=(const TcpStream &) = delete;
  ~TcpStream() override;

  Result<std::size_t> send(std::span<const uint8_t> data) override;
  Result<std::size_t> recv(std::span<uint8_t> buffer) override;

  // set_blocking switches between blocking and non-blocking mode.
  Result<void> set_blocking(bool blocking);
  // set_io_timeout bounds each blocking send or recv (default 30 s).
  void set_io_timeout(std::chrono::milliseconds timeout) noexcept { io_timeout_ = timeout; }
  // shutdown_write sends FIN: the peer reads the end of the stream.
  Result<void> shutdown_write();

  int fd() const noexcept { return fd_; }
  // peer_address renders the remote end: "127.0.0.1:4433", "[::1]:4433".
  std::string peer_address() const;

 private:
  int fd_ = -1;
  bool blocking_ = true;
  std::chrono::milliseconds io_timeout_{30000};
};

// TcpListener is a listening TCP socket.
class TcpListener {
 public:
  // bind listens on `host` ("127.0.0.1", "::1", "0.0.0.0", "::", or a name)
  // and `port` (0 lets the system choose; see port()). Address in use and
  // permission errors are `io` naming the address.
  static Result<TcpListener> bind(std::string_view host, uint16_t port, int backlog = 128);

  TcpListener(TcpListener &&other) noexcept;
  TcpListener &operator=(TcpListener &&other) noexcept;
  TcpListener(const TcpListener &) = delete;
  TcpListener &operator=(const TcpListener &) = delete;
  ~TcpListener();

  // accept waits at most `timeout` for a connection (`timeout` error after).
  Result<TcpStream> accept(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  uint16_t port() const noexcept { return port_; }
  int fd() const noexcept { return fd_; }

 private:
  explicit TcpListener(int fd, uint16_t port) noexcept : fd_(fd), port_(port) {}
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace polytls

#endif  // POLYTLS_TCP_HPP
