// polytls_tiny_client HOST PORT CA_FILE: the smallest useful polytls client,
// for the size comparison of docs/embedded.md. It does exactly what
// mbedtls_client.c does, through the polytls C++ API: connect over TCP, TLS
// 1.2, verify the server against CA_FILE and HOST, send "GET / HTTP/1.0",
// print the whole answer (head and body) to the standard output.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>

#include "polytls/registry.hpp"
#include "polytls/tcp.hpp"
#include "polytls/tls.hpp"

namespace {

int fail(const polytls::Error &error) {
  std::fprintf(stderr, "polytls_tiny_client: %s\n", error.to_string().c_str());
  return 1;
}

int run(const std::string &host, uint16_t port, const char *ca_file) {
  auto backend = polytls::default_backend();
  if (!backend) return fail(backend.error());
  auto anchors = backend->load_certificates_file(ca_file);
  if (!anchors) return fail(anchors.error());

  polytls::TlsClientConfig config;
  config.anchors = std::move(*anchors);
  config.min_version = polytls::TlsVersion::tls12;
  config.max_version = polytls::TlsVersion::tls12;
  auto context = backend->make_client_context(std::move(config));
  if (!context) return fail(context.error());

  auto stream = polytls::TcpStream::connect(host, port);
  if (!stream) return fail(stream.error());
  polytls::ClientSessionOptions options;
  options.host = host;
  auto session =
      context->connect(std::make_unique<polytls::TcpStream>(std::move(*stream)), options);
  if (!session) return fail(session.error());
  if (auto done = session->handshake(); !done) return fail(done.error());

  const std::string request = "GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
  auto sent = session->write_all(
      std::span(reinterpret_cast<const uint8_t *>(request.data()), request.size()));
  if (!sent) return fail(sent.error());

  uint8_t buffer[4096];
  for (;;) {
    auto n = session->read(buffer);
    if (!n) {
      if (n.error().code() == polytls::ErrorCode::peer_closed) break;
      return fail(n.error());
    }
    std::fwrite(buffer, 1, *n, stdout);
  }
  (void)session->close();
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: polytls_tiny_client HOST PORT CA_FILE\n");
    return 2;
  }
  return run(argv[1], static_cast<uint16_t>(std::atoi(argv[2])), argv[3]);
}
