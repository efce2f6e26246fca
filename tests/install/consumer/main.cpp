// A small program using an installed polytls: it lists the built-in
// backends, loads a plugin, and makes and verifies a certificate with it.
#include <polytls/polytls.hpp>

#include <cstdio>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer PLUGIN_FILE\n");
    return 2;
  }
  for (const polytls::Backend &b : polytls::available_backends()) {
    std::printf("backend %s from %s\n", b.name().c_str(), b.origin().c_str());
  }
  polytls::Registry registry;
  auto plugin = registry.load_plugin(argv[1]);
  if (!plugin) {
    std::fprintf(stderr, "consumer: %s\n", plugin.error().to_string().c_str());
    return 1;
  }
  auto run = [&]() -> polytls::Result<void> {
    POLYTLS_TRY(polytls::Key key, plugin->generate_key(polytls::KeyType::ecdsa_p256));
    polytls::CertificateSpec spec;
    POLYTLS_TRY(spec.subject, polytls::DistinguishedName::parse("O=polytls consumer,CN=localhost"));
    POLYTLS_TRY(polytls::SubjectAltName san, polytls::SubjectAltName::parse("DNS:localhost"));
    spec.subject_alt_names.push_back(san);
    POLYTLS_TRY(polytls::Certificate cert, plugin->self_sign(spec, key));
    std::vector<polytls::Certificate> anchors;
    POLYTLS_TRY(polytls::Certificate anchor, plugin->load_certificate(cert.pem()));
    anchors.push_back(std::move(anchor));
    return plugin->verify(cert, anchors, {.host = "localhost"});
  };
  if (auto result = run(); !result) {
    std::fprintf(stderr, "consumer: %s\n", result.error().to_string().c_str());
    return 1;
  }
  std::printf("consumer: ok with %s (%s) from %s; plugin dir %s\n", plugin->name().c_str(),
              plugin->capabilities().runtime_version.c_str(), plugin->origin().c_str(),
              POLYTLS_CONSUMER_PLUGIN_DIR);
  return 0;
}
