// report.hpp: polytls-bench's results as text, markdown, JSON or CSV.
#ifndef POLYTLS_BENCH_REPORT_HPP
#define POLYTLS_BENCH_REPORT_HPP

#include <iosfwd>
#include <string>
#include <vector>

#include "polytls/result.hpp"
#include "runner.hpp"

namespace polytls::bench {

// Machine says where the figures were measured.
struct Machine {
  std::string cpu;       // model name from /proc/cpuinfo
  unsigned cores = 0;    // online CPUs
  std::string kernel;    // uname -sr
  std::string compiler;  // what built polytls-bench
  std::string build_type;
  std::string date;  // UTC, ISO 8601
};
Machine this_machine();

// StaticSize is the size of one statically linked client (static-sizes).
struct StaticSize {
  std::string backend;
  std::string file;
  std::string status;  // "ok", "unsupported"
  std::string note;
  std::uintmax_t file_bytes = 0;  // stripped file
  std::uintmax_t text_bytes = 0;  // text + data, as size(1) counts them
};

struct Report {
  Machine machine;
  std::string command;  // how it was run
  std::vector<Row> rows;
  std::vector<StaticSize> sizes;
};

// Targets for polytls against the direct references (same-run ratios).
inline constexpr double kHandshakeTargetPct = 3.0;
inline constexpr double kBulkTargetPct = 5.0;
inline constexpr double kHeapTargetBytes = 2048.0;

// read_json reads a report write_json wrote (polytls-bench --input), so a
// saved run can be rendered again in another format.
Result<Report> read_json(std::string_view text);

void write_text(std::ostream &out, const Report &report);
void write_markdown(std::ostream &out, const Report &report);
void write_json(std::ostream &out, const Report &report);
void write_csv(std::ostream &out, const Report &report);

}  // namespace polytls::bench

#endif  // POLYTLS_BENCH_REPORT_HPP
