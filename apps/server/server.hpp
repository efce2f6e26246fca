// server.hpp: the HTTPS server behind polytls-server and the menu. One
// event loop per thread (epoll over non-blocking TLS sessions), no thread
// per connection: idle and slow clients are timed out, a client that sends
// garbage or vanishes mid-handshake costs the others nothing, and stopping
// finishes the answers in flight.
#ifndef POLYTLS_APPS_SERVER_HPP
#define POLYTLS_APPS_SERVER_HPP

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http.hpp"
#include "polytls/polytls.hpp"

namespace polytls::server {

struct Options {
  std::string host = "127.0.0.1";  // an address or a name; "::1" and "::" for IPv6
  uint16_t port = 4433;            // 0: the system chooses (see Server::port)
  int threads = 1;                 // event loops, each on its own thread
  // root serves static files from this directory; without it (or when it
  // has no index.html) GET / answers the status page.
  std::optional<std::filesystem::path> root;
  http::Limits limits;
  std::chrono::milliseconds handshake_timeout{10000};  // connect to handshake done
  std::chrono::milliseconds request_timeout{10000};    // first byte of a request to its end
  std::chrono::milliseconds idle_timeout{15000};       // waiting for a request, or a slow reader
  std::chrono::milliseconds drain_timeout{5000};       // at stop, for answers in flight
  std::size_t max_connections = 4096;                  // per event loop; more are closed at once
  long hsts_max_age = 31536000;                        // Strict-Transport-Security max-age
  // log receives one line per request (the access log) and one per failed
  // connection; it is called from the event-loop threads, one at a time.
  // Empty: no log.
  std::function<void(const std::string &line)> log;
};

// Stats count what the server did since it started.
struct Stats {
  uint64_t accepted = 0;
  uint64_t handshakes = 0;          // completed
  uint64_t handshake_failures = 0;  // including timeouts and garbage
  uint64_t requests = 0;            // answered (any status)
  uint64_t timeouts = 0;            // connections closed for a timeout
  uint64_t open = 0;                // connections open now
};

// LocalIdentity is the certificate a server uses when none is given.
struct LocalIdentity {
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  bool made = false;  // made now (else reused from an earlier run)
  std::vector<Certificate> chain;
  std::optional<Key> key;  // always set on success
};

// local_identity_dir is where that certificate lives:
// $POLYTLS_STATE_DIR, else $XDG_STATE_HOME/polytls, else ~/.local/state/polytls.
std::filesystem::path local_identity_dir();

// local_identity loads the self-signed localhost certificate (SANs
// localhost, 127.0.0.1, ::1; RSA-2048, one year, as polytls-certgen makes by
// default) from `dir`, or makes it there (key mode 0600) when it is missing,
// expired, unreadable or does not match its key; `fresh` always makes a new one.
Result<LocalIdentity> local_identity(const Backend &backend, const std::filesystem::path &dir,
                                     bool fresh = false);

class Server {
 public:
  // start binds, then runs the event loops until stop(). `context` is a
  // server context; every connection is a session of it.
  static Result<std::unique_ptr<Server>> start(const TlsContext &context, Options options);

  ~Server();  // stops
  Server(const Server &) = delete;
  Server &operator=(const Server &) = delete;

  // port is the bound port (the chosen one when Options::port was 0).
  uint16_t port() const noexcept;
  // url is "https://127.0.0.1:4433/" ("https://[::1]:4433/" for IPv6).
  std::string url() const;
  // stop stops accepting, closes idle connections, lets the answers in
  // flight finish (at most drain_timeout), and returns when every event
  // loop has ended. Safe to call more than once.
  void stop();
  bool running() const noexcept;
  Stats stats() const;
  const Backend &backend() const noexcept;

  struct State;

 private:
  explicit Server(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace polytls::server

#endif  // POLYTLS_APPS_SERVER_HPP
