/* mbedtls_client HOST PORT CA_FILE: the reference for the size comparison of
 * docs/embedded.md, in plain C on Mbed TLS alone. It does exactly what
 * polytls_tiny_client.cpp does: connect over TCP, TLS 1.2, verify the server
 * against CA_FILE and HOST, send "GET / HTTP/1.0", print the whole answer
 * (head and body) to the standard output. */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what, int rc) {
  char text[128];
  mbedtls_strerror(rc, text, sizeof text);
  fprintf(stderr, "mbedtls_client: %s: %s (-0x%04x)\n", what, text, (unsigned)-rc);
  return 1;
}

static int run(const char *host, const char *port, const char *ca_file, mbedtls_net_context *net,
               mbedtls_entropy_context *entropy, mbedtls_ctr_drbg_context *drbg,
               mbedtls_x509_crt *ca, mbedtls_ssl_config *conf, mbedtls_ssl_context *ssl) {
  static const char personalisation[] = "mbedtls_client";
  int rc = mbedtls_ctr_drbg_seed(drbg, mbedtls_entropy_func, entropy,
                                 (const unsigned char *)personalisation, strlen(personalisation));
  if (rc != 0) return fail("seeding the random generator", rc);
  rc = mbedtls_x509_crt_parse_file(ca, ca_file);
  if (rc != 0) return fail("reading the CA file", rc);

  rc = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                   MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) return fail("mbedtls_ssl_config_defaults", rc);
  mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_chain(conf, ca, NULL);
  mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, drbg);
  rc = mbedtls_ssl_setup(ssl, conf);
  if (rc != 0) return fail("mbedtls_ssl_setup", rc);
  rc = mbedtls_ssl_set_hostname(ssl, host);
  if (rc != 0) return fail("mbedtls_ssl_set_hostname", rc);

  /* "localhost" is the loopback (RFC 6761), without asking the resolver:
   * polytls's TCP transport does the same, so both work with no /etc/hosts. */
  const char *address = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
  rc = mbedtls_net_connect(net, address, port, MBEDTLS_NET_PROTO_TCP);
  if (rc != 0) return fail("connecting", rc);
  mbedtls_ssl_set_bio(ssl, net, mbedtls_net_send, mbedtls_net_recv, NULL);
  while ((rc = mbedtls_ssl_handshake(ssl)) != 0) {
    if (rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE) {
      return fail("the handshake", rc);
    }
  }

  char request[512];
  const int len = snprintf(request, sizeof request, "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", host);
  if (len < 0 || (size_t)len >= sizeof request) return fail("the host name is too long", 0);
  size_t sent = 0;
  while (sent < (size_t)len) {
    rc = mbedtls_ssl_write(ssl, (const unsigned char *)request + sent, (size_t)len - sent);
    if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
    if (rc < 0) return fail("sending the request", rc);
    sent += (size_t)rc;
  }

  unsigned char buffer[4096];
  for (;;) {
    rc = mbedtls_ssl_read(ssl, buffer, sizeof buffer);
    if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
    if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == 0) break;
    if (rc < 0) return fail("reading the answer", rc);
    fwrite(buffer, 1, (size_t)rc, stdout);
  }
  mbedtls_ssl_close_notify(ssl);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: mbedtls_client HOST PORT CA_FILE\n");
    return 2;
  }
  mbedtls_net_context net;
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_x509_crt ca;
  mbedtls_ssl_config conf;
  mbedtls_ssl_context ssl;
  mbedtls_net_init(&net);
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  mbedtls_x509_crt_init(&ca);
  mbedtls_ssl_config_init(&conf);
  mbedtls_ssl_init(&ssl);
  const int status = run(argv[1], argv[2], argv[3], &net, &entropy, &drbg, &ca, &conf, &ssl);
  mbedtls_ssl_free(&ssl);
  mbedtls_ssl_config_free(&conf);
  mbedtls_x509_crt_free(&ca);
  mbedtls_ctr_drbg_free(&drbg);
  mbedtls_entropy_free(&entropy);
  mbedtls_net_free(&net);
  return status;
}
