#include "polytls/files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "support.hpp"

namespace polytls {
namespace {

mode_t mode_of(const std::filesystem::path &path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(Files, PrivateFilesAre0600EvenUnderAPermissiveUmask) {
  test::TempDir dir;
  const mode_t old = ::umask(0);
  ASSERT_OK(write_file(dir / "key.pem", "secret", {.private_file = true}));
  ASSERT_OK(write_file(dir / "cert.pem", "public"));
  ::umask(old);
  EXPECT_EQ(mode_of(dir / "key.pem"), 0600u);
  EXPECT_EQ(mode_of(dir / "cert.pem"), 0644u);
  EXPECT_EQ(test::read_text(dir / "key.pem"), "secret");
}

TEST(Files, NeverOverwritesWithoutBeingAsked) {
  test::TempDir dir;
  test::write_text(dir / "cert.pem", "keep me");
  auto result = write_file(dir / "cert.pem", "new");
  EXPECT_ERROR(result, ErrorCode::already_exists);
  EXPECT_NE(result.error().message().find("cert.pem"), std::string::npos);
  EXPECT_EQ(test::read_text(dir / "cert.pem"), "keep me");
}

TEST(Files, RefusesToWriteThroughASymlink) {
  test::TempDir dir;
  test::write_text(dir / "target", "keep me");
  std::filesystem::create_symlink(dir / "target", dir / "link");
  EXPECT_ERROR(write_file(dir / "link", "new"), ErrorCode::already_exists);
  EXPECT_EQ(test::read_text(dir / "target"), "keep me");
}

TEST(Files, OverwriteReplacesAtomicallyWithTheNewMode) {
  test::TempDir dir;
  test::write_text(dir / "key.pem", "old");
  ::chmod((dir / "key.pem").c_str(), 0644);
  ASSERT_OK(write_file(dir / "key.pem", "new", {.overwrite = true, .private_file = true}));
  EXPECT_EQ(test::read_text(dir / "key.pem"), "new");
  EXPECT_EQ(mode_of(dir / "key.pem"), 0600u);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator(dir.path()))
    ++entries;
  EXPECT_EQ(entries, 1u) << "no temporary file is left behind";
}

TEST(Files, ReportsMissingAndUnwritablePlaces) {
  test::TempDir dir;
  EXPECT_ERROR(read_file(dir / "absent"), ErrorCode::not_found);
  EXPECT_ERROR(read_file(dir.path()), ErrorCode::io);
  EXPECT_ERROR(write_file(dir / "no" / "such" / "dir.pem", "x"), ErrorCode::io);
  test::write_text(dir / "big", std::string(100, 'x'));
  EXPECT_ERROR(read_file(dir / "big", 99), ErrorCode::io);
  EXPECT_EQ(read_file(dir / "big", 100).value().size(), 100u);
}

// A path is a C string, a std::string or a std::filesystem::path alike.
TEST(Files, TakesEveryKindOfPath) {
  test::TempDir dir;
  const std::filesystem::path path = dir / "f.txt";
  const std::string text = path.string();
  ASSERT_OK(write_file(text.c_str(), "one"));
  EXPECT_EQ(read_file(path).value().size(), 3u);
  EXPECT_EQ(read_file(text).value().size(), 3u);
  EXPECT_EQ(read_file(text.c_str()).value().size(), 3u);
  ASSERT_OK(write_file(text, "three", {.overwrite = true}));
  EXPECT_EQ(test::read_text(path), "three");
  auto missing = read_file(text + ".absent");
  EXPECT_ERROR(missing, ErrorCode::not_found);
  EXPECT_EQ(missing.error().message(), "no such file: " + text + ".absent");
}

}  // namespace
}  // namespace polytls

namespace polytls::test {
namespace {

// A FIFO (like /dev/null or /dev/stdout, a stream rather than a file) is
// written in place, never renamed over, with or without overwrite.
TEST(Files, WritesIntoAFifoInPlace) {
  TempDir dir;
  const auto fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const bool overwrite : {false, true}) {
    std::string got;
    std::thread reader([&] {
      std::ifstream in(fifo);
      got.assign(std::istreambuf_iterator<char>(in), {});
    });
    EXPECT_OK(write_file(fifo, "through the pipe", {.overwrite = overwrite}));
    reader.join();
    EXPECT_EQ(got, "through the pipe");
    struct stat st {};
    ASSERT_EQ(::stat(fifo.c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced by a file";
  }
}

}  // namespace
}  // namespace polytls::test
