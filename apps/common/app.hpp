// app.hpp: conventions shared by every polytls app: choosing a backend,
// listing backends, printing certificates, exit codes and messages.
#ifndef POLYTLS_APPS_APP_HPP
#define POLYTLS_APPS_APP_HPP

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "polytls/polytls.hpp"

namespace polytls::app {

// Exit codes shared by the apps. Each app documents the ones it uses.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,        // any other error
  kExitUsage = 2,          // bad command line
  kExitExists = 3,         // an output file exists and --force was not given
  kExitBadPassphrase = 4,  // a key's passphrase is missing or wrong
  kExitUnsupported = 5,    // the backend cannot do what was asked
  kExitNotFound = 6,       // a file or backend does not exist
  kExitBadInput = 7,       // malformed input (PEM, DER, names, dates)
};

// exit_code_for maps an Error to the app exit code for its category.
int exit_code_for(const Error &error) noexcept;

// Output formats for summaries.
enum class Format { text, json };

// BackendOptions are the backend-related options every app takes.
struct BackendOptions {
  std::string backend;  // empty: POLYTLS_BACKEND, else the preferred backend
  bool list = false;
  std::vector<std::string> plugins;  // --plugin FILE, loaded before anything else
};

// add_backend_options adds --backend, --plugin and --list-backends to `cli`.
void add_backend_options(CLI::App &cli, BackendOptions &options);

// load_plugins loads the --plugin files into the global registry; a plugin
// that is refused is a warning on stderr naming the file and the reason,
// and the app goes on with the backends it has.
void load_plugins(std::string_view app, const BackendOptions &options);
// add_format_option adds --format text|json.
void add_format_option(CLI::App &cli, Format &format);

// parse_command_line parses argv into `cli`'s options. It returns the exit
// code to end with when there is nothing more to do: after --help
// (kExitOk) or a usage error (kExitUsage, the message printed).
std::optional<int> parse_command_line(CLI::App &cli, int argc, char **argv);

// load_and_list loads the --plugin files and, for --list-backends, prints
// the backends in `format`; then it returns kExitOk, the app's exit code.
std::optional<int> load_and_list(std::string_view app, const BackendOptions &options,
                                 Format format = Format::text);

// choose_backend resolves --backend / POLYTLS_BACKEND against the registry.
Result<Backend> choose_backend(const BackendOptions &options);

// print_backends lists every backend: name, library and versions, origin
// (built-in or the plugin's path), key types and capabilities; in text, also
// the plugins that were refused and why.
void print_backends(std::ostream &out, Format format);

// library_text names a backend's library and version: "OpenSSL 3.0.19".
std::string library_text(const Backend &backend);

// backend_json describes one backend.
nlohmann::json backend_json(const Backend &backend);

// certificate_json and print_certificate describe what inspect sees.
nlohmann::json certificate_json(const CertificateInfo &info);
void print_certificate(std::ostream &out, const CertificateInfo &info);

// fail prints "<app>: <error>" on stderr and returns the exit code for it.
int fail(std::string_view app, const Error &error);

// read_passphrase takes a passphrase from the environment variable `env`
// or the first line of `file` (never from the command line, where other
// users could read it). Both empty: no passphrase.
Result<std::string> read_passphrase(const std::string &env, const std::string &file);

}  // namespace polytls::app

#endif  // POLYTLS_APPS_APP_HPP
