// polytls/files.hpp: reading and writing files safely.
#ifndef POLYTLS_FILES_HPP
#define POLYTLS_FILES_HPP

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "polytls/result.hpp"

namespace polytls {

// PathRef names a file for the file functions of polytls (these, and
// Backend::load_*_file): a C string, a std::string or a
// std::filesystem::path, taken by its native text. It only refers to the
// caller's string, so it is for passing a path to a call, not for keeping
// one. The core works on the text with POSIX calls, so a program that never
// builds a std::filesystem::path links none of its code.
class PathRef {
 public:
  PathRef(const char *path) noexcept : path_(path) {}                           // NOLINT: implicit
  PathRef(const std::string &path) noexcept : path_(path.c_str()) {}            // NOLINT: implicit
  PathRef(const std::filesystem::path &path) noexcept : path_(path.c_str()) {}  // NOLINT: implicit

  const char *c_str() const noexcept { return path_; }

 private:
  const char *path_;
};

// read_file returns a file's bytes. A missing file is `not_found`; a file
// over `max_size` bytes or unreadable is `io`.
Result<std::vector<uint8_t>> read_file(PathRef path, std::size_t max_size = 64u << 20);

// WriteOptions control write_file.
struct WriteOptions {
  // overwrite allows replacing an existing file. Without it an existing
  // file is never touched and the error is `already_exists`.
  bool overwrite = false;
  // private_file creates the file with mode 0600 (keys); else 0644.
  bool private_file = false;
};

// write_file writes `data` to `path` completely or not at all: it writes a
// temporary file in the same directory, syncs it and renames it into
// place, so a failure never leaves a partial or truncated file. A character
// device or FIFO at `path` (/dev/null, /dev/stdout, a pipe) is written in
// place instead, with or without `overwrite`: it is a stream, not a file.
Result<void> write_file(PathRef path, std::span<const uint8_t> data,
                        const WriteOptions &options = {});
Result<void> write_file(PathRef path, std::string_view data, const WriteOptions &options = {});

}  // namespace polytls

#endif  // POLYTLS_FILES_HPP
