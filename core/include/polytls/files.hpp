// polytls/files.hpp: reading and writing files safely.
#ifndef POLYTLS_FILES_HPP
#define POLYTLS_FILES_HPP

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "polytls/result.hpp"

namespace polytls {

// read_file returns a file's bytes. A missing file is `not_found`; a file
// over `max_size` bytes or unreadable is `io`.
Result<std::vector<uint8_t>> read_file(const std::filesystem::path &path,
                                       std::size_t max_size = 64u << 20);

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
Result<void> write_file(const std::filesystem::path &path, std::span<const uint8_t> data,
                        const WriteOptions &options = {});
Result<void> write_file(const std::filesystem::path &path, std::string_view data,
                        const WriteOptions &options = {});

}  // namespace polytls

#endif  // POLYTLS_FILES_HPP
