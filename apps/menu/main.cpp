// polytls-menu: the original exercise's text menu, done properly. It makes a
// certificate, runs the HTTPS server in this process, opens the page in a
// browser when there is one (else fetches it with the built-in client and
// shows what was negotiated), stops the server, and switches backend. It
// reads one choice per line, so it can be driven through a pipe.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iomanip>
#include <iostream>

#include "app.hpp"
#include "client.hpp"
#include "server.hpp"

extern char **environ;

namespace polytls::app {
namespace {

constexpr std::string_view kApp = "polytls-menu";

struct Options {
  BackendOptions backend;
  std::string host = "127.0.0.1";
  uint16_t port = 4433;
  std::string state_dir;
  bool no_browser = false;
};

// find_browser returns a program that opens a URL in the desktop's
// browser, when there is a desktop to show it on.
std::optional<std::string> find_browser() {
  const char *display = std::getenv("DISPLAY");
  const char *wayland = std::getenv("WAYLAND_DISPLAY");
  if ((display == nullptr || *display == '\0') && (wayland == nullptr || *wayland == '\0')) {
    return std::nullopt;
  }
  const char *path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  for (const char *name : {"xdg-open", "sensible-browser"}) {
    std::string_view dirs(path);
    while (!dirs.empty()) {
      const auto colon = dirs.find(':');
      const std::filesystem::path candidate =
          std::filesystem::path(std::string(dirs.substr(0, colon))) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
      if (colon == std::string_view::npos) break;
      dirs.remove_prefix(colon + 1);
    }
  }
  return std::nullopt;
}

// text_of renders an HTML page as lines of text (tags dropped, blank lines
// squeezed) for the terminal.
std::string text_of(std::string_view html) {
  std::string out, line;
  bool in_tag = false;
  auto flush = [&] {
    const auto first = line.find_first_not_of(" \t");
    if (first != std::string::npos) out += "    " + line.substr(first) + "\n";
    line.clear();
  };
  for (std::size_t i = 0; i < html.size(); ++i) {
    const char c = html[i];
    if (c == '<') {
      in_tag = true;
      // Block-level ends and table cells start a new line or a gap.
      const std::string_view rest = html.substr(i);
      if (rest.starts_with("</h") || rest.starts_with("</p") || rest.starts_with("</tr") ||
          rest.starts_with("<br") || rest.starts_with("</title")) {
        flush();
      } else if (rest.starts_with("<td")) {
        line += ": ";
      }
      continue;
    }
    if (c == '>') {
      in_tag = false;
      continue;
    }
    if (in_tag) continue;
    if (c == '\n') {
      flush();
      continue;
    }
    line += c;
  }
  flush();
  // Undo the few entities the server writes.
  for (auto [entity, ch] :
       {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}}) {
    for (auto at = out.find(entity); at != std::string::npos; at = out.find(entity, at + 1)) {
      out.replace(at, std::string_view(entity).size(), ch);
    }
  }
  return out;
}

class Menu {
 public:
  Menu(Options options, Backend backend)
      : o_(std::move(options)),
        backend_(std::move(backend)),
        dir_(o_.state_dir.empty() ? server::local_identity_dir()
                                  : std::filesystem::path(o_.state_dir)) {}

  int run() {
    std::cout << kApp << ": TLS on " << Registry::global().names().size()
              << " backends; choose one of the numbers below.\n";
    for (;;) {
      show();
      std::string line;
      if (!std::getline(std::cin, line)) {
        std::cout << "\nend of input: exiting\n";
        break;
      }
      const std::string choice = trim(line);
      if (choice.empty()) continue;
      if (choice == "0" || choice == "q" || choice == "quit" || choice == "exit") break;
      if (choice == "1") {
        generate();
      } else if (choice == "2") {
        start();
      } else if (choice == "3") {
        open_page();
      } else if (choice == "4") {
        stop();
      } else if (choice == "5") {
        if (!switch_backend()) break;
      } else if (choice == "6") {
        status();
      } else {
        std::cout << "'" << choice << "' is not a choice: type a number from 0 to 6.\n";
      }
    }
    stop();
    std::cout << kApp << ": bye\n";
    return kExitOk;
  }

 private:
  static std::string trim(const std::string &s) {
    const auto a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos) return {};
    return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
  }

  void show() {
    std::cout << "\n== polytls — backend " << backend_.name() << " (" << library_text(backend_)
              << "); server " << (server_ ? "running at " + server_->url() : "stopped") << " ==\n"
              << "  1) Generate a certificate (self-signed, localhost)\n"
              << "  2) Start the HTTPS server\n"
              << "  3) Open the page"
              << (find_browser() && !o_.no_browser ? " in the browser" : " (fetch it here)") << "\n"
              << "  4) Stop the server\n"
              << "  5) Switch backend\n"
              << "  6) Status\n"
              << "  0) Exit\n"
              << "choice> " << std::flush;
  }

  void error(const Error &e) { std::cout << "error: " << e.to_string() << "\n"; }

  void generate() {
    auto id = server::local_identity(backend_, dir_, true);
    if (!id) return error(id.error());
    auto info = id->chain.front().inspect();
    if (!info) return error(info.error());
    std::cout << "made a self-signed certificate with " << backend_.name() << " ("
              << library_text(backend_) << ")\n";
    print_certificate(std::cout, *info);
    std::cout << "  files        " << id->cert_file.string() << ", " << id->key_file.string()
              << " (mode 0600)\n";
    if (server_) std::cout << "(the running server keeps its certificate until restarted)\n";
  }

  void start() {
    if (server_) {
      std::cout << "the server is already running at " << server_->url() << "\n";
      return;
    }
    auto id = server::local_identity(backend_, dir_);
    if (!id) return error(id.error());
    if (id->made) std::cout << "no certificate yet: made one, " << id->cert_file.string() << "\n";
    TlsServerConfig config;
    config.chain = std::move(id->chain);
    config.key = std::move(id->key);
    config.alpn = {"http/1.1"};
    config.max_version =
        backend_.supports(Capability::tls13) ? TlsVersion::tls13 : TlsVersion::tls12;
    auto context = backend_.make_server_context(std::move(config));
    if (!context) return error(context.error());
    server::Options so;
    so.host = o_.host;
    so.port = o_.port;
    // The access log would interleave with the menu: keep failures only.
    so.log = [](const std::string &line) {
      if (line.find(" failed") != std::string::npos) std::cerr << "server: " << line << "\n";
    };
    auto s = server::Server::start(*context, std::move(so));
    if (!s) return error(s.error());
    server_ = std::move(s).value();
    cert_file_ = id->cert_file;
    std::cout << "the server is running at " << server_->url() << " with " << backend_.name()
              << "\n";
  }

  void open_page() {
    if (!server_) {
      std::cout << "the server is not running: start it first (2)\n";
      return;
    }
    const std::string url = server_->url();
    if (!o_.no_browser) {
      if (auto browser = find_browser()) {
        if (launch(*browser, url)) {
          std::cout << "opened " << url << " in the browser (" << *browser
                    << "); it will warn about the self-signed certificate unless you trust "
                    << cert_file_.string() << "\n";
          return;
        }
      }
    }
    client::FetchOptions fo;
    fo.url = url;
    fo.backend = backend_;
    fo.cacert = cert_file_.string();
    fo.timeout = std::chrono::seconds(20);
    auto r = client::fetch(fo);
    if (!r) return error(r.error());
    std::cout << "fetched " << url << " with the built-in client (" << backend_.name()
              << "), verifying against " << cert_file_.string() << "\n";
    std::cout << "  HTTP/1.1 " << r->head.status << " " << r->head.reason << "\n";
    if (r->session) {
      const SessionInfo &s = *r->session;
      std::cout << "  negotiated   " << to_string(s.version) << ", " << s.cipher_suite_name;
      if (!s.group_name.empty()) std::cout << ", " << s.group_name;
      if (!s.alpn.empty()) std::cout << ", ALPN " << s.alpn;
      std::cout << "\n";
    }
    std::cout << "  the page says:\n" << text_of(r->body);
  }

  // launch starts the browser without a shell and without waiting for it.
  static bool launch(const std::string &program, const std::string &url) {
    pid_t pid = 0;
    std::vector<char *> argv = {const_cast<char *>(program.c_str()),
                                const_cast<char *>(url.c_str()), nullptr};
    if (::posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      return false;
    }
    // xdg-open returns once the browser is handed the URL; reap it then.
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

  void stop() {
    if (!server_) return;
    server_->stop();
    const server::Stats st = server_->stats();
    std::cout << "the server stopped (" << st.requests << " requests on " << st.accepted
              << " connections)\n";
    server_.reset();
  }

  // switch_backend returns false at end of input.
  bool switch_backend() {
    const std::vector<Backend> all = Registry::global().backends();
    std::cout << "backends:\n";
    for (std::size_t i = 0; i < all.size(); ++i) {
      std::cout << "  " << i + 1 << ") " << std::left << std::setw(9) << all[i].name() << " "
                << library_text(all[i]) << (all[i].origin() == "built-in" ? "" : ", plugin")
                << (all[i].name() == backend_.name() ? "  (current)" : "") << "\n";
    }
    std::cout << "backend> " << std::flush;
    std::string line;
    if (!std::getline(std::cin, line)) return false;
    const std::string choice = trim(line);
    std::optional<Backend> picked;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (choice == std::to_string(i + 1) || choice == all[i].name()) picked = all[i];
    }
    if (!picked) {
      std::cout << "'" << choice << "' is not a backend; still " << backend_.name() << "\n";
      return true;
    }
    if (server_) {
      std::cout << "stopping the server, which runs on " << backend_.name() << "\n";
      stop();
    }
    backend_ = *picked;
    std::cout << "now using " << backend_.name() << " (" << library_text(backend_) << ")\n";
    return true;
  }

  void status() {
    std::cout << "backend      " << backend_.name() << " (" << library_text(backend_) << ", "
              << backend_.origin() << ")\n";
    if (server_) {
      const server::Stats st = server_->stats();
      std::cout << "server       running at " << server_->url() << ": " << st.requests
                << " requests, " << st.open << " connections open\n";
    } else {
      std::cout << "server       stopped\n";
    }
    const auto cert = dir_ / "localhost-cert.pem";
    auto certs = backend_.load_certificates_file(cert);
    if (certs && !certs->empty()) {
      auto info = certs->front().inspect();
      std::cout << "certificate  " << cert.string();
      if (info) std::cout << " (" << info->subject.to_string() << ")";
      std::cout << "\n";
    } else {
      std::cout << "certificate  none yet in " << dir_.string() << " (1 makes one)\n";
    }
  }

  Options o_;
  Backend backend_;
  std::filesystem::path dir_;
  std::unique_ptr<server::Server> server_;
  std::filesystem::path cert_file_;
};

int run(int argc, char **argv) {
  CLI::App cli{
      "polytls-menu: make a certificate, run the HTTPS server, open its page and switch\n"
      "backends from a text menu. One choice per line on standard input, so it can be\n"
      "scripted: printf '2\\n3\\n0\\n' | polytls-menu. End of input exits; exiting always\n"
      "stops the server.",
      "polytls-menu"};
  cli.get_formatter()->column_width(30);
  Options o;
  add_backend_options(cli, o.backend);
  cli.add_option("--host", o.host, "Address the server listens on (default 127.0.0.1)");
  cli.add_option("--port", o.port, "Port of the server (default 4433; 0: any free port)");
  cli.add_option("--state-dir", o.state_dir,
                 "Where the certificate lives (default $POLYTLS_STATE_DIR or "
                 "~/.local/state/polytls)")
      ->type_name("DIR");
  cli.add_flag("--no-browser", o.no_browser, "Never open a browser; fetch the page here");
  if (auto end = parse_command_line(cli, argc, argv)) return *end;
  if (auto end = load_and_list(kApp, o.backend)) return *end;
  auto backend = choose_backend(o.backend);
  if (!backend) return fail(kApp, backend.error());
  // A browser or client that goes away must not kill the menu.
  ::signal(SIGPIPE, SIG_IGN);
  Menu menu(std::move(o), *backend);
  return menu.run();
}

}  // namespace
}  // namespace polytls::app

int main(int argc, char **argv) {
  return polytls::app::run(argc, argv);
}
