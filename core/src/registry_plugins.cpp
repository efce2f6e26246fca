// registry_plugins.cpp: loading backend plugins into a Registry. Kept apart
// from registry.cpp so that a program that never loads a plugin (and a core
// built with POLYTLS_PLUGIN_LOADER=OFF) links no std::filesystem code.
#include "polytls/features.hpp"
#include "polytls/registry.hpp"
#if POLYTLS_HAS_PLUGIN_LOADER
#include <dlfcn.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace polytls {

#if POLYTLS_HAS_PLUGIN_LOADER
namespace {

Error refuse(const std::string &origin, const std::string &why) {
  return Error(ErrorCode::plugin, "backend from " + origin + " refused: " + why);
}

}  // namespace
#endif

Result<Backend> Registry::load_plugin(const std::filesystem::path &file) {
  const std::string origin = file.string();
#if !POLYTLS_HAS_PLUGIN_LOADER
  // Built with POLYTLS_PLUGIN_LOADER=OFF: no dlopen, built-in backends only.
  return Error(ErrorCode::unsupported, "cannot load the plugin " + origin +
                                           ": this polytls was built without the plugin loader "
                                           "(POLYTLS_PLUGIN_LOADER=OFF); only built-in backends "
                                           "are available");
#else
  // RTLD_LOCAL keeps each plugin's library symbols to itself (OpenSSL and
  // wolfSSL's compat layer share many names); RTLD_NODELETE keeps the code
  // mapped at exit, when TLS libraries run atexit and thread-exit handlers.
  void *handle = ::dlopen(origin.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) {
    const char *why = ::dlerror();
    return refuse(origin, std::string("cannot load it: ") + (why != nullptr ? why : "unknown"));
  }
  auto entry =
      reinterpret_cast<polytls_backend_entry_fn>(::dlsym(handle, POLYTLS_BACKEND_ENTRY_SYMBOL));
  if (entry == nullptr) {
    ::dlclose(handle);
    return refuse(origin, std::string("it has no ") + POLYTLS_BACKEND_ENTRY_SYMBOL +
                              " entry point (not a polytls plugin)");
  }
  const polytls_backend_v1 *table = entry(POLYTLS_ABI_VERSION);
  if (table == nullptr) {
    ::dlclose(handle);
    return refuse(origin, "it cannot serve ABI version " + std::to_string(POLYTLS_ABI_VERSION));
  }
  auto backend = add(table, origin);
  if (!backend) ::dlclose(handle);  // with RTLD_NODELETE this only drops the reference
  return backend;
#endif
}

std::vector<Error> Registry::load_plugins(const std::filesystem::path &directory) {
  std::vector<Error> refused;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto &entry : std::filesystem::directory_iterator(directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("libpolytls-") && name.ends_with(".so")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto &file : files) {
    if (auto loaded = load_plugin(file); !loaded) refused.push_back(loaded.error());
  }
  return refused;
}

std::vector<std::filesystem::path> Registry::plugin_directories() {
  std::vector<std::filesystem::path> out;
  if (const char *path = std::getenv("POLYTLS_PLUGIN_PATH"); path != nullptr) {
    std::string_view rest(path);
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const std::string_view dir = rest.substr(0, colon);
      if (!dir.empty()) out.emplace_back(std::string(dir));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  // Beside the program: <build>/plugins for a program in <build>/apps (so a
  // build tree finds its own plugins), <prefix>/<libdir>/polytls for an
  // installed program that was moved with its prefix.
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto up = exe.parent_path().parent_path();
    for (const auto &dir : {up / "plugins", up / POLYTLS_PLUGIN_RELATIVE_DIR}) {
      if (std::filesystem::is_directory(dir, ec)) out.push_back(dir);
    }
  }
#ifdef POLYTLS_PLUGIN_INSTALL_DIR
  out.emplace_back(POLYTLS_PLUGIN_INSTALL_DIR);
#endif
  return out;
}

}  // namespace polytls
