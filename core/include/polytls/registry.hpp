// polytls/registry.hpp: the backends a process has, and choosing one.
#ifndef POLYTLS_REGISTRY_HPP
#define POLYTLS_REGISTRY_HPP

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "polytls/abi/backend.h"
#include "polytls/backend.hpp"
#include "polytls/result.hpp"

namespace polytls {

// Registry holds initialised backends by name. The global registry starts
// with the backends built into this binary; plugins join it later.
class Registry {
 public:
  Registry() = default;
  Registry(const Registry &) = delete;
  Registry &operator=(const Registry &) = delete;

  // global returns the process-wide registry: on first use it registers the
  // built-in backends, then loads the plugins of plugin_directories().
  static Registry &global();

  // add validates `table` (ABI version, size, name, capabilities, required
  // members), initialises it and registers it under its name. `origin` is
  // "built-in" or the plugin's path. A table that fails validation, or whose
  // name is taken, is refused with a `plugin` Error naming the origin and
  // the reason; a failing init keeps that backend's own error. `table`
  // must stay valid as long as the registry (static storage in practice).
  Result<Backend> add(const polytls_backend_v1 *table, std::string origin);

  // load_plugin loads a backend plugin: dlopen with RTLD_NOW | RTLD_LOCAL
  // (each plugin's TLS library stays out of the others' way), finds
  // polytls_backend_entry, asks it for the table of this core's ABI version
  // and registers it with the plugin's path as origin. A file that does not
  // load, has no entry point, serves another ABI version, has a table too
  // small or a name already taken is refused with a `plugin` Error naming
  // the file and the reason. Plugins stay loaded for the process's life.
  Result<Backend> load_plugin(const std::filesystem::path &file);

  // load_plugins loads every libpolytls-*.so in `directory` (in name
  // order) and returns the refusals; a missing directory is no error.
  std::vector<Error> load_plugins(const std::filesystem::path &directory);

  // plugin_directories are where the global registry looks for plugins:
  // each directory of $POLYTLS_PLUGIN_PATH (':'-separated); then, when they
  // exist, the `plugins` directory beside the program's directory (a build
  // tree) and <libdir>/polytls beside it (a relocated install); then the
  // install's plugin directory.
  static std::vector<std::filesystem::path> plugin_directories();

  // problems lists what was refused while the global registry set itself up
  // (built-ins that failed to initialise, plugins refused), for --list-backends.
  std::vector<Error> problems() const;

  // backends lists the registered backends in registration order.
  std::vector<Backend> backends() const;
  // names lists their names.
  std::vector<std::string> names() const;
  // find returns the backend called `name`; an unknown name is `not_found`
  // listing the names that exist.
  Result<Backend> find(std::string_view name) const;
  // preferred returns the backend named by the POLYTLS_BACKEND environment
  // variable, else "openssl" when present, else the first registered. It
  // fails with `not_found` when POLYTLS_BACKEND names no backend, or when
  // there are none.
  Result<Backend> preferred() const;

 private:
  mutable std::mutex mutex_;
  std::vector<Backend> backends_;
  std::vector<Error> problems_;
};

// available_backends lists the global registry's backends.
std::vector<Backend> available_backends();
// find_backend looks a backend up by name in the global registry.
Result<Backend> find_backend(std::string_view name);
// default_backend is the global registry's preferred backend.
Result<Backend> default_backend();

}  // namespace polytls

#endif  // POLYTLS_REGISTRY_HPP
