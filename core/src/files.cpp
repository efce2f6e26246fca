#include "polytls/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "random.hpp"
#include "text.hpp"

namespace polytls {
namespace {

using detail::cat;

Error io_error(const char *what, const char *path, int err) {
  return Error(ErrorCode::io, cat({what, " ", path, ": ", std::strerror(err)}));
}

// FileDescriptor closes itself.
struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// write_all writes everything, then (for files, not streams) syncs it.
Result<void> write_all(int fd, std::span<const uint8_t> data, const char *path, bool sync = true) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (sync && ::fsync(fd) != 0) return io_error("cannot sync", path, errno);
  return ok();
}

}  // namespace

Result<std::vector<uint8_t>> read_file(PathRef path_ref, std::size_t max_size) {
  const char *path = path_ref.c_str();
  FileDescriptor file{::open(path, O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    if (errno == ENOENT) return Error(ErrorCode::not_found, cat({"no such file: ", path}));
    return io_error("cannot open", path, errno);
  }
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return io_error("cannot stat", path, errno);
  if (S_ISDIR(st.st_mode)) return Error(ErrorCode::io, cat({path, " is a directory"}));
  std::vector<uint8_t> data;
  uint8_t buf[16384];
  for (;;) {
    const ssize_t n = ::read(file.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path, errno);
    }
    if (n == 0) break;
    if (data.size() + static_cast<std::size_t>(n) > max_size) {
      return Error(ErrorCode::io,
                   cat({path, " is larger than ", detail::Decimal(max_size), " bytes"}));
    }
    data.insert(data.end(), buf, buf + n);
  }
  return data;
}

Result<void> write_file(PathRef path_ref, std::span<const uint8_t> data,
                        const WriteOptions &options) {
  const char *path = path_ref.c_str();
  const mode_t mode = options.private_file ? 0600 : 0644;
  // A character device or a FIFO (/dev/null, /dev/stdout, a pipe) is a
  // stream, not a file: it is written in place, never replaced. Renaming
  // over it would put a regular file where /dev/null was.
  struct stat st {};
  if (::stat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
    FileDescriptor stream{::open(path, O_WRONLY | O_CLOEXEC)};
    if (stream.fd < 0) return io_error("cannot open", path, errno);
    return write_all(stream.fd, data, path, false);
  }
  if (!options.overwrite) {
    // O_EXCL: an existing file (or a symlink in its place) is never touched.
    FileDescriptor file{::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)};
    if (file.fd < 0) {
      if (errno == EEXIST) {
        return Error(ErrorCode::already_exists,
                     cat({path, " already exists; refusing to overwrite it"}));
      }
      return io_error("cannot create", path, errno);
    }
    // umask may have narrowed the mode; a key file must end up exactly 0600.
    if (options.private_file && ::fchmod(file.fd, mode) != 0) {
      const int err = errno;
      ::unlink(path);
      return io_error("cannot set permissions on", path, err);
    }
    if (auto written = write_all(file.fd, data, path); !written) {
      ::unlink(path);
      return written.error();
    }
    return ok();
  }

  // Overwrite: write a temporary file beside the target and rename it into
  // place, so readers see the old file or the new one, never a mix.
  uint8_t suffix_bytes[6];
  POLYTLS_CHECK(detail::random_bytes(suffix_bytes));
  std::string temp_name = path;
  temp_name += ".tmp-";
  for (uint8_t b : suffix_bytes)
    temp_name += "0123456789abcdef"[b & 0x0f];
  const char *temp = temp_name.c_str();
  FileDescriptor file{::open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)};
  if (file.fd < 0) return io_error("cannot create", temp, errno);
  if (::fchmod(file.fd, mode) != 0) {
    const int err = errno;
    ::unlink(temp);
    return io_error("cannot set permissions on", temp, err);
  }
  if (auto written = write_all(file.fd, data, temp); !written) {
    ::unlink(temp);
    return written.error();
  }
  if (::rename(temp, path) != 0) {
    const int err = errno;
    ::unlink(temp);
    return io_error("cannot replace", path, err);
  }
  return ok();
}

Result<void> write_file(PathRef path, std::string_view data, const WriteOptions &options) {
  return write_file(
      path, std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(data.data()), data.size()),
      options);
}

}  // namespace polytls
