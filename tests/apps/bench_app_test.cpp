// polytls-bench end to end: --quick on each backend produces every figure,
// each one sane (never a speed assertion: machines here are shared).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support.hpp"

namespace polytls::test {
namespace {

// has_direct says whether this build compiled a direct reference for `backend`.
bool has_direct(const std::string &backend) {
  std::stringstream list(POLYTLS_BENCH_DIRECT_BACKENDS);
  for (std::string name; std::getline(list, name, ',');) {
    if (name == backend) return true;
  }
  return false;
}

class BenchTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BenchTest, QuickRunGivesEverySaneFigure) {
  const std::string name = GetParam();
  const Backend b = backend(name);
  ProcessResult r = run({POLYTLS_BENCH_PATH, "--quick", "--format", "json", "--backend", name}, {},
                        std::chrono::seconds(300));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out.substr(0, 4000);
  const nlohmann::json report = nlohmann::json::parse(r.out);
  ASSERT_TRUE(report.contains("machine"));
  EXPECT_FALSE(report["machine"]["cpu"].get<std::string>().empty());
  EXPECT_GT(report["machine"]["cores"].get<int>(), 0);

  // (engine, test, transport, version) -> seen ok
  std::set<std::string> ok;
  for (const auto &row : report["results"]) {
    SCOPED_TRACE(row.dump());
    EXPECT_EQ(row["backend"], name);
    const std::string status = row["status"];
    ASSERT_TRUE(status == "ok" || status == "unsupported");
    const std::string engine = row["engine"];
    const std::string test = row["test"];
    const std::string version = row["version"];
    if (status == "unsupported") {
      // Only what the backend says it cannot do: TLS 1.3 here.
      EXPECT_EQ(version, "1.3");
      EXPECT_FALSE(b.supports(Capability::tls13));
      EXPECT_FALSE(row["reason"].get<std::string>().empty());
      continue;
    }
    const double median = row["median"], low = row["min"], high = row["max"];
    EXPECT_TRUE(std::isfinite(median));
    EXPECT_GT(median, 0);
    EXPECT_LE(low, median);
    EXPECT_LE(median, high);
    EXPECT_GE(row["samples"].get<int>(), 1);
    if (test == "handshake" || test == "resumed") {
      EXPECT_EQ(row["unit"], "handshakes/s");
      EXPECT_GT(row["server_cpu_us"].get<double>(), 0);
      EXPECT_GT(row["client_cpu_us"].get<double>(), 0);
    } else if (test == "bulk") {
      EXPECT_EQ(row["unit"], "MB/s");
      EXPECT_FALSE(row["cipher_suite"].get<std::string>().empty());
      const std::string direction = row["direction"];
      EXPECT_TRUE(direction == "client-to-server" || direction == "server-to-client");
    } else {
      ASSERT_EQ(test, "heap");
      EXPECT_EQ(row["unit"], "bytes");
      // A TLS connection holds at least its keys and record state, and no
      // library here needs more than a few hundred KiB per side.
      EXPECT_GT(median, 1000);
      EXPECT_LT(median, 1024 * 1024);
    }
    if (engine == "polytls" && has_direct(name)) {
      const char *field = test == "heap" ? "overhead_bytes" : "overhead_pct";
      ASSERT_TRUE(row.contains(field));
      EXPECT_TRUE(std::isfinite(row[field].get<double>()));
      EXPECT_TRUE(row["target"] == "met" || row["target"] == "missed");
    }
    ok.insert(engine + " " + test + " " + std::string(row["transport"]) + " " + version);
  }
  std::vector<std::string> engines{"polytls"};
  if (has_direct(name)) engines.push_back("direct");
  std::vector<std::string> versions;
  if (b.supports(Capability::tls12)) versions.push_back("1.2");
  if (b.supports(Capability::tls13)) versions.push_back("1.3");
  for (const std::string &engine : engines) {
    for (const std::string &version : versions) {
      for (const char *what :
           {"handshake memory", "handshake tcp", "bulk memory", "bulk tcp", "heap memory"}) {
        EXPECT_TRUE(ok.contains(engine + " " + what + " " + version))
            << engine << " " << what << " " << version;
      }
      if (b.supports(Capability::resumption)) {
        EXPECT_TRUE(ok.contains(engine + " resumed memory " + version)) << engine << version;
        EXPECT_TRUE(ok.contains(engine + " resumed tcp " + version)) << engine << version;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, BenchTest, ::testing::ValuesIn(backend_names()),
                         [](const ::testing::TestParamInfo<std::string> &p) { return p.param; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BenchTest);

TEST(BenchApp, TextMarkdownAndCsvAgree) {
  const std::string first = backend_names().front();
  const std::vector<std::string> base{
      POLYTLS_BENCH_PATH, "--quick",        "--backend",   first,
      "--test",           "handshake,heap", "--transport", "memory"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv, {}, std::chrono::seconds(120));
  };
  ProcessResult json = with({"--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto rows = nlohmann::json::parse(json.out)["results"];
  ASSERT_FALSE(rows.empty());

  ProcessResult csv = with({"--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_TRUE(csv.out.starts_with("backend,engine,test,transport,version,")) << csv.out;
  std::size_t lines = 0;
  for (char c : csv.out)
    lines += c == '\n';
  EXPECT_EQ(lines, rows.size() + 1) << csv.out;

  // A saved JSON report renders again, the same rows, without measuring.
  TempDir dir;
  write_text(dir / "run.json", json.out);
  ProcessResult again =
      run({POLYTLS_BENCH_PATH, "--input", (dir / "run.json").string(), "--format", "json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["results"], rows);
  ProcessResult again_csv =
      run({POLYTLS_BENCH_PATH, "--input", (dir / "run.json").string(), "--format", "csv"});
  ASSERT_EQ(again_csv.exit_code, 0) << again_csv.err;
  EXPECT_EQ(std::count(again_csv.out.begin(), again_csv.out.end(), '\n'),
            static_cast<std::ptrdiff_t>(rows.size() + 1));
  write_text(dir / "bad.json", "{\"results\": 3}");
  ProcessResult bad = run({POLYTLS_BENCH_PATH, "--input", (dir / "bad.json").string()});
  EXPECT_EQ(bad.exit_code, 7) << bad.err;
  EXPECT_NE(bad.err.find("not a polytls-bench JSON report"), std::string::npos) << bad.err;

  ProcessResult md = with({"--format", "markdown"});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_NE(md.out.find("#### Full handshakes per second — in memory"), std::string::npos);
  EXPECT_NE(md.out.find("| backend | engine | TLS |"), std::string::npos) << md.out;
  EXPECT_EQ(md.out.find("loopback TCP"), std::string::npos) << md.out;

  ProcessResult text = with({});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Heap held per established connection"), std::string::npos);
  EXPECT_EQ(text.out.find("Bulk throughput"), std::string::npos) << text.out;
  // Not a terminal: no progress line.
  EXPECT_EQ(text.err.find('\r'), std::string::npos) << text.err;
}

TEST(BenchApp, BadArgumentsAreClearErrorsAndOutputIsNeverClobbered) {
  ProcessResult unknown = run({POLYTLS_BENCH_PATH, "--backend", "nosuchtls"});
  EXPECT_EQ(unknown.exit_code, 6) << unknown.err;
  EXPECT_NE(unknown.err.find("nosuchtls"), std::string::npos) << unknown.err;

  ProcessResult test = run({POLYTLS_BENCH_PATH, "--test", "speed"});
  EXPECT_EQ(test.exit_code, 7) << test.err;
  EXPECT_NE(test.err.find("unknown test \"speed\""), std::string::npos) << test.err;

  ProcessResult format = run({POLYTLS_BENCH_PATH, "--format", "xml"});
  EXPECT_EQ(format.exit_code, 2) << format.err;

  TempDir dir;
  write_text(dir / "out.json", "keep me");
  const std::string first = backend_names().front();
  ProcessResult exists =
      run({POLYTLS_BENCH_PATH, "--quick", "--backend", first, "--test", "heap", "--transport",
           "memory", "--format", "json", "-o", (dir / "out.json").string()},
          {}, std::chrono::seconds(120));
  EXPECT_EQ(exists.exit_code, 3) << exists.err;
  EXPECT_EQ(read_text(dir / "out.json"), "keep me");
  ProcessResult forced =
      run({POLYTLS_BENCH_PATH, "--quick", "--backend", first, "--test", "heap", "--transport",
           "memory", "--format", "json", "-o", (dir / "out.json").string(), "--force"},
          {}, std::chrono::seconds(120));
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  const auto written = nlohmann::json::parse(read_text(dir / "out.json"));
  EXPECT_FALSE(written["results"].empty());
}

}  // namespace
}  // namespace polytls::test
