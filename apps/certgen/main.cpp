// polytls-certgen: make a key and a self-signed certificate, a local CA, or
// a leaf certificate issued by that CA, on any backend; or inspect one.
#include <sys/stat.h>

#include <iostream>

#include "app.hpp"
#include "polytls/kit/backend_kit.hpp"

namespace polytls::app {
namespace {

constexpr std::string_view kApp = "polytls-certgen";

struct Options {
  BackendOptions backend;
  Format format = Format::text;
  std::string key_type = "rsa2048";
  std::string key_file;
  std::string subject;
  std::string cn;
  std::vector<std::string> sans;
  int days = 365;
  std::string not_before;
  std::string not_after;
  std::string digest = "sha256";
  std::string serial;
  bool ca = false;
  int path_len = -1;
  std::string issuer_cert;
  std::string issuer_key;
  std::string out_cert = "cert.pem";
  std::string out_key = "key.pem";
  bool force = false;
  std::string inspect;
  std::string passphrase_env, passphrase_file;
  std::string key_passphrase_env, key_passphrase_file;
  std::string issuer_passphrase_env, issuer_passphrase_file;
};

Result<std::vector<uint8_t>> parse_serial(const std::string &hex) {
  std::string digits;
  for (char c : hex) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Error(ErrorCode::bad_input, "--serial takes hexadecimal digits, not '" + hex + "'");
    }
    digits += c;
  }
  if (digits.empty()) return Error(ErrorCode::bad_input, "--serial is empty");
  if (digits.size() % 2 != 0) digits.insert(digits.begin(), '0');
  std::vector<uint8_t> out;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// build_spec turns the command line into a CertificateSpec.
Result<CertificateSpec> build_spec(const Options &o) {
  CertificateSpec spec;
  if (!o.subject.empty() && !o.cn.empty()) {
    return Error(ErrorCode::bad_input, "give --subject or --cn, not both");
  }
  if (!o.subject.empty()) {
    POLYTLS_TRY(spec.subject, DistinguishedName::parse(o.subject));
  } else {
    const std::string cn = !o.cn.empty() ? o.cn : o.ca ? "polytls Local CA" : "localhost";
    spec.subject.add(NameAttribute::common_name, cn);
  }
  for (const std::string &text : o.sans) {
    POLYTLS_TRY(SubjectAltName san, SubjectAltName::parse(text));
    spec.subject_alt_names.push_back(std::move(san));
  }
  if (o.sans.empty() && !o.ca) {
    // Clients ignore the CN: derive the SANs a server certificate needs.
    const std::string cn = spec.subject.common_name().value_or("");
    if (cn == "localhost") {
      for (const char *text : {"DNS:localhost", "IP:127.0.0.1", "IP:::1"}) {
        spec.subject_alt_names.push_back(SubjectAltName::parse(text).value());
      }
    } else if (auto ip = SubjectAltName::ip(cn)) {
      spec.subject_alt_names.push_back(*ip);
    } else if (auto dns = SubjectAltName::dns(cn)) {
      spec.subject_alt_names.push_back(*dns);
    } else {
      return Error(ErrorCode::bad_input,
                   "the CN '" + cn + "' is not a host name: give the names with --san");
    }
  }
  if (!o.not_before.empty()) {
    POLYTLS_TRY(UtcTime t, parse_utc_time(o.not_before));
    spec.not_before = t;
  }
  if (!o.not_after.empty()) {
    POLYTLS_TRY(UtcTime t, parse_utc_time(o.not_after));
    spec.not_after = t;
  }
  spec.validity_days = o.days;
  POLYTLS_TRY(spec.digest, parse_digest(o.digest));
  if (!o.serial.empty()) {
    POLYTLS_TRY(spec.serial, parse_serial(o.serial));
  }
  spec.is_ca = o.ca;
  if (o.path_len >= 0) spec.path_length = o.path_len;
  return spec;
}

// check_outputs refuses to start when an output exists and --force is not given.
Result<void> check_outputs(const Options &o) {
  if (o.out_cert == o.out_key) {
    return Error(ErrorCode::bad_input, "--out-cert and --out-key name the same file");
  }
  if (o.force) return ok();
  for (const std::string *path : {&o.out_key, &o.out_cert}) {
    if (!o.key_file.empty() && path == &o.out_key) continue;
    struct stat st {};
    // A character device or FIFO (/dev/stdout, a pipe) is written in place.
    if (::lstat(path->c_str(), &st) == 0 && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
      return Error(ErrorCode::already_exists,
                   *path + " already exists; use --force to overwrite it (nothing was written)");
    }
  }
  return ok();
}

int inspect(const Options &o, const Backend &backend) {
  auto certs = backend.load_certificates_file(o.inspect);
  if (!certs) return fail(kApp, certs.error());
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < certs->size(); ++i) {
    auto info = (*certs)[i].inspect();
    if (!info) return fail(kApp, info.error());
    if (o.format == Format::json) {
      list.push_back(certificate_json(*info));
    } else {
      std::cout << o.inspect;
      if (certs->size() > 1) std::cout << " [" << i + 1 << "/" << certs->size() << "]";
      std::cout << " (read by " << backend.name() << ", " << library_text(backend) << ")\n";
      print_certificate(std::cout, *info);
    }
  }
  if (o.format == Format::json) {
    std::cout << nlohmann::json{{"backend", backend.name()},
                                {"file", o.inspect},
                                {"certificates", list}}
                     .dump(2)
              << "\n";
  }
  return kExitOk;
}

int generate(const Options &o, const Backend &backend) {
  auto spec = build_spec(o);
  if (!spec) return fail(kApp, spec.error());
  const bool issuing = !o.issuer_cert.empty() || !o.issuer_key.empty();
  if (issuing && (o.issuer_cert.empty() || o.issuer_key.empty())) {
    return fail(kApp, Error(ErrorCode::bad_input, "--issuer-cert and --issuer-key go together"));
  }
  if (auto outputs = check_outputs(o); !outputs) return fail(kApp, outputs.error());
  auto passphrase = read_passphrase(o.passphrase_env, o.passphrase_file);
  if (!passphrase) return fail(kApp, passphrase.error());

  // The subject key: an existing one, or a new one.
  std::optional<Key> key;
  if (!o.key_file.empty()) {
    auto key_pass = read_passphrase(o.key_passphrase_env, o.key_passphrase_file);
    if (!key_pass) return fail(kApp, key_pass.error());
    auto loaded = backend.load_key_file(o.key_file, *key_pass);
    if (!loaded) return fail(kApp, loaded.error());
    key = std::move(loaded).value();
  } else {
    auto type = parse_key_type(o.key_type);
    if (!type) return fail(kApp, type.error());
    auto made = backend.generate_key(*type);
    if (!made) return fail(kApp, made.error());
    key = std::move(made).value();
  }

  Result<Certificate> cert = Error(ErrorCode::internal, "no certificate");
  if (issuing) {
    auto issuer = backend.load_certificate_file(o.issuer_cert);
    if (!issuer) return fail(kApp, issuer.error());
    auto issuer_pass = read_passphrase(o.issuer_passphrase_env, o.issuer_passphrase_file);
    if (!issuer_pass) return fail(kApp, issuer_pass.error());
    auto issuer_key = backend.load_key_file(o.issuer_key, *issuer_pass);
    if (!issuer_key) return fail(kApp, issuer_key.error());
    cert = backend.issue(*spec, *key, *issuer, *issuer_key);
  } else {
    cert = backend.self_sign(*spec, *key);
  }
  if (!cert) return fail(kApp, cert.error());
  auto info = cert->inspect();
  if (!info) return fail(kApp, info.error());

  // Write the key first (0600), then the certificate; undo the key if the
  // certificate cannot be written, so a failure leaves nothing half done.
  const WriteOptions key_options{.overwrite = o.force, .private_file = true};
  const WriteOptions cert_options{.overwrite = o.force, .private_file = false};
  const bool write_key = o.key_file.empty();
  if (write_key) {
    auto pem = key->private_key_pem(*passphrase);
    if (!pem) return fail(kApp, pem.error());
    auto written = write_file(o.out_key, *pem, key_options);
    kit::wipe(pem->data(), pem->size());
    if (!written) return fail(kApp, written.error());
  }
  if (auto written = write_file(o.out_cert, cert->pem(), cert_options); !written) {
    if (write_key && !o.force) std::filesystem::remove(o.out_key);
    return fail(kApp, written.error());
  }

  const std::string what = spec->is_ca ? "CA certificate"
                           : issuing   ? "certificate issued by " + o.issuer_cert
                                       : "self-signed certificate";
  if (o.format == Format::json) {
    nlohmann::json j = {{"backend", backend_json(backend)},
                        {"kind", spec->is_ca ? "ca"
                                 : issuing   ? "issued"
                                             : "self-signed"},
                        {"certificate_file", o.out_cert},
                        {"key_file", write_key ? nlohmann::json(o.out_key) : nlohmann::json()},
                        {"key_encrypted", write_key && !passphrase->empty()},
                        {"certificate", certificate_json(*info)}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << kApp << ": made a " << what << " with " << backend.name() << " ("
              << library_text(backend) << ")\n";
    print_certificate(std::cout, *info);
    std::cout << "  " << std::left << std::setw(13) << "files" << o.out_cert;
    if (write_key) {
      std::cout << ", " << o.out_key << " (mode 0600"
                << (passphrase->empty() ? ", not encrypted" : ", encrypted") << ")";
    }
    std::cout << "\n";
  }
  return kExitOk;
}

int run(int argc, char **argv) {
  CLI::App cli{
      "polytls-certgen: make a private key and a certificate (self-signed, a local CA, or a leaf\n"
      "issued by that CA) with any polytls backend, or inspect certificates.\n\n"
      "Defaults reproduce the classic HTTPS exercise, done right: RSA-2048, CN=localhost,\n"
      "SANs DNS:localhost IP:127.0.0.1 IP:::1, one year, SHA-256, cert.pem and key.pem (0600).\n\n"
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 output exists, 4 bad passphrase,\n"
      "5 unsupported by the backend, 6 file or backend not found, 7 malformed input.",
      "polytls-certgen"};
  cli.get_formatter()->column_width(34);
  Options o;
  add_backend_options(cli, o.backend);
  add_format_option(cli, o.format);
  cli.add_option("--key-type", o.key_type,
                 "rsa2048, rsa3072, rsa4096, ecdsa-p256, ecdsa-p384 or ed25519")
      ->default_str("rsa2048");
  cli.add_option("--key", o.key_file, "Certify an existing private key instead of making one")
      ->type_name("FILE");
  cli.add_option("--subject", o.subject,
                 "Subject, e.g. 'C=BR,ST=Distrito Federal,L=Brasília,O=UnB,OU=CIC,CN=localhost'")
      ->type_name("DN");
  cli.add_option("--cn", o.cn, "Shorthand for --subject CN=NAME")->type_name("NAME");
  cli.add_option("--san", o.sans,
                 "SubjectAltName DNS:name (wildcards as *.example.test) or IP:address; repeat it")
      ->type_name("SAN");
  cli.add_option("--days", o.days, "Validity in days from --not-before (default 365)")
      ->check(CLI::PositiveNumber);
  cli.add_option("--not-before", o.not_before, "Start of validity, UTC (2030-01-31[T12:00:00Z])")
      ->type_name("TIME");
  cli.add_option("--not-after", o.not_after, "End of validity, UTC; overrides --days")
      ->type_name("TIME");
  cli.add_option("--digest", o.digest, "sha256, sha384 or sha512 (ignored for Ed25519)")
      ->default_str("sha256");
  cli.add_option("--serial", o.serial, "Serial number in hex (default: random 128 bits)")
      ->type_name("HEX");
  cli.add_flag("--ca", o.ca, "Make a CA certificate (keyCertSign, cRLSign)");
  cli.add_option("--path-len", o.path_len, "The CA's path length constraint")
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--issuer-cert", o.issuer_cert, "Issue from this CA certificate")
      ->type_name("FILE");
  cli.add_option("--issuer-key", o.issuer_key, "The CA's private key")->type_name("FILE");
  cli.add_option("--out-cert", o.out_cert, "Certificate output (default cert.pem)")
      ->type_name("FILE");
  cli.add_option("--out-key", o.out_key, "Private key output, mode 0600 (default key.pem)")
      ->type_name("FILE");
  cli.add_flag("--force", o.force, "Overwrite existing output files");
  cli.add_option("--passphrase-env", o.passphrase_env, "Encrypt the new key with $VAR")
      ->type_name("VAR");
  cli.add_option("--passphrase-file", o.passphrase_file,
                 "Encrypt the new key with FILE's first line")
      ->type_name("FILE");
  cli.add_option("--key-passphrase-env", o.key_passphrase_env, "Passphrase of --key, from $VAR")
      ->type_name("VAR");
  cli.add_option("--key-passphrase-file", o.key_passphrase_file, "Passphrase of --key, from FILE")
      ->type_name("FILE");
  cli.add_option("--issuer-passphrase-env", o.issuer_passphrase_env,
                 "Passphrase of --issuer-key, from $VAR")
      ->type_name("VAR");
  cli.add_option("--issuer-passphrase-file", o.issuer_passphrase_file,
                 "Passphrase of --issuer-key, from FILE")
      ->type_name("FILE");
  cli.add_option("--inspect", o.inspect, "Print what the backend sees in a certificate file")
      ->type_name("FILE");
  if (auto end = parse_command_line(cli, argc, argv)) return *end;
  if (auto end = load_and_list(kApp, o.backend, o.format)) return *end;
  auto backend = choose_backend(o.backend);
  if (!backend) return fail(kApp, backend.error());
  if (!o.inspect.empty()) return inspect(o, *backend);
  return generate(o, *backend);
}

}  // namespace
}  // namespace polytls::app

int main(int argc, char **argv) {
  return polytls::app::run(argc, argv);
}
