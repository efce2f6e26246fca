// server.cpp: event loops over non-blocking TLS sessions.
#include "server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace polytls::server {
namespace {

using Clock = std::chrono::steady_clock;

// How much one connection may do before the loop turns to the others.
constexpr int kRequestsPerTurn = 16;
constexpr int kAcceptsPerTurn = 64;
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kMaxFileBytes = 64u << 20;

enum class Phase { handshake, read, write, close };

struct Connection {
  Connection(int fd_in, std::string peer_in, Session session_in)
      : fd(fd_in), peer(std::move(peer_in)), session(std::move(session_in)) {}
  int fd;
  std::string peer;
  Session session;
  Phase phase = Phase::handshake;
  uint32_t interest = EPOLLIN;
  Clock::time_point deadline;
  std::string in;           // received plaintext not yet used
  std::size_t discard = 0;  // request body bytes still to skip
  bool request_started = false;
  Clock::time_point request_at;
  std::string out;  // the answer being written
  std::size_t out_at = 0;
  bool close_after = false;
  std::string log_line;  // the access-log line of that answer, without the time
  std::string tls;       // "TLS 1.3", after the handshake
};

std::string millis(Clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fms", std::chrono::duration<double, std::milli>(d).count());
  return buf;
}

std::string hex16(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

}  // namespace

struct Server::State {
  TlsContext context;
  Backend backend;
  Options options;
  std::optional<TcpListener> listener;  // reset at stop: new connections are refused
  int listen_fd;
  uint16_t port;
  std::string url;
  std::atomic<bool> stopping{false};
  std::atomic<bool> running{true};
  std::mutex stop_mutex;
  std::vector<int> wake_fds;  // one eventfd per event loop
  std::vector<std::thread> threads;
  std::mutex log_mutex;
  struct {
    std::atomic<uint64_t> accepted{0}, handshakes{0}, handshake_failures{0}, requests{0},
        timeouts{0}, open{0};
  } counters;

  State(TlsContext c, Options o, TcpListener l)
      : context(std::move(c)),
        backend(context.backend()),
        options(std::move(o)),
        listener(std::move(l)),
        listen_fd(listener->fd()),
        port(listener->port()) {}

  void log(const std::string &line) {
    if (!options.log) return;
    std::lock_guard lock(log_mutex);
    options.log(line);
  }
};

namespace {

// Loop is one event loop: its own epoll set and connections.
class Loop {
 public:
  Loop(Server::State &state, int wake_fd) : s_(state), wake_fd_(wake_fd) {}
  ~Loop() {
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }

  Result<void> init() {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return Error(ErrorCode::io, std::string("epoll: ") + std::strerror(errno));
    // Every loop waits on the one listening socket; EPOLLEXCLUSIVE wakes
    // one of them per connection rather than all.
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.fd = s_.listen_fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, s_.listen_fd, &ev) != 0) {
      return Error(ErrorCode::io, std::string("epoll: ") + std::strerror(errno));
    }
    ev = {};
    ev.events = EPOLLIN;
    ev.data.fd = wake_fd_;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
      return Error(ErrorCode::io, std::string("epoll: ") + std::strerror(errno));
    }
    return ok();
  }

  void run() {
    std::vector<epoll_event> events(256);
    bool draining = false;
    Clock::time_point drain_deadline{};
    Clock::time_point next_sweep = Clock::now();
    for (;;) {
      if (!draining && s_.stopping.load()) {
        draining = true;
        drain_deadline = Clock::now() + s_.options.drain_timeout;
        start_draining();
      }
      if (draining && (conns_.empty() || Clock::now() >= drain_deadline)) break;

      const int timeout_ms = ready_.empty() ? 100 : 0;
      const int n =
          ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
      if (n < 0 && errno != EINTR) {
        s_.log(std::string("event loop failed: ") + std::strerror(errno));
        break;
      }
      for (int i = 0; i < n; ++i) {
        const int fd = events[static_cast<std::size_t>(i)].data.fd;
        if (fd == wake_fd_) {
          uint64_t v;
          [[maybe_unused]] ssize_t r = ::read(wake_fd_, &v, sizeof v);
          continue;
        }
        if (fd == s_.listen_fd) {
          if (!draining) accept_some();
          continue;
        }
        turn(fd);
      }
      // Connections that used their turn with work left (bytes buffered in
      // the TLS library, pipelined requests) go again.
      std::vector<int> ready;
      ready.swap(ready_);
      for (int fd : ready)
        turn(fd);

      const auto now = Clock::now();
      if (now >= next_sweep) {
        sweep(now);
        next_sweep = now + std::chrono::milliseconds(100);
      }
    }
    for (auto &[fd, c] : conns_) {
      (void)c->session.close();  // best effort: close_notify
      s_.counters.open--;
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    }
    conns_.clear();
  }

 private:
  void accept_some() {
    for (int i = 0; i < kAcceptsPerTurn; ++i) {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      const int fd = ::accept4(s_.listen_fd, reinterpret_cast<sockaddr *>(&ss), &len,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          s_.log(std::string("accept: ") + std::strerror(errno));
        }
        return;
      }
      s_.counters.accepted++;
      auto stream = std::make_unique<TcpStream>(fd);
      const std::string peer = stream->peer_address();
      if (conns_.size() >= s_.options.max_connections) {
        s_.log(peer + " refused: " + std::to_string(conns_.size()) + " connections are open");
        continue;  // the stream closes the socket
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (auto r = stream->set_blocking(false); !r) {
        s_.log(peer + " " + r.error().to_string());
        continue;
      }
      auto session = s_.context.accept(std::move(stream));
      if (!session) {
        s_.log(peer + " " + s_.backend.name() +
               " cannot start a session: " + session.error().to_string());
        continue;
      }
      auto conn = std::make_unique<Connection>(fd, peer, std::move(session).value());
      conn->deadline = Clock::now() + s_.options.handshake_timeout;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
        s_.log(peer + " epoll: " + std::strerror(errno));
        continue;
      }
      s_.counters.open++;
      conns_.emplace(fd, std::move(conn));
      turn(fd);
    }
  }

  void turn(int fd) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    if (!advance(*it->second)) destroy(it);
  }

  void destroy(std::unordered_map<int, std::unique_ptr<Connection>>::iterator it) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->first, nullptr);
    conns_.erase(it);  // the session's transport closes the socket
    s_.counters.open--;
  }

  void want(Connection &c, uint32_t events) {
    if (c.interest == events) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = c.fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.interest = events;
  }

  // wait_for sets the interest a want_read/want_write status asks for.
  void wait_for(Connection &c, ErrorCode code) {
    want(c, code == ErrorCode::want_write ? EPOLLOUT : EPOLLIN);
  }

  static bool is_want(const Error &e) {
    return e.code() == ErrorCode::want_read || e.code() == ErrorCode::want_write;
  }

  // advance moves a connection as far as it can go now; false: drop it.
  bool advance(Connection &c) {
    int requests = 0;
    for (;;) {
      switch (c.phase) {
        case Phase::handshake: {
          auto r = c.session.handshake();
          if (!r) {
            if (is_want(r.error())) {
              wait_for(c, r.error().code());
              return true;
            }
            s_.counters.handshake_failures++;
            s_.log(c.peer + " " + s_.backend.name() +
                   " handshake failed: " + r.error().to_string());
            return false;
          }
          s_.counters.handshakes++;
          if (auto info = c.session.info()) c.tls = std::string(to_string(info->version));
          c.phase = Phase::read;
          c.deadline = Clock::now() + s_.options.idle_timeout;
          break;
        }
        case Phase::read: {
          if (requests == kRequestsPerTurn) {
            ready_.push_back(c.fd);
            return true;
          }
          if (s_.stopping.load() && !c.request_started && c.in.empty() && c.discard == 0) {
            c.phase = Phase::close;  // idle at shutdown: close now
            break;
          }
          if (c.discard > 0 && !c.in.empty()) {
            const std::size_t n = std::min(c.discard, c.in.size());
            c.in.erase(0, n);
            c.discard -= n;
          }
          if (c.discard == 0 && !c.in.empty()) {
            if (!c.request_started) {
              c.request_started = true;
              c.request_at = Clock::now();
              c.deadline = c.request_at + s_.options.request_timeout;
            }
            http::ParseResult p = http::parse_request(c.in, s_.options.limits);
            if (p.status == http::ParseStatus::complete) {
              c.in.erase(0, p.consumed);
              c.discard = p.request.content_length;
              respond(c, p.request);
              ++requests;
              break;
            }
            if (p.status == http::ParseStatus::error) {
              refuse(c, p.error_status, p.error, p.request);
              break;
            }
          }
          uint8_t buf[kReadChunk];
          auto r = c.session.read(buf);
          if (r) {
            c.in.append(reinterpret_cast<const char *>(buf), *r);
            break;
          }
          if (is_want(r.error())) {
            wait_for(c, r.error().code());
            return true;
          }
          if (r.error().code() == ErrorCode::peer_closed) {
            c.phase = Phase::close;  // answer close_notify
            break;
          }
          if (c.request_started || !c.in.empty()) {
            s_.log(c.peer + " " + s_.backend.name() + " connection lost: " + r.error().to_string());
          }
          return false;
        }
        case Phase::write: {
          if (c.out_at == c.out.size()) {
            finish_answer(c);
            break;
          }
          const auto *data = reinterpret_cast<const uint8_t *>(c.out.data()) + c.out_at;
          auto r = c.session.write({data, c.out.size() - c.out_at});
          if (r) {
            c.out_at += *r;
            break;
          }
          if (is_want(r.error())) {
            wait_for(c, r.error().code());
            return true;
          }
          s_.log(c.peer + " " + s_.backend.name() + " write failed: " + r.error().to_string());
          return false;
        }
        case Phase::close: {
          auto r = c.session.close();
          if (!r && r.error().code() == ErrorCode::want_write) {
            want(c, EPOLLOUT);
            return true;
          }
          return false;
        }
      }
    }
  }

  // finish_answer logs the answer just written and waits for the next request.
  void finish_answer(Connection &c) {
    s_.counters.requests++;
    s_.log(c.log_line + " " + millis(Clock::now() - c.request_at));
    c.out.clear();
    c.out_at = 0;
    c.request_started = false;
    if (c.close_after || s_.stopping.load()) {
      c.phase = Phase::close;
      return;
    }
    c.phase = Phase::read;
    c.deadline = Clock::now() + s_.options.idle_timeout;
  }

  void queue(Connection &c, const http::Response &response, const http::Request &request,
             bool keep_alive, bool head_only) {
    http::Response r = response;
    r.headers.push_back(
        {"Strict-Transport-Security", "max-age=" + std::to_string(s_.options.hsts_max_age)});
    r.headers.push_back({"Server", "polytls-server (" + s_.backend.name() + ")"});
    c.close_after = !keep_alive || s_.stopping.load();
    c.out = http::serialize(r, !c.close_after, head_only);
    c.out_at = 0;
    const std::string line = request.method.empty()
                                 ? "-"
                                 : request.method + " " + request.target + " HTTP/1." +
                                       std::to_string(request.minor_version);
    c.log_line = c.peer + " " + s_.backend.name() + " " + (c.tls.empty() ? "-" : c.tls) + " \"" +
                 line + "\" " + std::to_string(r.status) + " " +
                 std::to_string(head_only ? 0 : r.body.size());
    c.phase = Phase::write;
    c.deadline = Clock::now() + s_.options.idle_timeout;
  }

  void refuse(Connection &c, int status, const std::string &why, const http::Request &request) {
    queue(c, http::error_response(status, why), request, false, false);
  }

  void respond(Connection &c, const http::Request &request) {
    const bool head = request.method == "HEAD";
    if (request.method != "GET" && !head) {
      http::Response r = http::error_response(405, "this server answers GET and HEAD");
      r.headers.push_back({"Allow", "GET, HEAD"});
      // A request body we would have to read is skipped (c.discard).
      return queue(c, r, request, request.keep_alive, false);
    }
    if (s_.options.root) {
      auto file = http::resolve_static(*s_.options.root, request.path);
      if (file) {
        auto bytes = read_file(*file, kMaxFileBytes);
        if (!bytes) {
          return queue(c, http::error_response(500, "cannot read the file"), request,
                       request.keep_alive, head);
        }
        http::Response r;
        r.headers.push_back({"Content-Type", std::string(http::content_type(*file))});
        r.body.assign(bytes->begin(), bytes->end());
        return queue(c, r, request, request.keep_alive, head);
      }
      if (file.error().code() == ErrorCode::bad_input) {
        return queue(c, http::error_response(400, file.error().message()), request,
                     request.keep_alive, head);
      }
      if (request.path != "/") {
        return queue(c, http::error_response(404), request, request.keep_alive, head);
      }
    } else if (request.path != "/" && request.path != "/index.html") {
      return queue(c, http::error_response(404), request, request.keep_alive, head);
    }
    queue(c, status_page(c), request, request.keep_alive, head);
  }

  http::Response status_page(Connection &c) {
    const Capabilities &caps = s_.backend.capabilities();
    auto info = c.session.info();
    auto row = [](const char *id, const char *label, const std::string &value) {
      return std::string("<tr><th>") + label + "</th><td id=\"" + id + "\">" +
             http::html_escape(value) + "</td></tr>\n";
    };
    std::string rows;
    if (info) {
      rows += row("version", "TLS version", std::string(to_string(info->version)));
      rows += row("cipher-suite", "Cipher suite",
                  info->cipher_suite_name + " (" + hex16(info->cipher_suite) + ")");
      rows +=
          row("group", "Key exchange group",
              info->group_name.empty() ? "not reported by " + caps.library_name : info->group_name);
      rows += row("alpn", "ALPN", info->alpn.empty() ? "none" : info->alpn);
      rows += row("resumed", "Resumed session", info->resumed ? "yes" : "no");
      rows +=
          row("sni", "Server name (SNI)", info->server_name.empty() ? "none" : info->server_name);
    }
    rows += row("client", "Client", c.peer);
    http::Response r;
    r.headers.push_back({"Content-Type", "text/html; charset=utf-8"});
    r.headers.push_back({"Cache-Control", "no-store"});
    r.body =
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
        "<title>polytls-server: up and secure</title></head>\n<body>\n"
        "<h1>polytls-server is up, and this connection is secure</h1>\n"
        "<p>Served by the <b id=\"backend\">" +
        http::html_escape(s_.backend.name()) + "</b> backend (<span id=\"library\">" +
        http::html_escape(caps.library_name + " " + caps.runtime_version) +
        "</span>).</p>\n<table id=\"negotiated\">\n" + rows + "</table>\n</body>\n</html>\n";
    return r;
  }

  void start_draining() {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, s_.listen_fd, nullptr);
    std::vector<int> fds;
    for (auto &[fd, c] : conns_)
      fds.push_back(fd);
    for (int fd : fds)
      turn(fd);  // idle connections close; others finish
  }

  void sweep(Clock::time_point now) {
    std::vector<int> expired;
    for (auto &[fd, c] : conns_) {
      if (now >= c->deadline) expired.push_back(fd);
    }
    for (int fd : expired) {
      auto it = conns_.find(fd);
      Connection &c = *it->second;
      s_.counters.timeouts++;
      switch (c.phase) {
        case Phase::handshake:
          s_.counters.handshake_failures++;
          s_.log(c.peer + " " + s_.backend.name() + " handshake timed out");
          destroy(it);
          break;
        case Phase::read:
          if (c.request_started) {
            refuse(c, 408, "the request took too long", {});
            turn(fd);
          } else {
            c.phase = Phase::close;  // idle keep-alive connection
            turn(fd);
          }
          break;
        case Phase::write:
        case Phase::close:
          s_.log(c.peer + " " + s_.backend.name() + " timed out while writing");
          destroy(it);
          break;
      }
    }
  }

  Server::State &s_;
  int wake_fd_;
  int epoll_fd_ = -1;
  std::unordered_map<int, std::unique_ptr<Connection>> conns_;
  std::vector<int> ready_;
};

}  // namespace

Server::Server(std::unique_ptr<State> state) : state_(std::move(state)) {}

Server::~Server() {
  stop();
}

Result<std::unique_ptr<Server>> Server::start(const TlsContext &context, Options options) {
  if (!context.is_server()) {
    return Error(ErrorCode::bad_input, "the server needs a server TLS context");
  }
  if (options.threads < 1 || options.threads > 256) {
    return Error(ErrorCode::bad_input, "threads must be between 1 and 256");
  }
  POLYTLS_TRY(TcpListener listener, TcpListener::bind(options.host, options.port, 1024));
  const int flags = ::fcntl(listener.fd(), F_GETFL);
  if (flags < 0 || ::fcntl(listener.fd(), F_SETFL, flags | O_NONBLOCK) != 0) {
    return Error(ErrorCode::io, std::string("listening socket: ") + std::strerror(errno));
  }
  auto state = std::make_unique<State>(context, std::move(options), std::move(listener));
  const std::string host = state->options.host;
  state->url = "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
               std::to_string(state->port) + "/";

  std::vector<std::unique_ptr<Loop>> loops;
  for (int i = 0; i < state->options.threads; ++i) {
    const int wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake < 0) {
      for (int fd : state->wake_fds)
        ::close(fd);
      return Error(ErrorCode::io, std::string("eventfd: ") + std::strerror(errno));
    }
    state->wake_fds.push_back(wake);
    auto loop = std::make_unique<Loop>(*state, wake);
    if (auto r = loop->init(); !r) {
      for (int fd : state->wake_fds)
        ::close(fd);
      return r.error();
    }
    loops.push_back(std::move(loop));
  }
  for (auto &loop : loops) {
    state->threads.emplace_back([l = std::move(loop)]() { l->run(); });
  }
  return std::unique_ptr<Server>(new Server(std::move(state)));
}

uint16_t Server::port() const noexcept {
  return state_->port;
}

std::string Server::url() const {
  return state_->url;
}

void Server::stop() {
  if (!state_) return;
  std::lock_guard lock(state_->stop_mutex);
  if (!state_->running.load()) return;
  state_->stopping.store(true);
  for (int fd : state_->wake_fds) {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t r = ::write(fd, &one, sizeof one);
  }
  for (auto &t : state_->threads)
    t.join();
  for (int fd : state_->wake_fds)
    ::close(fd);
  state_->wake_fds.clear();
  state_->running.store(false);
}

bool Server::running() const noexcept {
  return state_->running.load();
}

Stats Server::stats() const {
  const auto &c = state_->counters;
  return {c.accepted.load(), c.handshakes.load(), c.handshake_failures.load(),
          c.requests.load(), c.timeouts.load(),   c.open.load()};
}

const Backend &Server::backend() const noexcept {
  return state_->backend;
}

}  // namespace polytls::server
