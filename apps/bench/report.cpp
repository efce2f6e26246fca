// report.cpp: rendering polytls-bench's results (report.hpp).
#include "report.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

namespace polytls::bench {

Machine this_machine() {
  Machine m;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      m.cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  m.cores = static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN));
  utsname u{};
  if (uname(&u) == 0) m.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
#if defined(__clang__)
  m.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  m.compiler = "g++ " __VERSION__;
#endif
#ifdef POLYTLS_BENCH_BUILD_TYPE
  m.build_type = POLYTLS_BENCH_BUILD_TYPE;
#endif
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  m.date = date;
  return m;
}

namespace {

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

// figure renders a value with as many digits as its size needs.
std::string figure(double v) {
  const double a = std::fabs(v);
  return fixed(v, a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

std::string engine_name(const Row &r) {
  return r.direct ? "direct" : "polytls";
}

std::string overhead_text(const Row &r) {
  if (r.overhead_pct) {
    return (*r.overhead_pct >= 0 ? "+" : "") + fixed(*r.overhead_pct, 1) + "%";
  }
  if (r.overhead_bytes) {
    return (*r.overhead_bytes >= 0 ? "+" : "") + fixed(*r.overhead_bytes, 0) + " B";
  }
  return "";
}

// target_text says whether a polytls row meets its target against direct.
std::string target_text(const Row &r) {
  if (r.overhead_pct) {
    const double limit = r.test == Test::bulk ? kBulkTargetPct : kHandshakeTargetPct;
    return *r.overhead_pct <= limit ? "met" : "missed";
  }
  if (r.overhead_bytes) return *r.overhead_bytes <= kHeapTargetBytes ? "met" : "missed";
  return "";
}

struct Table {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// tables groups the rows by test and transport, one table each.
std::vector<Table> tables(const Report &report) {
  std::vector<Table> out;
  for (Test test : {Test::handshake, Test::resumed, Test::bulk, Test::heap}) {
    for (Wire wire : {Wire::memory, Wire::tcp}) {
      Table t;
      switch (test) {
        case Test::handshake: t.title = "Full handshakes per second"; break;
        case Test::resumed: t.title = "Resumed handshakes per second"; break;
        case Test::bulk: t.title = "Bulk throughput, MB/s (16 KiB records)"; break;
        case Test::heap: t.title = "Heap held per established connection, bytes"; break;
      }
      t.title += std::string(" — ") + (wire == Wire::memory ? "in memory" : "loopback TCP");
      t.header = {"backend", "engine", "TLS", "key", "group"};
      if (test == Test::bulk) t.header.insert(t.header.end(), {"suite", "direction"});
      if (test == Test::heap) t.header.push_back("side");
      t.header.insert(t.header.end(), {"median", "min", "max"});
      if (test == Test::handshake || test == Test::resumed) {
        t.header.insert(t.header.end(), {"server CPU µs", "client CPU µs"});
      }
      t.header.insert(t.header.end(), {"vs direct", "target", "status"});
      for (const Row &r : report.rows) {
        if (r.test != test || r.wire != wire || r.backend.empty()) continue;
        std::vector<std::string> cells{r.backend, engine_name(r), r.version, r.key_type, r.group};
        if (test == Test::bulk) cells.insert(cells.end(), {r.suite, r.direction});
        if (test == Test::heap) cells.push_back(r.direction);
        const bool ok = r.status == "ok";
        cells.push_back(ok ? figure(r.value.median) : "");
        cells.push_back(ok ? figure(r.value.min) : "");
        cells.push_back(ok ? figure(r.value.max) : "");
        if (test == Test::handshake || test == Test::resumed) {
          cells.push_back(r.server_cpu_us ? fixed(*r.server_cpu_us, 0) : "");
          cells.push_back(r.client_cpu_us ? fixed(*r.client_cpu_us, 0) : "");
        }
        cells.push_back(overhead_text(r));
        cells.push_back(target_text(r));
        cells.push_back(ok ? "ok" : r.status + ": " + r.note);
        t.rows.push_back(std::move(cells));
      }
      if (!t.rows.empty()) out.push_back(std::move(t));
    }
  }
  return out;
}

std::string human_bytes(std::uintmax_t b) {
  return fixed(static_cast<double>(b) / 1024.0, 1) + " KiB";
}

void machine_lines(std::ostream &out, const Report &r, const char *bullet) {
  out << bullet << "machine: " << r.machine.cpu << ", " << r.machine.cores << " CPUs, "
      << r.machine.kernel << "\n"
      << bullet << "built with: " << r.machine.compiler
      << (r.machine.build_type.empty() ? "" : " (" + r.machine.build_type + ")") << "\n"
      << bullet << "date: " << r.machine.date << "\n";
  if (!r.command.empty()) out << bullet << "command: " << r.command << "\n";
}

std::string csv_cell(const std::string &s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

}  // namespace

void write_text(std::ostream &out, const Report &report) {
  out << "polytls-bench\n";
  machine_lines(out, report, "  ");
  for (const Row &r : report.rows) {
    if (r.backend.empty()) out << "\nfailed: " << r.note << "\n";
  }
  for (const Table &t : tables(report)) {
    out << "\n" << t.title << "\n";
    std::vector<std::size_t> widths(t.header.size());
    auto width = [](const std::string &s) {
      std::size_t n = 0;  // UTF-8 characters, for "µs" and "—"
      for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
      return n;
    };
    for (std::size_t i = 0; i < t.header.size(); ++i)
      widths[i] = width(t.header[i]);
    for (const auto &row : t.rows) {
      for (std::size_t i = 0; i + 1 < row.size(); ++i)
        widths[i] = std::max(widths[i], width(row[i]));
    }
    auto line = [&](const std::vector<std::string> &cells) {
      std::string text;
      for (std::size_t i = 0; i < cells.size(); ++i) {
        text += cells[i];
        if (i + 1 < cells.size()) text += std::string(widths[i] - width(cells[i]) + 2, ' ');
      }
      while (!text.empty() && text.back() == ' ')
        text.pop_back();
      out << "  " << text << "\n";
    };
    line(t.header);
    for (const auto &row : t.rows)
      line(row);
  }
  if (!report.sizes.empty()) {
    out << "\nStatically linked client (stripped)\n";
    for (const StaticSize &s : report.sizes) {
      out << "  " << std::left << std::setw(9) << s.backend
          << (s.status == "ok" ? human_bytes(s.file_bytes) : s.status + ": " + s.note) << "\n";
    }
  }
  out << "\nTargets for polytls against direct (same run): handshake time +" << kHandshakeTargetPct
      << "%, bulk +" << kBulkTargetPct << "%, heap +" << kHeapTargetBytes << " B per connection.\n";
}

void write_markdown(std::ostream &out, const Report &report) {
  machine_lines(out, report, "- ");
  for (const Table &t : tables(report)) {
    out << "\n#### " << t.title << "\n\n|";
    for (const auto &h : t.header)
      out << " " << h << " |";
    out << "\n|";
    for (std::size_t i = 0; i < t.header.size(); ++i) {
      const bool number = t.header[i] == "median" || t.header[i] == "min" || t.header[i] == "max" ||
                          t.header[i].find("CPU") != std::string::npos ||
                          t.header[i] == "vs direct";
      out << (number ? " ---: |" : " --- |");
    }
    out << "\n";
    for (const auto &row : t.rows) {
      out << "|";
      for (std::string cell : row) {
        for (char &c : cell) {
          if (c == '|') c = '/';
        }
        out << " " << cell << " |";
      }
      out << "\n";
    }
  }
  if (!report.sizes.empty()) {
    out << "\n#### Statically linked client (stripped)\n\n| backend | size | status |\n| --- | "
           "---: "
           "| --- |\n";
    for (const StaticSize &s : report.sizes) {
      out << "| " << s.backend << " | " << (s.status == "ok" ? human_bytes(s.file_bytes) : "")
          << " | " << (s.status == "ok" ? "ok" : s.status + ": " + s.note) << " |\n";
    }
  }
}

void write_json(std::ostream &out, const Report &report) {
  nlohmann::json j;
  j["machine"] = {{"cpu", report.machine.cpu},
                  {"cores", report.machine.cores},
                  {"kernel", report.machine.kernel},
                  {"compiler", report.machine.compiler},
                  {"build_type", report.machine.build_type},
                  {"date", report.machine.date}};
  j["command"] = report.command;
  j["targets"] = {{"handshake_pct", kHandshakeTargetPct},
                  {"bulk_pct", kBulkTargetPct},
                  {"heap_bytes", kHeapTargetBytes}};
  j["results"] = nlohmann::json::array();
  for (const Row &r : report.rows) {
    nlohmann::json o = {{"backend", r.backend},
                        {"library", r.library},
                        {"engine", engine_name(r)},
                        {"test", std::string(to_string(r.test))},
                        {"transport", std::string(to_string(r.wire))},
                        {"version", r.version},
                        {"key_type", r.key_type},
                        {"group", r.group},
                        {"cipher_suite", r.suite},
                        {"direction", r.direction},
                        {"status", r.status},
                        {"unit", r.unit}};
    if (!r.note.empty()) o["reason"] = r.note;
    if (r.status == "ok") {
      o["median"] = r.value.median;
      o["min"] = r.value.min;
      o["max"] = r.value.max;
      o["samples"] = r.value.samples;
    }
    if (r.server_cpu_us) o["server_cpu_us"] = *r.server_cpu_us;
    if (r.client_cpu_us) o["client_cpu_us"] = *r.client_cpu_us;
    if (r.overhead_pct) o["overhead_pct"] = *r.overhead_pct;
    if (r.overhead_bytes) o["overhead_bytes"] = *r.overhead_bytes;
    if (!target_text(r).empty()) o["target"] = target_text(r);
    j["results"].push_back(std::move(o));
  }
  j["static_clients"] = nlohmann::json::array();
  for (const StaticSize &s : report.sizes) {
    nlohmann::json o = {{"backend", s.backend}, {"status", s.status}, {"file", s.file}};
    if (s.status == "ok") o["stripped_bytes"] = s.file_bytes;
    if (!s.note.empty()) o["reason"] = s.note;
    j["static_clients"].push_back(std::move(o));
  }
  out << j.dump(2) << "\n";
}

Result<Report> read_json(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("results") || !j["results"].is_array()) {
    return Error(ErrorCode::bad_input, "not a polytls-bench JSON report");
  }
  try {
    Report r;
    const auto &m = j.at("machine");
    r.machine = Machine{m.value("cpu", ""),      m.value("cores", 0u),      m.value("kernel", ""),
                        m.value("compiler", ""), m.value("build_type", ""), m.value("date", "")};
    r.command = j.value("command", "");
    for (const auto &o : j["results"]) {
      Row row;
      row.backend = o.value("backend", "");
      row.library = o.value("library", "");
      row.direct = o.value("engine", "") == "direct";
      const std::string test = o.value("test", "");
      const auto parsed = parse_test(test);
      if (!parsed) {
        return Error(ErrorCode::bad_input, "unknown test \"" + test + "\" in the report");
      }
      row.test = *parsed;
      row.wire = o.value("transport", "") == "tcp" ? Wire::tcp : Wire::memory;
      row.version = o.value("version", "");
      row.key_type = o.value("key_type", "");
      row.group = o.value("group", "");
      row.suite = o.value("cipher_suite", "");
      row.direction = o.value("direction", "");
      row.status = o.value("status", "");
      row.note = o.value("reason", "");
      row.unit = o.value("unit", "");
      if (row.status == "ok") {
        row.value = Stat{o.at("median").get<double>(), o.at("min").get<double>(),
                         o.at("max").get<double>(), o.at("samples").get<int>()};
      }
      if (o.contains("server_cpu_us")) row.server_cpu_us = o["server_cpu_us"].get<double>();
      if (o.contains("client_cpu_us")) row.client_cpu_us = o["client_cpu_us"].get<double>();
      if (o.contains("overhead_pct")) row.overhead_pct = o["overhead_pct"].get<double>();
      if (o.contains("overhead_bytes")) row.overhead_bytes = o["overhead_bytes"].get<double>();
      r.rows.push_back(std::move(row));
    }
    for (const auto &o : j.value("static_clients", nlohmann::json::array())) {
      StaticSize s;
      s.backend = o.value("backend", "");
      s.status = o.value("status", "");
      s.file = o.value("file", "");
      s.note = o.value("reason", "");
      s.file_bytes = o.value("stripped_bytes", std::uintmax_t{0});
      r.sizes.push_back(std::move(s));
    }
    return r;
  } catch (const nlohmann::json::exception &e) {
    return Error(ErrorCode::bad_input,
                 std::string("a malformed polytls-bench report: ") + e.what());
  }
}

void write_csv(std::ostream &out, const Report &report) {
  out << "backend,engine,test,transport,version,key_type,group,cipher_suite,direction,unit,"
         "median,min,max,samples,server_cpu_us,client_cpu_us,overhead_pct,overhead_bytes,status,"
         "reason\n";
  auto opt = [](const std::optional<double> &v) { return v ? fixed(*v, 3) : std::string(); };
  for (const Row &r : report.rows) {
    const bool ok = r.status == "ok";
    out << csv_cell(r.backend) << "," << engine_name(r) << "," << to_string(r.test) << ","
        << to_string(r.wire) << "," << r.version << "," << r.key_type << "," << r.group << ","
        << r.suite << "," << r.direction << "," << r.unit << ","
        << (ok ? fixed(r.value.median, 3) : "") << "," << (ok ? fixed(r.value.min, 3) : "") << ","
        << (ok ? fixed(r.value.max, 3) : "") << "," << (ok ? std::to_string(r.value.samples) : "")
        << "," << opt(r.server_cpu_us) << "," << opt(r.client_cpu_us) << "," << opt(r.overhead_pct)
        << "," << opt(r.overhead_bytes) << "," << r.status << "," << csv_cell(r.note) << "\n";
  }
}

}  // namespace polytls::bench
