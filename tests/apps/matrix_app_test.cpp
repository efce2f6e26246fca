// polytls-matrix end to end.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support.hpp"

namespace polytls::test {
namespace {

TEST(MatrixApp, JsonHasOneObjectPerCellAndEveryApplicableCellPasses) {
  ProcessResult r = run({POLYTLS_MATRIX_PATH, "--format", "json"}, {}, std::chrono::seconds(300));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out.substr(0, 2000);
  const nlohmann::json cells = nlohmann::json::parse(r.out);
  const std::size_t n = backend_names().size();
  // server x client x {1.2, 1.3} x {rsa2048, ecdsa-p256, ed25519} x {memory, tcp}
  ASSERT_EQ(cells.size(), n * n * 2 * 3 * 2);
  std::size_t passed = 0;
  for (const auto &cell : cells) {
    for (const char *field :
         {"server", "client", "version", "key_type", "transport", "status", "negotiated_version",
          "cipher_suite", "group", "handshake_us", "reason"}) {
      ASSERT_TRUE(cell.contains(field)) << field << " in " << cell.dump();
    }
    const std::string status = cell["status"];
    ASSERT_TRUE(status == "pass" || status == "n/a") << cell.dump();
    if (status == "pass") {
      ++passed;
      EXPECT_EQ(cell["negotiated_version"], cell["version"]);
      EXPECT_FALSE(cell["cipher_suite"].get<std::string>().empty());
      EXPECT_GT(cell["handshake_us"].get<int64_t>(), 0);
    } else {
      EXPECT_FALSE(cell["reason"].get<std::string>().empty()) << cell.dump();
    }
  }
  EXPECT_GT(passed, 0u);
}

TEST(MatrixApp, MarkdownAndTextAndFilters) {
  const std::string first = backend_names().front();
  ProcessResult md = run({POLYTLS_MATRIX_PATH, "--format", "markdown", "--backend", first,
                          "--transport", "memory", "--key-type", "ecdsa-p256"},
                         {}, std::chrono::seconds(120));
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_TRUE(md.out.starts_with("| server | client | version |")) << md.out;
  std::size_t rows = 0;
  for (std::size_t at = md.out.find("\n| " + first); at != std::string::npos;
       at = md.out.find("\n| " + first, at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, 2u) << md.out;  // two versions, one key type, one transport, one pair
  ProcessResult text = run({POLYTLS_MATRIX_PATH, "--backend", first, "--transport", "tcp",
                            "--tls-version", "1.2", "--key-type", "rsa2048"},
                           {}, std::chrono::seconds(120));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(first + "  "), std::string::npos);
  EXPECT_NE(text.out.find("pass"), std::string::npos);
}

TEST(MatrixApp, BadArgumentsAreClearErrors) {
  ProcessResult unknown = run({POLYTLS_MATRIX_PATH, "--backend", "nope"});
  EXPECT_EQ(unknown.exit_code, 6);
  EXPECT_NE(unknown.err.find("unknown backend 'nope'"), std::string::npos) << unknown.err;
  ProcessResult version = run({POLYTLS_MATRIX_PATH, "--tls-version", "1.1"});
  EXPECT_EQ(version.exit_code, 7);
  EXPECT_NE(version.err.find("unknown TLS version"), std::string::npos) << version.err;
  ProcessResult format = run({POLYTLS_MATRIX_PATH, "--format", "xml"});
  EXPECT_EQ(format.exit_code, 2);
}

}  // namespace
}  // namespace polytls::test
