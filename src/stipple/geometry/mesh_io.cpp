#include "stipple/geometry/mesh_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace stipple {
namespace {

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw std::runtime_error(fmt::format("{}: {}", name, what));
}

TriMesh to_mesh(const std::vector<double>& v, const std::vector<int>& f) {
  TriMesh mesh;
  mesh.V = Eigen::Map<const MatV>(v.data(), static_cast<Eigen::Index>(v.size() / 3), 3);
  mesh.F = Eigen::Map<const MatF>(f.data(), static_cast<Eigen::Index>(f.size() / 3), 3);
  return mesh;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// Splits a line into whitespace-separated tokens (views into the line).
void tokenize(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
}

bool parse_double(std::string_view s, double& out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool parse_int64(std::string_view s, long long& out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::string shown(std::string_view token) {
  // Tokens from garbage files can be long or binary: show a short printable prefix.
  std::string s;
  for (char c : token.substr(0, 32)) {
    s += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  if (token.size() > 32) s += "...";
  return s;
}

// ---------------------------------------------------------------------------------------------
// PLY

enum class PlyType { kInt8, kUInt8, kInt16, kUInt16, kInt32, kUInt32, kFloat32, kFloat64 };

bool ply_type_from_name(std::string_view name, PlyType& t) {
  static const std::pair<std::string_view, PlyType> kNames[] = {
      {"char", PlyType::kInt8},      {"int8", PlyType::kInt8},       {"uchar", PlyType::kUInt8},
      {"uint8", PlyType::kUInt8},    {"short", PlyType::kInt16},     {"int16", PlyType::kInt16},
      {"ushort", PlyType::kUInt16},  {"uint16", PlyType::kUInt16},   {"int", PlyType::kInt32},
      {"int32", PlyType::kInt32},    {"uint", PlyType::kUInt32},     {"uint32", PlyType::kUInt32},
      {"float", PlyType::kFloat32},  {"float32", PlyType::kFloat32}, {"double", PlyType::kFloat64},
      {"float64", PlyType::kFloat64}};
  for (const auto& [n, type] : kNames) {
    if (n == name) {
      t = type;
      return true;
    }
  }
  return false;
}

int ply_type_size(PlyType t) {
  switch (t) {
    case PlyType::kInt8:
    case PlyType::kUInt8:
      return 1;
    case PlyType::kInt16:
    case PlyType::kUInt16:
      return 2;
    case PlyType::kInt32:
    case PlyType::kUInt32:
    case PlyType::kFloat32:
      return 4;
    case PlyType::kFloat64:
      return 8;
  }
  return 1;
}

bool ply_type_is_integer(PlyType t) {
  return t != PlyType::kFloat32 && t != PlyType::kFloat64;
}

struct PlyProperty {
  std::string name;
  bool is_list = false;
  PlyType count_type = PlyType::kUInt8;
  PlyType type = PlyType::kFloat32;
};

struct PlyElement {
  std::string name;
  long long count = 0;
  std::vector<PlyProperty> properties;
};

enum class PlyFormat { kAscii, kBinaryLittle, kBinaryBig };

// Reads values of the data section, ascii or binary, with bounds checks.
class PlyReader {
 public:
  PlyReader(std::string_view data, PlyFormat format, const std::string& name)
      : data_(data), format_(format), name_(name) {}

  // `where` describes the element being read, for errors ("vertex 12").
  double read(PlyType t, const std::string& where) {
    if (format_ == PlyFormat::kAscii) return read_ascii(t, where);
    const int size = ply_type_size(t);
    if (data_.size() - pos_ < static_cast<std::size_t>(size)) {
      fail(name_, fmt::format("file ends inside {}", where));
    }
    unsigned char b[8];
    std::memcpy(b, data_.data() + pos_, static_cast<std::size_t>(size));
    pos_ += static_cast<std::size_t>(size);
    const bool file_big = format_ == PlyFormat::kBinaryBig;
    const bool host_big = std::endian::native == std::endian::big;
    if (file_big != host_big) std::reverse(b, b + size);
    switch (t) {
      case PlyType::kInt8: {
        std::int8_t v;
        std::memcpy(&v, b, 1);
        return v;
      }
      case PlyType::kUInt8:
        return b[0];
      case PlyType::kInt16: {
        std::int16_t v;
        std::memcpy(&v, b, 2);
        return v;
      }
      case PlyType::kUInt16: {
        std::uint16_t v;
        std::memcpy(&v, b, 2);
        return v;
      }
      case PlyType::kInt32: {
        std::int32_t v;
        std::memcpy(&v, b, 4);
        return v;
      }
      case PlyType::kUInt32: {
        std::uint32_t v;
        std::memcpy(&v, b, 4);
        return v;
      }
      case PlyType::kFloat32: {
        float v;
        std::memcpy(&v, b, 4);
        return v;
      }
      case PlyType::kFloat64: {
        double v;
        std::memcpy(&v, b, 8);
        return v;
      }
    }
    return 0;
  }

 private:
  double read_ascii(PlyType t, const std::string& where) {
    while (pos_ < data_.size() && (is_space(data_[pos_]) || data_[pos_] == '\n')) ++pos_;
    if (pos_ >= data_.size()) fail(name_, fmt::format("file ends inside {}", where));
    const std::size_t start = pos_;
    while (pos_ < data_.size() && !is_space(data_[pos_]) && data_[pos_] != '\n') ++pos_;
    const std::string_view token = data_.substr(start, pos_ - start);
    if (ply_type_is_integer(t)) {
      long long v = 0;
      if (!parse_int64(token, v)) {
        fail(name_, fmt::format("{}: '{}' is not an integer", where, shown(token)));
      }
      return static_cast<double>(v);
    }
    double v = 0;
    if (!parse_double(token, v)) {
      fail(name_, fmt::format("{}: '{}' is not a number", where, shown(token)));
    }
    return v;
  }

  std::string_view data_;
  PlyFormat format_;
  const std::string& name_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string read_file_bytes(const std::string& path, std::uint64_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) fail(path, fmt::format("cannot read the file ({})", ec.message()));
  if (size > max_bytes) {
    fail(path, fmt::format("file is {} bytes, the limit is {} bytes", size, max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open the file");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uint64_t>(in.gcount()) != size) fail(path, "could not read the whole file");
  return bytes;
}

TriMesh parse_ply(std::string_view bytes, const std::string& name, const MeshIoLimits& limits) {
  if (bytes.size() > limits.max_file_bytes) {
    fail(name, fmt::format("file is {} bytes, the limit is {} bytes", bytes.size(),
                           limits.max_file_bytes));
  }
  // Header: text lines up to "end_header".
  constexpr std::size_t kMaxHeaderBytes = 1 << 20;
  std::size_t pos = 0;
  int line_no = 0;
  std::vector<std::string_view> tok;
  std::vector<PlyElement> elements;
  PlyFormat format = PlyFormat::kAscii;
  bool have_format = false;
  bool ended = false;
  while (!ended) {
    if (pos >= bytes.size() || pos > kMaxHeaderBytes) {
      fail(name, "the PLY header has no end_header line");
    }
    std::size_t eol = bytes.find('\n', pos);
    if (eol == std::string_view::npos) eol = bytes.size();
    const std::string_view line = bytes.substr(pos, eol - pos);
    pos = std::min(bytes.size(), eol + 1);
    ++line_no;
    tokenize(line, tok);
    if (line_no == 1) {
      if (tok.size() != 1 || tok[0] != "ply") fail(name, "not a PLY file (no 'ply' on line 1)");
      continue;
    }
    if (tok.empty() || tok[0] == "comment" || tok[0] == "obj_info") continue;
    const std::string where = fmt::format("header line {}", line_no);
    if (tok[0] == "format") {
      if (tok.size() != 3) fail(name, fmt::format("{}: format needs a type and a version", where));
      if (tok[1] == "ascii") {
        format = PlyFormat::kAscii;
      } else if (tok[1] == "binary_little_endian") {
        format = PlyFormat::kBinaryLittle;
      } else if (tok[1] == "binary_big_endian") {
        format = PlyFormat::kBinaryBig;
      } else {
        fail(name, fmt::format("{}: unknown format '{}', allowed ascii, binary_little_endian, "
                               "binary_big_endian",
                               where, shown(tok[1])));
      }
      if (tok[2] != "1.0")
        fail(name, fmt::format("{}: unsupported version '{}'", where, shown(tok[2])));
      have_format = true;
    } else if (tok[0] == "element") {
      if (tok.size() != 3) fail(name, fmt::format("{}: element needs a name and a count", where));
      PlyElement e;
      e.name = std::string(tok[1]);
      if (!parse_int64(tok[2], e.count) || e.count < 0) {
        fail(name, fmt::format("{}: element {} count '{}' is not a non-negative integer", where,
                               e.name, shown(tok[2])));
      }
      const long long cap = e.name == "vertex" ? limits.max_vertices : limits.max_faces;
      if (e.count > cap) {
        fail(name, fmt::format("{}: element {} has {} items, the limit is {}", where, e.name,
                               e.count, cap));
      }
      elements.push_back(std::move(e));
    } else if (tok[0] == "property") {
      if (elements.empty()) fail(name, fmt::format("{}: property before any element", where));
      PlyProperty p;
      if (tok.size() == 5 && tok[1] == "list") {
        p.is_list = true;
        if (!ply_type_from_name(tok[2], p.count_type) || !ply_type_from_name(tok[3], p.type)) {
          fail(name, fmt::format("{}: unknown property type in '{} {}'", where, shown(tok[2]),
                                 shown(tok[3])));
        }
        if (!ply_type_is_integer(p.count_type)) {
          fail(name, fmt::format("{}: a list count must be an integer type", where));
        }
        p.name = std::string(tok[4]);
      } else if (tok.size() == 3) {
        if (!ply_type_from_name(tok[1], p.type)) {
          fail(name, fmt::format("{}: unknown property type '{}'", where, shown(tok[1])));
        }
        p.name = std::string(tok[2]);
      } else {
        fail(name, fmt::format("{}: malformed property line", where));
      }
      elements.back().properties.push_back(std::move(p));
    } else if (tok[0] == "end_header") {
      ended = true;
    } else {
      fail(name, fmt::format("{}: unknown header keyword '{}'", where, shown(tok[0])));
    }
  }
  if (!have_format) fail(name, "the PLY header has no format line");

  const PlyElement* vertex_el = nullptr;
  const PlyElement* face_el = nullptr;
  for (const PlyElement& e : elements) {
    if (e.name == "vertex" && !vertex_el) vertex_el = &e;
    if (e.name == "face" && !face_el) face_el = &e;
  }
  if (!vertex_el || vertex_el->count == 0) fail(name, "the file has no vertices");
  if (!face_el || face_el->count == 0) fail(name, "the file has no faces");
  int xyz[3] = {-1, -1, -1};
  for (std::size_t i = 0; i < vertex_el->properties.size(); ++i) {
    const PlyProperty& p = vertex_el->properties[i];
    for (int k = 0; k < 3; ++k) {
      if (p.name == std::string(1, char('x' + k)) && !p.is_list) xyz[k] = static_cast<int>(i);
    }
  }
  for (int k = 0; k < 3; ++k) {
    if (xyz[k] < 0)
      fail(name, fmt::format("element vertex has no scalar property {}", char('x' + k)));
  }
  int index_prop = -1;
  for (std::size_t i = 0; i < face_el->properties.size(); ++i) {
    const PlyProperty& p = face_el->properties[i];
    if (p.is_list && (p.name == "vertex_indices" || p.name == "vertex_index")) {
      index_prop = static_cast<int>(i);
      break;
    }
  }
  if (index_prop < 0) fail(name, "element face has no list property vertex_indices");
  if (!ply_type_is_integer(face_el->properties[static_cast<std::size_t>(index_prop)].type)) {
    fail(name, "face vertex_indices must have an integer type");
  }

  // Data.
  PlyReader reader(bytes.substr(pos), format, name);
  const long long nv = vertex_el->count;
  std::vector<double> v;
  v.reserve(static_cast<std::size_t>(nv) * 3);
  std::vector<int> f;
  constexpr long long kMaxPolygon = 1000;
  std::vector<long long> poly;
  for (const PlyElement& e : elements) {
    const bool is_vertex = &e == vertex_el;
    const bool is_face = &e == face_el;
    for (long long item = 0; item < e.count; ++item) {
      const std::string where = fmt::format("{} {}", e.name, item);
      double coords[3] = {0, 0, 0};
      for (std::size_t pi = 0; pi < e.properties.size(); ++pi) {
        const PlyProperty& p = e.properties[pi];
        if (!p.is_list) {
          const double value = reader.read(p.type, where);
          if (is_vertex) {
            for (int k = 0; k < 3; ++k) {
              if (xyz[k] == static_cast<int>(pi)) coords[k] = value;
            }
          }
          continue;
        }
        const double count_d = reader.read(p.count_type, where);
        if (count_d < 0 || count_d > kMaxPolygon) {
          fail(name, fmt::format("{}: list {} has {} items, allowed 0 - {}", where, p.name, count_d,
                                 kMaxPolygon));
        }
        const long long count = static_cast<long long>(count_d);
        const bool is_index = is_face && static_cast<int>(pi) == index_prop;
        if (is_index) poly.clear();
        for (long long j = 0; j < count; ++j) {
          const double value = reader.read(p.type, where);
          if (is_index) poly.push_back(static_cast<long long>(value));
        }
        if (is_index) {
          if (count < 3) {
            fail(name, fmt::format("{} has {} vertices, a face needs at least 3", where, count));
          }
          for (long long idx : poly) {
            if (idx < 0 || idx >= nv) {
              fail(name, fmt::format("{} names vertex {}, allowed 0 - {}", where, idx, nv - 1));
            }
          }
          for (std::size_t j = 1; j + 1 < poly.size(); ++j) {
            if (static_cast<long long>(f.size() / 3) >= limits.max_faces) {
              fail(name, fmt::format("more than {} triangles", limits.max_faces));
            }
            f.push_back(static_cast<int>(poly[0]));
            f.push_back(static_cast<int>(poly[j]));
            f.push_back(static_cast<int>(poly[j + 1]));
          }
        }
      }
      if (is_vertex) {
        for (int k = 0; k < 3; ++k) {
          if (!std::isfinite(coords[k])) {
            fail(name, fmt::format("{} has a coordinate that is not finite", where));
          }
          v.push_back(coords[k]);
        }
      }
    }
  }
  return to_mesh(v, f);
}

TriMesh parse_obj(std::string_view text, const std::string& name, const MeshIoLimits& limits) {
  if (text.size() > limits.max_file_bytes) {
    fail(name, fmt::format("file is {} bytes, the limit is {} bytes", text.size(),
                           limits.max_file_bytes));
  }
  std::vector<double> v;
  std::vector<long long> f;  // 0-based, validated at the end (positive indices may point ahead)
  std::vector<long long> f_line;  // line of each triangle, for errors
  std::vector<std::string_view> tok;
  std::vector<long long> poly;
  std::size_t pos = 0;
  long long line_no = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    tokenize(line, tok);
    if (tok.empty()) continue;
    if (tok[0] == "v") {
      if (tok.size() < 4) {
        fail(name,
             fmt::format("line {}: a vertex needs 3 coordinates, got {}", line_no, tok.size() - 1));
      }
      if (static_cast<long long>(v.size() / 3) >= limits.max_vertices) {
        fail(name, fmt::format("line {}: more than {} vertices", line_no, limits.max_vertices));
      }
      for (int k = 1; k <= 3; ++k) {
        double x = 0;
        if (!parse_double(tok[static_cast<std::size_t>(k)], x)) {
          fail(name, fmt::format("line {}: '{}' is not a number", line_no,
                                 shown(tok[static_cast<std::size_t>(k)])));
        }
        if (!std::isfinite(x)) {
          fail(name, fmt::format("line {}: vertex coordinate is not finite", line_no));
        }
        v.push_back(x);
      }
    } else if (tok[0] == "f") {
      if (tok.size() < 4) {
        fail(name, fmt::format("line {}: a face needs at least 3 vertices, got {}", line_no,
                               tok.size() - 1));
      }
      poly.clear();
      const long long nv = static_cast<long long>(v.size() / 3);
      for (std::size_t k = 1; k < tok.size(); ++k) {
        std::string_view corner = tok[k];
        corner = corner.substr(0, corner.find('/'));
        long long idx = 0;
        if (!parse_int64(corner, idx)) {
          fail(name, fmt::format("line {}: face corner '{}' is not a vertex index", line_no,
                                 shown(tok[k])));
        }
        if (idx == 0)
          fail(name, fmt::format("line {}: vertex index 0 (OBJ counts from 1)", line_no));
        if (idx < 0) {
          if (-idx > nv) {
            fail(name, fmt::format("line {}: relative index {} points before the first vertex "
                                   "({} vertices so far)",
                                   line_no, idx, nv));
          }
          idx = nv + idx;
        } else {
          idx = idx - 1;
        }
        poly.push_back(idx);
      }
      for (std::size_t j = 1; j + 1 < poly.size(); ++j) {
        if (static_cast<long long>(f.size() / 3) >= limits.max_faces) {
          fail(name, fmt::format("line {}: more than {} triangles", line_no, limits.max_faces));
        }
        f.push_back(poly[0]);
        f.push_back(poly[j]);
        f.push_back(poly[j + 1]);
        f_line.push_back(line_no);
      }
    }
    // Everything else (vt, vn, g, o, s, usemtl, mtllib, l, p, ...) carries nothing we need.
  }
  const long long nv = static_cast<long long>(v.size() / 3);
  if (nv == 0) fail(name, "the file has no vertices");
  if (f.empty()) fail(name, "the file has no faces");
  std::vector<int> fi(f.size());
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] < 0 || f[i] >= nv) {
      fail(name, fmt::format("line {}: vertex index {} is out of range, allowed 1 - {}",
                             f_line[i / 3], f[i] + 1, nv));
    }
    fi[i] = static_cast<int>(f[i]);
  }
  return to_mesh(v, fi);
}

TriMesh read_obj(const std::string& path, const MeshIoLimits& limits) {
  const std::string bytes = read_file_bytes(path, limits.max_file_bytes);
  return parse_obj(bytes, path, limits);
}

TriMesh read_ply(const std::string& path, const MeshIoLimits& limits) {
  const std::string bytes = read_file_bytes(path, limits.max_file_bytes);
  return parse_ply(bytes, path, limits);
}

TriMesh read_mesh(const std::string& path, const MeshIoLimits& limits) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".obj") return read_obj(path, limits);
  if (ext == ".ply") return read_ply(path, limits);
  fail(path, fmt::format("unknown mesh extension '{}', allowed .obj, .ply", ext));
}

void write_obj(const TriMesh& mesh, const std::string& path) {
  std::string out;
  out.reserve(static_cast<std::size_t>(mesh.V.rows()) * 60 +
              static_cast<std::size_t>(mesh.F.rows()) * 24);
  fmt::format_to(std::back_inserter(out), "# stipple mesh: {} vertices, {} triangles\n",
                 mesh.V.rows(), mesh.F.rows());
  for (Eigen::Index i = 0; i < mesh.V.rows(); ++i) {
    fmt::format_to(std::back_inserter(out), "v {} {} {}\n", mesh.V(i, 0), mesh.V(i, 1),
                   mesh.V(i, 2));
  }
  for (Eigen::Index i = 0; i < mesh.F.rows(); ++i) {
    fmt::format_to(std::back_inserter(out), "f {} {} {}\n", mesh.F(i, 0) + 1, mesh.F(i, 1) + 1,
                   mesh.F(i, 2) + 1);
  }
  std::ofstream file(path, std::ios::binary);
  if (!file) fail(path, "cannot open the file for writing");
  file.write(out.data(), static_cast<std::streamsize>(out.size()));
  if (!file) fail(path, "could not write the file");
}

void write_ply(const TriMesh& mesh, const std::string& path) {
  std::string out = fmt::format(
      "ply\nformat binary_little_endian 1.0\ncomment stipple mesh, mm\nelement vertex {}\n"
      "property double x\nproperty double y\nproperty double z\nelement face {}\n"
      "property list uchar int vertex_indices\nend_header\n",
      mesh.V.rows(), mesh.F.rows());
  auto put = [&out](const void* p, std::size_t n) {
    unsigned char b[8];
    std::memcpy(b, p, n);
    if constexpr (std::endian::native == std::endian::big) std::reverse(b, b + n);
    out.append(reinterpret_cast<const char*>(b), n);
  };
  for (Eigen::Index i = 0; i < mesh.V.rows(); ++i) {
    for (int k = 0; k < 3; ++k) {
      const double x = mesh.V(i, k);
      put(&x, 8);
    }
  }
  for (Eigen::Index i = 0; i < mesh.F.rows(); ++i) {
    out.push_back(char(3));
    for (int k = 0; k < 3; ++k) {
      const std::int32_t idx = mesh.F(i, k);
      put(&idx, 4);
    }
  }
  std::ofstream file(path, std::ios::binary);
  if (!file) fail(path, "cannot open the file for writing");
  file.write(out.data(), static_cast<std::streamsize>(out.size()));
  if (!file) fail(path, "could not write the file");
}

}  // namespace stipple
