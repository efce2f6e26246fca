#include "app.hpp"

#include <cstdlib>
#include <iomanip>
#include <iostream>

#include "polytls/kit/backend_kit.hpp"

namespace polytls::app {

int exit_code_for(const Error &error) noexcept {
  switch (error.code()) {
    case ErrorCode::already_exists: return kExitExists;
    case ErrorCode::bad_passphrase: return kExitBadPassphrase;
    case ErrorCode::unsupported: return kExitUnsupported;
    case ErrorCode::not_found: return kExitNotFound;
    case ErrorCode::bad_input: return kExitBadInput;
    default: return kExitFailure;
  }
}

void add_backend_options(CLI::App &cli, BackendOptions &options) {
  cli.add_option("--backend", options.backend,
                 "TLS library to use (default: $POLYTLS_BACKEND, else openssl when built in)")
      ->type_name("NAME");
  cli.add_flag("--list-backends", options.list,
               "List the backends with library versions and capabilities, then exit");
  cli.add_option("--plugin", options.plugins,
                 "Load a backend plugin (libpolytls-NAME.so) besides those in $POLYTLS_PLUGIN_PATH")
      ->allow_extra_args(false)  // one file per --plugin: a positional after it is not a plugin
      ->type_name("FILE");
}

void load_plugins(std::string_view app, const BackendOptions &options) {
  for (const std::string &file : options.plugins) {
    if (auto loaded = Registry::global().load_plugin(file); !loaded) {
      std::cerr << app << ": warning: " << loaded.error().to_string() << "\n";
    }
  }
}

void add_format_option(CLI::App &cli, Format &format) {
  cli.add_option_function<std::string>(
         "--format",
         [&format](const std::string &value) {
           format = value == "json" ? Format::json : Format::text;
         },
         "Output format (default text)")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("text|json");
}

std::optional<int> parse_command_line(CLI::App &cli, int argc, char **argv) {
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return cli.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  return std::nullopt;
}

std::optional<int> load_and_list(std::string_view app, const BackendOptions &options,
                                 Format format) {
  load_plugins(app, options);
  if (!options.list) return std::nullopt;
  print_backends(std::cout, format);
  return kExitOk;
}

Result<Backend> choose_backend(const BackendOptions &options) {
  if (!options.backend.empty()) return find_backend(options.backend);
  return default_backend();
}

namespace {

std::string tls_range(const Capabilities &caps) {
  auto name = [](uint32_t v) {
    return v == 0x0303 ? std::string("1.2") : v == 0x0304 ? std::string("1.3") : std::to_string(v);
  };
  if (caps.tls_min_version == 0) return "none yet";
  return name(caps.tls_min_version) + " - " + name(caps.tls_max_version);
}

std::string joined(const std::vector<std::string_view> &parts, const char *separator) {
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

std::vector<std::string_view> key_type_names(const Capabilities &caps) {
  std::vector<std::string_view> out;
  for (KeyType type : caps.key_types())
    out.push_back(to_string(type));
  return out;
}

}  // namespace

std::string library_text(const Backend &backend) {
  return backend.capabilities().library_name + " " + backend.capabilities().runtime_version;
}

nlohmann::json backend_json(const Backend &backend) {
  const Capabilities &caps = backend.capabilities();
  nlohmann::json tls = nlohmann::json::array();
  if (caps.tls_min_version != 0) tls = {caps.tls_min_version, caps.tls_max_version};
  return {{"name", backend.name()},
          {"library", caps.library_name},
          {"version", caps.runtime_version},
          {"build_version", caps.build_version},
          {"origin", backend.origin()},
          {"key_types", key_type_names(caps)},
          {"capabilities", caps.feature_names()},
          {"tls_versions", tls}};
}

void print_backends(std::ostream &out, Format format) {
  const std::vector<Backend> backends = available_backends();
  if (format == Format::json) {
    nlohmann::json list = nlohmann::json::array();
    for (const Backend &b : backends)
      list.push_back(backend_json(b));
    out << list.dump(2) << "\n";
    return;
  }
  const std::vector<Error> refused = Registry::global().problems();
  if (backends.empty()) out << "no backends are available\n";
  auto preferred = default_backend();
  for (const Backend &b : backends) {
    const Capabilities &caps = b.capabilities();
    const bool is_default = preferred && *preferred == b;
    out << b.name() << (is_default ? " (default)" : "") << "\n"
        << "  library       " << caps.library_name << " " << caps.runtime_version << " (built with "
        << caps.build_version << ")\n"
        << "  origin        " << b.origin() << "\n"
        << "  key types     " << joined(key_type_names(caps), " ") << "\n"
        << "  capabilities  " << joined(caps.feature_names(), " ") << "\n"
        << "  TLS versions  " << tls_range(caps) << "\n";
  }
  for (const Error &e : refused)
    out << "not loaded: " << e.message() << "\n";
}

nlohmann::json certificate_json(const CertificateInfo &info) {
  nlohmann::json sans = nlohmann::json::array();
  for (const SubjectAltName &san : info.subject_alt_names)
    sans.push_back(san.to_string());
  nlohmann::json subject = nlohmann::json::object();
  for (const NameEntry &e : info.subject.entries())
    subject[std::string(to_string(e.type))] = e.value;
  nlohmann::json issuer = nlohmann::json::object();
  for (const NameEntry &e : info.issuer.entries())
    issuer[std::string(to_string(e.type))] = e.value;
  nlohmann::json j = {
      {"version", info.version},
      {"subject", info.subject.to_string()},
      {"subject_attributes", subject},
      {"issuer", info.issuer.to_string()},
      {"issuer_attributes", issuer},
      {"self_issued", info.is_self_issued()},
      {"serial", info.serial_hex()},
      {"not_before", format_utc_time(info.not_before)},
      {"not_after", format_utc_time(info.not_after)},
      {"subject_alt_names", sans},
      {"key", info.key_description()},
      {"key_algorithm", to_string(info.key_algorithm)},
      {"key_bits", info.key_bits},
      {"signature_algorithm", to_string(info.signature_algorithm)},
      {"sha256_fingerprint", info.fingerprint_hex()},
      {"is_ca", info.is_ca},
      {"path_length", info.path_length ? nlohmann::json(*info.path_length) : nlohmann::json()},
      {"key_usage",
       info.key_usage ? nlohmann::json(key_usage::names(*info.key_usage)) : nlohmann::json()},
      {"extended_key_usage", info.ext_key_usage
                                 ? nlohmann::json(ext_key_usage::names(*info.ext_key_usage))
                                 : nlohmann::json()},
  };
  auto hex = [](const std::vector<uint8_t> &bytes) {
    std::string out;
    for (uint8_t b : bytes) {
      static constexpr char kDigits[] = "0123456789abcdef";
      out += kDigits[b >> 4];
      out += kDigits[b & 15];
    }
    return out;
  };
  j["subject_key_id"] = hex(info.subject_key_id);
  j["authority_key_id"] = hex(info.authority_key_id);
  return j;
}

void print_certificate(std::ostream &out, const CertificateInfo &info) {
  auto row = [&out](const char *label, const std::string &value) {
    out << "  " << std::left << std::setw(13) << label << value << "\n";
  };
  std::string sans;
  for (const SubjectAltName &san : info.subject_alt_names) {
    if (!sans.empty()) sans += ", ";
    sans += san.to_string();
  }
  row("subject", info.subject.to_string());
  row("issuer",
      info.is_self_issued() ? info.issuer.to_string() + " (self-issued)" : info.issuer.to_string());
  row("SANs", sans.empty() ? "none" : sans);
  row("key", info.key_description());
  row("validity", format_utc_time(info.not_before) + " .. " + format_utc_time(info.not_after));
  row("serial", info.serial_hex());
  row("signature", std::string(to_string(info.signature_algorithm)));
  std::string constraints = info.is_ca ? "CA" : "not a CA";
  if (info.path_length) constraints += ", path length " + std::to_string(*info.path_length);
  row("basic", constraints);
  if (info.key_usage) {
    std::string ku;
    for (std::string_view n : key_usage::names(*info.key_usage))
      ku += (ku.empty() ? "" : ", ") + std::string(n);
    row("key usage", ku);
  }
  if (info.ext_key_usage) {
    std::string eku;
    for (std::string_view n : ext_key_usage::names(*info.ext_key_usage)) {
      eku += (eku.empty() ? "" : ", ") + std::string(n);
    }
    row("ext. usage", eku);
  }
  row("SHA-256", info.fingerprint_hex());
}

int fail(std::string_view app, const Error &error) {
  std::cerr << app << ": " << error.to_string() << "\n";
  return exit_code_for(error);
}

Result<std::string> read_passphrase(const std::string &env, const std::string &file) {
  if (!env.empty()) {
    const char *value = std::getenv(env.c_str());
    if (value == nullptr) {
      return Error(ErrorCode::bad_passphrase, "environment variable " + env + " is not set");
    }
    if (*value == '\0') return Error(ErrorCode::bad_passphrase, env + " is empty");
    return std::string(value);
  }
  if (!file.empty()) {
    POLYTLS_TRY(std::vector<uint8_t> data, read_file(file, 4096));
    std::string text(data.begin(), data.end());
    kit::wipe(data.data(), data.size());
    const auto end = text.find_first_of("\r\n");
    if (end != std::string::npos) text.resize(end);
    if (text.empty()) return Error(ErrorCode::bad_passphrase, file + " holds an empty passphrase");
    return text;
  }
  return std::string();
}

}  // namespace polytls::app
