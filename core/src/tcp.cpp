#include "polytls/tcp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <string>

#include "text.hpp"

namespace polytls {
namespace {

using Clock = std::chrono::steady_clock;

using detail::cat;
using detail::Decimal;

// sys_error is "<what><where>: <strerror(err)>", with errno `err` as the library code.
Error sys_error(ErrorCode code, std::string_view what, int err, std::string_view where = {}) {
  return Error(code, cat({what, where, ": ", std::strerror(err)}), {}, err);
}

std::string render(const sockaddr *addr) {
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (addr->sa_family == AF_INET) {
    const auto *in = reinterpret_cast<const sockaddr_in *>(addr);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    return cat({host, ":", Decimal(port)});
  }
  if (addr->sa_family == AF_INET6) {
    const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
    return cat({"[", host, "]:", Decimal(port)});
  }
  return host;
}

Result<void> set_nonblocking(int fd, bool nonblocking) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags < 0) return sys_error(ErrorCode::io, "fcntl", errno);
  const int wanted = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (::fcntl(fd, F_SETFL, wanted) != 0) return sys_error(ErrorCode::io, "fcntl", errno);
  return ok();
}

// wait_for polls `fd` for `events` until `deadline`: true when ready.
Result<bool> wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return sys_error(ErrorCode::io, "poll", errno);
  }
}

// AddrInfo owns a getaddrinfo list.
struct AddrInfo {
  addrinfo *list = nullptr;
  AddrInfo() = default;
  AddrInfo(AddrInfo &&other) noexcept : list(std::exchange(other.list, nullptr)) {}
  AddrInfo &operator=(AddrInfo &&) = delete;
  AddrInfo(const AddrInfo &) = delete;
  ~AddrInfo() {
    if (list != nullptr) ::freeaddrinfo(list);
  }
};

// is_localhost: "localhost" or a name under it, in any case.
bool is_localhost(std::string_view name) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char &c : out)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string n = lower(name.ends_with('.') ? detail::slice(name, 0, name.size() - 1) : name);
  return n == "localhost" || detail::ends_with(n, ".localhost");
}

Result<AddrInfo> resolve(std::string_view host, uint16_t port, bool passive) {
  std::string_view bare = host;
  if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']') {
    bare = detail::slice(bare, 1, bare.size() - 2);
  }
  const std::string name(bare);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  AddrInfo info;
  const Decimal service(port);
  const char *node = name.empty() ? nullptr : name.c_str();
  if (is_localhost(name)) {
    // RFC 6761 section 6.3: "localhost" names are the loopback addresses,
    // answered here without asking the resolver (as curl does), so they work
    // on a machine with no /etc/hosts. A null node without AI_PASSIVE is the
    // loopback; listening on "localhost" means 127.0.0.1.
    node = nullptr;
    hints.ai_flags &= ~AI_PASSIVE;
    if (passive) hints.ai_family = AF_INET;
  }
  const int rc = ::getaddrinfo(node, service.c_str(), &hints, &info.list);
  if (rc != 0) {
    return Error(ErrorCode::not_found, cat({"cannot resolve '", host, "': ", ::gai_strerror(rc)}));
  }
  return info;
}

}  // namespace

Result<TcpStream> TcpStream::connect(std::string_view host, uint16_t port,
                                     std::chrono::milliseconds timeout) {
  POLYTLS_TRY(AddrInfo info, resolve(host, port, false));
  const auto deadline = Clock::now() + timeout;
  Error last(ErrorCode::io, "no address to connect to");
  for (const addrinfo *ai = info.list; ai != nullptr; ai = ai->ai_next) {
    const int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      last = sys_error(ErrorCode::io, "socket", errno);
      continue;
    }
    TcpStream stream(fd);
    const std::string where = render(ai->ai_addr);
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        last = sys_error(ErrorCode::io, "cannot connect to ", errno, where);
        continue;
      }
      POLYTLS_TRY(bool ready, wait_for(fd, POLLOUT, deadline));
      if (!ready) return Error(ErrorCode::timeout, cat({"connecting to ", where, " timed out"}));
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        last = sys_error(ErrorCode::io, "cannot connect to ", err, where);
        continue;
      }
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return stream;
  }
  return last;
}

TcpStream::TcpStream(int fd) noexcept : fd_(fd) {}

TcpStream::TcpStream(TcpStream &&other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      blocking_(other.blocking_),
      io_timeout_(other.io_timeout_) {}

TcpStream &TcpStream::operator=(TcpStream &&other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    blocking_ = other.blocking_;
    io_timeout_ = other.io_timeout_;
  }
  return *this;
}

TcpStream::~TcpStream() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> TcpStream::set_blocking(bool blocking) {
  // The socket itself is always non-blocking; blocking mode waits with poll
  // so that every wait is bounded by io_timeout.
  POLYTLS_CHECK(set_nonblocking(fd_, true));
  blocking_ = blocking;
  return ok();
}

Result<std::size_t> TcpStream::send(std::span<const uint8_t> data) {
  const auto deadline = Clock::now() + io_timeout_;
  for (;;) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      const int err = errno;
      const ErrorCode code =
          err == EPIPE || err == ECONNRESET ? ErrorCode::peer_closed : ErrorCode::io;
      return sys_error(code, "send to ", err, peer_address());
    }
    if (!blocking_) return Error(ErrorCode::want_write, {});
    POLYTLS_TRY(bool ready, wait_for(fd_, POLLOUT, deadline));
    if (!ready)
      return Error(ErrorCode::timeout, cat({"sending to ", peer_address(), " timed out"}));
  }
}

Result<std::size_t> TcpStream::recv(std::span<uint8_t> buffer) {
  const auto deadline = Clock::now() + io_timeout_;
  for (;;) {
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      if (errno == ECONNRESET) return std::size_t{0};  // the peer is gone: end of stream
      const int err = errno;
      return sys_error(ErrorCode::io, "receive from ", err, peer_address());
    }
    if (!blocking_) return Error(ErrorCode::want_read, {});
    POLYTLS_TRY(bool ready, wait_for(fd_, POLLIN, deadline));
    if (!ready) {
      return Error(ErrorCode::timeout, cat({"nothing received from ", peer_address(), " in time"}));
    }
  }
}

Result<void> TcpStream::shutdown_write() {
  if (::shutdown(fd_, SHUT_WR) != 0) return sys_error(ErrorCode::io, "shutdown", errno);
  return ok();
}

std::string TcpStream::peer_address() const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd_, reinterpret_cast<sockaddr *>(&addr), &len) != 0) return "?";
  return render(reinterpret_cast<const sockaddr *>(&addr));
}

Result<TcpListener> TcpListener::bind(std::string_view host, uint16_t port, int backlog) {
  POLYTLS_TRY(AddrInfo info, resolve(host, port, true));
  Error last(ErrorCode::io, "no address to listen on");
  for (const addrinfo *ai = info.list; ai != nullptr; ai = ai->ai_next) {
    const int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      last = sys_error(ErrorCode::io, "socket", errno);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    const std::string where = render(ai->ai_addr);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, backlog) != 0) {
      last = sys_error(ErrorCode::io, "cannot listen on ", errno, where);
      ::close(fd);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &len);
    const uint16_t actual = bound.ss_family == AF_INET6
                                ? ntohs(reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port)
                                : ntohs(reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
    return TcpListener(fd, actual);
  }
  return last;
}

TcpListener::TcpListener(TcpListener &&other) noexcept
    : fd_(std::exchange(other.fd_, -1)), port_(other.port_) {}

TcpListener &TcpListener::operator=(TcpListener &&other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    port_ = other.port_;
  }
  return *this;
}

TcpListener::~TcpListener() {
  if (fd_ >= 0) ::close(fd_);
}

Result<TcpStream> TcpListener::accept(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return TcpStream(fd);
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return sys_error(ErrorCode::io, "accept", errno);
    POLYTLS_TRY(bool ready, wait_for(fd_, POLLIN, deadline));
    if (!ready) return Error(ErrorCode::timeout, "no connection arrived in time");
  }
}

}  // namespace polytls
