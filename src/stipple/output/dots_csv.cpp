#include "stipple/output/dots_csv.h"

#include "stipple/output/write_file.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <system_error>
#include <unordered_map>

namespace stipple {
namespace {

constexpr int kColumns = 13;
constexpr std::array<std::string_view, kColumns> kColumnNames = {
    "id",   "session",     "x_mm",     "y_mm",     "z_mm",           "nx", "ny", "nz",
    "zone", "diameter_mm", "depth_mm", "dilution", "density_per_cm2"};

// A dots.csv row is ~90 characters; anything much longer is not one of ours, and a bound keeps a
// file without line breaks from being read into memory whole.
constexpr std::size_t kMaxLineChars = 4096;

// Flush the formatting buffer to the stream in chunks of about this size.
constexpr std::size_t kFlushBytes = 1 << 20;

// Appends v with `decimals` fixed decimals. Values that round to zero are written as 0 so a
// coordinate of -0.0001 mm does not come out as "-0.000".
void append_fixed(fmt::memory_buffer& buf, double v, int decimals) {
  const double half_unit = 0.5 * std::pow(10.0, -decimals);
  if (std::abs(v) < half_unit) v = 0.0;
  fmt::format_to(std::back_inserter(buf), "{:.{}f}", v, decimals);
}

// CSV field quoting (RFC 4180) for zone names. Plan validation already limits names to
// [a-z0-9_-], so this only matters for hand-built results; line breaks cannot be read back by a
// line-based reader and are refused.
void append_name(fmt::memory_buffer& buf, const std::string& name, int dot_id) {
  bool needs_quotes = false;
  for (char c : name) {
    if (c == '\n' || c == '\r') {
      throw std::invalid_argument(
          fmt::format("dots.csv: dot {}: zone name contains a line break", dot_id));
    }
    if (c == ',' || c == '"') needs_quotes = true;
  }
  if (!needs_quotes) {
    buf.append(name);
    return;
  }
  buf.push_back('"');
  for (char c : name) {
    if (c == '"') buf.push_back('"');
    buf.push_back(c);
  }
  buf.push_back('"');
}

void check_finite(double v, int dot_id, std::string_view what) {
  if (!std::isfinite(v)) {
    throw std::invalid_argument(fmt::format("dots.csv: dot {}: {} is not finite", dot_id, what));
  }
}

void append_row(fmt::memory_buffer& buf, const Dot& d, const std::vector<Zone>& zones) {
  if (d.zone < 0 || static_cast<std::size_t>(d.zone) >= zones.size()) {
    throw std::invalid_argument(
        fmt::format("dots.csv: dot {}: zone index {} is out of range (the plan has {} zones)", d.id,
                    d.zone, zones.size()));
  }
  for (int i = 0; i < 3; ++i) {
    check_finite(d.position_mm[i], d.id, kColumnNames[2 + i]);
    check_finite(d.normal[i], d.id, kColumnNames[5 + i]);
  }
  check_finite(d.diameter_mm, d.id, "diameter_mm");
  check_finite(d.depth_mm, d.id, "depth_mm");
  check_finite(d.density_per_cm2, d.id, "density_per_cm2");

  fmt::format_to(std::back_inserter(buf), "{},{},", d.id, d.session);
  for (int i = 0; i < 3; ++i) {
    append_fixed(buf, d.position_mm[i], 3);  // micrometres
    buf.push_back(',');
  }
  for (int i = 0; i < 3; ++i) {
    append_fixed(buf, d.normal[i], 4);
    buf.push_back(',');
  }
  append_name(buf, zones[d.zone].name, d.id);
  buf.push_back(',');
  append_fixed(buf, d.diameter_mm, 3);
  buf.push_back(',');
  append_fixed(buf, d.depth_mm, 3);
  buf.push_back(',');
  try {
    buf.append(format_dilution_ratio(d.dilution_water_parts));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("dots.csv: dot {}: {}", d.id, e.what()));
  }
  buf.push_back(',');
  append_fixed(buf, d.density_per_cm2, 1);
  buf.push_back('\n');
}

// Reads one line (without '\n', and without a trailing '\r' so CRLF files from spreadsheets read
// too). Returns false at the end of the input. Throws when a line exceeds kMaxLineChars.
bool read_line(std::streambuf& sb, std::string& line, std::size_t line_no,
               const std::string& source) {
  line.clear();
  using Traits = std::streambuf::traits_type;
  int c = sb.sbumpc();
  if (c == Traits::eof()) return false;
  while (c != Traits::eof() && c != '\n') {
    if (line.size() >= kMaxLineChars) {
      throw DotsCsvError(
          fmt::format("{}:{}: line longer than {} characters", source, line_no, kMaxLineChars));
    }
    line.push_back(static_cast<char>(c));
    c = sb.sbumpc();
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

// Splits a row into fields, honouring RFC 4180 quotes. Returns false (with `error`) when a quote
// is malformed.
bool split_fields(const std::string& line, std::vector<std::string>& fields, std::string& error) {
  fields.clear();
  std::string field;
  std::size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) {
          error = fmt::format("column {}: unterminated quoted field", fields.size() + 1);
          return false;
        }
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(line[i++]);
      }
      if (i < line.size() && line[i] != ',') {
        error = fmt::format("column {}: text after a closing quote", fields.size() + 1);
        return false;
      }
    } else {
      while (i < line.size() && line[i] != ',') field.push_back(line[i++]);
    }
    fields.push_back(field);
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

// Shortens a field for an error message so a hostile file cannot make messages huge.
std::string shown(std::string_view field) {
  if (field.size() <= 40) return std::string(field);
  return std::string(field.substr(0, 40)) + "...";
}

struct RowParser {
  const std::string& source;
  std::size_t line_no;
  const std::vector<std::string>& fields;

  [[noreturn]] void fail(int col, std::string_view what) const {
    throw DotsCsvError(fmt::format("{}:{}: column {} ({}): {}", source, line_no, col + 1,
                                   kColumnNames[col], what));
  }

  double number(int col) const {
    const std::string& f = fields[col];
    double v = 0;
    // std::from_chars is locale-independent, unlike strtod/stod.
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (f.empty() || ec != std::errc() || end != f.data() + f.size()) {
      fail(col, fmt::format("expected a number, got '{}'", shown(f)));
    }
    if (!std::isfinite(v)) fail(col, fmt::format("expected a finite number, got '{}'", shown(f)));
    return v;
  }

  int integer(int col, int min_value) const {
    const std::string& f = fields[col];
    int v = 0;
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (f.empty() || ec != std::errc() || end != f.data() + f.size()) {
      fail(col, fmt::format("expected an integer, got '{}'", shown(f)));
    }
    if (v < min_value) fail(col, fmt::format("{} is below the minimum {}", v, min_value));
    return v;
  }
};

}  // namespace

std::string format_dilution_ratio(double water_parts) {
  if (!std::isfinite(water_parts) || water_parts < 0) {
    throw std::invalid_argument(
        fmt::format("dilution water parts {} must be a finite number >= 0", water_parts));
  }
  std::string s = fmt::format("{:.3f}", water_parts);
  // Trim "7.500" to "7.5" and "20.000" to "20": clinics write dilutions as 20:1, not 20.000:1.
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  s += ":1";
  return s;
}

double parse_dilution_ratio(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || text.substr(colon + 1) != "1") {
    throw std::invalid_argument(
        fmt::format("dilution '{}' is not of the form W:1 (water:pigment)", shown(text)));
  }
  const std::string_view w = text.substr(0, colon);
  double v = 0;
  auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (w.empty() || ec != std::errc() || end != w.data() + w.size() || !std::isfinite(v) || v < 0) {
    throw std::invalid_argument(fmt::format(
        "dilution '{}': water parts must be a number >= 0 (W:1 water:pigment)", shown(text)));
  }
  return v;
}

void write_dots_csv(const PlanResult& result, std::ostream& out) {
  fmt::memory_buffer buf;
  buf.append(kDotsCsvHeader);
  buf.push_back('\n');
  for (const Dot& d : result.dots) {
    append_row(buf, d, result.plan.zones);
    if (buf.size() >= kFlushBytes) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  out.flush();
  if (!out) throw std::runtime_error("dots.csv: write failed");
}

void write_dots_csv(const PlanResult& result, const std::string& path) {
  write_file_atomically(path, [&](std::ostream& out) { write_dots_csv(result, out); });
}

DotMap read_dots_csv(std::istream& in, const std::vector<std::string>& zone_names,
                     const std::string& source_name, std::size_t max_rows) {
  std::streambuf* sb = in.rdbuf();
  if (sb == nullptr) throw DotsCsvError(fmt::format("{}: no input", source_name));

  std::string line;
  std::size_t line_no = 1;
  if (!read_line(*sb, line, line_no, source_name)) {
    throw DotsCsvError(
        fmt::format("{}: empty file (expected the header '{}')", source_name, kDotsCsvHeader));
  }
  // A UTF-8 byte order mark, as some spreadsheet programs add on export.
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  if (line != kDotsCsvHeader) {
    throw DotsCsvError(fmt::format("{}:1: header is '{}', expected '{}'", source_name, shown(line),
                                   kDotsCsvHeader));
  }

  std::unordered_map<std::string, int> zone_index;
  for (std::size_t i = 0; i < zone_names.size(); ++i) {
    zone_index.emplace(zone_names[i], static_cast<int>(i));
  }

  DotMap dots;
  std::vector<std::string> fields;
  std::string error;
  while (read_line(*sb, line, ++line_no, source_name)) {
    if (dots.size() >= max_rows) {
      throw DotsCsvError(fmt::format("{}:{}: more than {} rows", source_name, line_no, max_rows));
    }
    if (line.empty()) throw DotsCsvError(fmt::format("{}:{}: empty line", source_name, line_no));
    if (!split_fields(line, fields, error)) {
      throw DotsCsvError(fmt::format("{}:{}: {}", source_name, line_no, error));
    }
    if (fields.size() != kColumns) {
      throw DotsCsvError(fmt::format("{}:{}: expected {} columns, found {}", source_name, line_no,
                                     kColumns, fields.size()));
    }
    const RowParser p{source_name, line_no, fields};
    Dot d;
    d.id = p.integer(0, 0);
    d.session = p.integer(1, 1);
    for (int i = 0; i < 3; ++i) d.position_mm[i] = p.number(2 + i);
    for (int i = 0; i < 3; ++i) d.normal[i] = p.number(5 + i);
    // 4 decimals per component leave |n| within ~2e-4 of 1; 1 % is a generous bound that still
    // catches a column written in the wrong place.
    if (std::abs(d.normal.norm() - 1.0) > 0.01) {
      p.fail(5, fmt::format("normal ({}, {}, {}) is not unit length", fields[5], fields[6],
                            fields[7]));
    }
    auto z = zone_index.find(fields[8]);
    if (z == zone_index.end()) {
      p.fail(8, fmt::format("unknown zone '{}' (the plan has {} zones)", shown(fields[8]),
                            zone_names.size()));
    }
    d.zone = z->second;
    d.diameter_mm = p.number(9);
    if (d.diameter_mm <= 0) p.fail(9, "must be > 0");
    d.depth_mm = p.number(10);
    if (d.depth_mm <= 0) p.fail(10, "must be > 0");
    try {
      d.dilution_water_parts = parse_dilution_ratio(fields[11]);
    } catch (const std::invalid_argument& e) {
      p.fail(11, e.what());
    }
    d.density_per_cm2 = p.number(12);
    if (d.density_per_cm2 < 0) p.fail(12, "must be >= 0");
    dots.push_back(d);
  }
  if (in.bad()) throw DotsCsvError(fmt::format("{}: read error", source_name));
  return dots;
}

DotMap read_dots_csv(const std::string& path, const std::vector<std::string>& zone_names) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DotsCsvError(fmt::format("cannot open '{}' for reading", path));
  return read_dots_csv(in, zone_names, path);
}

}  // namespace stipple
