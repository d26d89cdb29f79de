#include "stipple/head/scanned_head.h"

#include <fmt/format.h>

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nanoflann.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "stipple/geometry/mesh_io.h"
#include "stipple/head/fif_surface.h"

namespace stipple {
namespace {

constexpr double kDegree = 3.14159265358979323846 / 180.0;

Vec3 vrow(const TriMesh& m, int i) {
  return m.V.row(i).transpose();
}

// Closest point to p on triangle abc (Ericson, Real-Time Collision Detection, 5.1.5: Voronoi
// regions of the vertices, then of the edges, else the face).
Vec3 closest_on_triangle(const Vec3& p, const Vec3& a, const Vec3& b, const Vec3& c) {
  const Vec3 ab = b - a, ac = c - a, ap = p - a;
  const double d1 = ab.dot(ap), d2 = ac.dot(ap);
  if (d1 <= 0 && d2 <= 0) return a;
  const Vec3 bp = p - b;
  const double d3 = ab.dot(bp), d4 = ac.dot(bp);
  if (d3 >= 0 && d4 <= d3) return b;
  const double vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) return a + ab * (d1 / (d1 - d3));
  const Vec3 cp = p - c;
  const double d5 = ab.dot(cp), d6 = ac.dot(cp);
  if (d6 >= 0 && d5 <= d6) return c;
  const double vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) return a + ac * (d2 / (d2 - d6));
  const double va = d3 * d6 - d5 * d4;
  if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
    return b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)));
  }
  const double denom = va + vb + vc;
  if (!(std::abs(denom) > 0)) return a;  // degenerate triangle
  const double v = vb / denom, w = vc / denom;
  return a + ab * v + ac * w;
}

// Closest-point queries through a kd-tree of the vertices (nanoflann): the closest surface point
// lies on a face with a vertex within (distance to the nearest vertex + longest edge), so a
// radius search gives an exact candidate set without testing every face.
class MeshLocator {
 public:
  explicit MeshLocator(const TriMesh& mesh) : mesh_(mesh), tree_(3, std::cref(mesh.V), 16) {
    const Eigen::Index nv = mesh.V.rows();
    start_.assign(static_cast<std::size_t>(nv) + 1, 0);
    for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
      for (int k = 0; k < 3; ++k) ++start_[static_cast<std::size_t>(mesh.F(f, k)) + 1];
      for (int k = 0; k < 3; ++k) {
        const double e = (vrow(mesh, mesh.F(f, k)) - vrow(mesh, mesh.F(f, (k + 1) % 3))).norm();
        max_edge_ = std::max(max_edge_, e);
      }
    }
    for (std::size_t i = 1; i < start_.size(); ++i) start_[i] += start_[i - 1];
    faces_.assign(start_.back(), 0);
    std::vector<int> fill(start_.begin(), start_.end() - 1);
    for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
      for (int k = 0; k < 3; ++k) {
        faces_[static_cast<std::size_t>(fill[static_cast<std::size_t>(mesh.F(f, k))]++)] =
            static_cast<int>(f);
      }
    }
  }

  Vec3 closest(const Vec3& p) const {
    Eigen::Index nearest = 0;
    double d2 = 0;
    tree_.query(p.data(), 1, &nearest, &d2);
    const double radius = std::sqrt(d2) + max_edge_ + 1e-9;
    std::vector<std::pair<Eigen::Index, double>> hits;
    tree_.index->radiusSearch(p.data(), radius * radius, hits,
                              nanoflann::SearchParams(32, 0, false));
    Vec3 best = vrow(mesh_, static_cast<int>(nearest));
    double best_d2 = (best - p).squaredNorm();
    for (const auto& [v, dist2] : hits) {
      (void)dist2;
      for (int i = start_[static_cast<std::size_t>(v)]; i < start_[static_cast<std::size_t>(v) + 1];
           ++i) {
        const int f = faces_[static_cast<std::size_t>(i)];
        const Vec3 q = closest_on_triangle(p, vrow(mesh_, mesh_.F(f, 0)),
                                           vrow(mesh_, mesh_.F(f, 1)), vrow(mesh_, mesh_.F(f, 2)));
        const double e2 = (q - p).squaredNorm();
        if (e2 < best_d2) {
          best_d2 = e2;
          best = q;
        }
      }
    }
    return best;
  }

 private:
  using Tree = nanoflann::KDTreeEigenMatrixAdaptor<MatV, 3, nanoflann::metric_L2_Simple>;
  const TriMesh& mesh_;
  Tree tree_;
  std::vector<int> start_, faces_;
  double max_edge_ = 0;
};

std::uint64_t edge_key(int a, int b) {
  const auto lo = static_cast<std::uint32_t>(std::min(a, b));
  const auto hi = static_cast<std::uint32_t>(std::max(a, b));
  return (std::uint64_t(lo) << 32) | hi;
}

// Makes the winding consistent across each connected component (breadth-first over shared
// edges), then flips any component whose signed volume is negative, so normals point out.
void orient_outward(TriMesh& mesh) {
  const Eigen::Index nf = mesh.F.rows();
  std::unordered_map<std::uint64_t, std::vector<int>> edge_faces;
  edge_faces.reserve(static_cast<std::size_t>(nf) * 2);
  for (Eigen::Index f = 0; f < nf; ++f) {
    for (int k = 0; k < 3; ++k) {
      edge_faces[edge_key(mesh.F(f, k), mesh.F(f, (k + 1) % 3))].push_back(static_cast<int>(f));
    }
  }
  // Does face f traverse the edge a->b (true) or b->a (false)?
  auto forward = [&](int f, int a, int b) {
    for (int k = 0; k < 3; ++k) {
      if (mesh.F(f, k) == a && mesh.F(f, (k + 1) % 3) == b) return true;
    }
    return false;
  };
  std::vector<int> component(static_cast<std::size_t>(nf), -1);
  std::vector<int> queue;
  int ncomp = 0;
  for (Eigen::Index seed = 0; seed < nf; ++seed) {
    if (component[static_cast<std::size_t>(seed)] >= 0) continue;
    component[static_cast<std::size_t>(seed)] = ncomp;
    queue.assign(1, static_cast<int>(seed));
    for (std::size_t qi = 0; qi < queue.size(); ++qi) {
      const int f = queue[qi];
      for (int k = 0; k < 3; ++k) {
        const int a = mesh.F(f, k), b = mesh.F(f, (k + 1) % 3);
        const auto& adj = edge_faces[edge_key(a, b)];
        if (adj.size() != 2) continue;  // boundary or non-manifold: do not propagate across
        const int g = adj[0] == f ? adj[1] : adj[0];
        if (component[static_cast<std::size_t>(g)] >= 0) continue;
        component[static_cast<std::size_t>(g)] = ncomp;
        // Consistent neighbours traverse the shared edge in opposite directions.
        if (forward(g, a, b)) std::swap(mesh.F(g, 1), mesh.F(g, 2));
        queue.push_back(g);
      }
    }
    ++ncomp;
  }
  std::vector<double> volume(static_cast<std::size_t>(ncomp), 0.0);
  const Vec3 ref = mesh.V.colwise().mean().transpose();
  for (Eigen::Index f = 0; f < nf; ++f) {
    const Vec3 a = vrow(mesh, mesh.F(f, 0)) - ref, b = vrow(mesh, mesh.F(f, 1)) - ref,
               c = vrow(mesh, mesh.F(f, 2)) - ref;
    volume[static_cast<std::size_t>(component[static_cast<std::size_t>(f)])] += a.dot(b.cross(c));
  }
  for (Eigen::Index f = 0; f < nf; ++f) {
    if (volume[static_cast<std::size_t>(component[static_cast<std::size_t>(f)])] < 0) {
      std::swap(mesh.F(f, 1), mesh.F(f, 2));
    }
  }
}

// 2-D convex hull perimeter (Andrew's monotone chain).
double hull_perimeter(std::vector<Vec2> pts) {
  if (pts.size() < 3) return 0;
  std::sort(pts.begin(), pts.end(), [](const Vec2& a, const Vec2& b) {
    return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y());
  });
  auto cross = [](const Vec2& o, const Vec2& a, const Vec2& b) {
    return (a.x() - o.x()) * (b.y() - o.y()) - (a.y() - o.y()) * (b.x() - o.x());
  };
  std::vector<Vec2> h(2 * pts.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    while (k >= 2 && cross(h[k - 2], h[k - 1], pts[i]) <= 0) --k;
    h[k++] = pts[i];
  }
  for (std::size_t i = pts.size() - 1, t = k + 1; i > 0; --i) {
    while (k >= t && cross(h[k - 2], h[k - 1], pts[i - 1]) <= 0) --k;
    h[k++] = pts[i - 1];
  }
  h.resize(k - 1);
  double perimeter = 0;
  for (std::size_t i = 0; i < h.size(); ++i) perimeter += (h[(i + 1) % h.size()] - h[i]).norm();
  return perimeter;
}

// The cut of the mesh by the plane n.(p - origin) = 0, as points keyed by the mesh edge they lie
// on, with the segment graph between them.
struct Section {
  std::vector<Vec3> points;
  std::vector<std::vector<int>> next;  // neighbours of each point along the cut
};

Section cut(const TriMesh& mesh, const Vec3& origin, const Vec3& n) {
  Section s;
  std::unordered_map<std::uint64_t, int> index;
  auto side = [&](int v) { return n.dot(vrow(mesh, v) - origin); };
  auto point_on = [&](int a, int b) {
    const std::uint64_t key = edge_key(a, b);
    auto it = index.find(key);
    if (it != index.end()) return it->second;
    const double sa = side(a), sb = side(b);
    const double t = sa / (sa - sb);
    const Vec3 p = vrow(mesh, a) + t * (vrow(mesh, b) - vrow(mesh, a));
    const int id = static_cast<int>(s.points.size());
    s.points.push_back(p);
    s.next.emplace_back();
    index.emplace(key, id);
    return id;
  };
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    int ends[2];
    int m = 0;
    for (int k = 0; k < 3 && m < 2; ++k) {
      const int a = mesh.F(f, k), b = mesh.F(f, (k + 1) % 3);
      if ((side(a) >= 0) != (side(b) >= 0)) ends[m++] = point_on(a, b);
    }
    if (m == 2) {
      s.next[static_cast<std::size_t>(ends[0])].push_back(ends[1]);
      s.next[static_cast<std::size_t>(ends[1])].push_back(ends[0]);
    }
  }
  return s;
}

const Vec3& need(const std::map<std::string, Vec3>& lm, const std::string& name) {
  auto it = lm.find(name);
  if (it == lm.end()) {
    throw std::invalid_argument(fmt::format("head landmarks: '{}' is required", name));
  }
  return it->second;
}

}  // namespace

double signed_volume_mm3(const TriMesh& mesh) {
  double v = 0;
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    v += vrow(mesh, mesh.F(f, 0)).dot(vrow(mesh, mesh.F(f, 1)).cross(vrow(mesh, mesh.F(f, 2))));
  }
  return v / 6.0;
}

bool is_watertight(const TriMesh& mesh) {
  std::unordered_map<std::uint64_t, int> directed;
  directed.reserve(static_cast<std::size_t>(mesh.F.rows()) * 3);
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    for (int k = 0; k < 3; ++k) {
      const auto a = static_cast<std::uint32_t>(mesh.F(f, k));
      const auto b = static_cast<std::uint32_t>(mesh.F(f, (k + 1) % 3));
      if (a == b) return false;
      if (++directed[(std::uint64_t(a) << 32) | b] > 1) return false;
    }
  }
  for (const auto& [key, count] : directed) {
    (void)count;
    const std::uint64_t reverse = (key << 32) | (key >> 32);
    if (!directed.count(reverse)) return false;
  }
  return true;
}

std::optional<double> ray_triangle_t(const Vec3& origin, const Vec3& dir, const Vec3& a,
                                     const Vec3& b, const Vec3& c) {
  // Moller-Trumbore.
  const Vec3 e1 = b - a, e2 = c - a;
  const Vec3 pv = dir.cross(e2);
  const double det = e1.dot(pv);
  if (std::abs(det) < 1e-300) return std::nullopt;
  const double inv = 1.0 / det;
  const Vec3 tv = origin - a;
  const double u = tv.dot(pv) * inv;
  if (u < -1e-12 || u > 1 + 1e-12) return std::nullopt;
  const Vec3 qv = tv.cross(e1);
  const double v = dir.dot(qv) * inv;
  if (v < -1e-12 || u + v > 1 + 1e-12) return std::nullopt;
  const double t = e2.dot(qv) * inv;
  if (!(t > 1e-12)) return std::nullopt;
  return t;
}

std::optional<Vec3> ray_hit(const TriMesh& mesh, const Vec3& origin, const Vec3& dir) {
  double best = std::numeric_limits<double>::infinity();
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    const auto t = ray_triangle_t(origin, dir, vrow(mesh, mesh.F(f, 0)), vrow(mesh, mesh.F(f, 1)),
                                  vrow(mesh, mesh.F(f, 2)));
    if (t && *t < best) best = *t;
  }
  if (!std::isfinite(best)) return std::nullopt;
  return origin + best * dir;
}

Vec3 closest_point_on_mesh(const TriMesh& mesh, const Vec3& p) {
  Vec3 best = vrow(mesh, 0);
  double best_d2 = std::numeric_limits<double>::infinity();
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    const Vec3 q = closest_on_triangle(p, vrow(mesh, mesh.F(f, 0)), vrow(mesh, mesh.F(f, 1)),
                                       vrow(mesh, mesh.F(f, 2)));
    const double d2 = (q - p).squaredNorm();
    if (d2 < best_d2) {
      best_d2 = d2;
      best = q;
    }
  }
  return best;
}

int count_non_star_faces(const TriMesh& mesh, const Vec3& centre, double z_min_mm) {
  int bad = 0;
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    const Vec3 a = vrow(mesh, mesh.F(f, 0)), b = vrow(mesh, mesh.F(f, 1)),
               c = vrow(mesh, mesh.F(f, 2));
    if (std::max({a.z(), b.z(), c.z()}) <= z_min_mm) continue;
    const Vec3 normal = (b - a).cross(c - a);
    const double len = normal.norm();
    if (!(len > 0)) continue;  // a degenerate face hides nothing
    // The face is seen from inside when its outward normal points away from the centre.
    if ((a - centre).dot(normal) <= 0) ++bad;
  }
  return bad;
}

HeadMeasurements measure_head(const TriMesh& mesh, const std::map<std::string, Vec3>& landmarks) {
  const Vec3 g = need(landmarks, "glabella");
  const Vec3 o = need(landmarks, "opisthocranion");
  const Vec3 v = need(landmarks, "vertex");
  HeadMeasurements m;
  m.length_mm = (g - o).norm();
  m.vertex_height_mm = v.z();

  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin;
  for (Eigen::Index i = 0; i < mesh.V.rows(); ++i) {
    if (mesh.V(i, 2) > 0.3 * v.z()) {
      xmin = std::min(xmin, mesh.V(i, 0));
      xmax = std::max(xmax, mesh.V(i, 0));
    }
  }
  m.width_mm = xmax > xmin ? xmax - xmin : 0.0;

  // The tape: the plane through glabella and opisthocranion that contains the x direction.
  const Vec3 e1 = (g - o).normalized();
  const Vec3 e2 = Vec3::UnitX();
  const Vec3 n = e1.cross(e2).normalized();
  const Section s = cut(mesh, g, n);
  m.circumference_mm = 0;
  if (!s.points.empty()) {
    // The loop through the glabella: the connected part of the cut nearest to it.
    std::size_t start = 0;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const double d = (s.points[i] - g).squaredNorm();
      if (d < best) {
        best = d;
        start = i;
      }
    }
    std::vector<char> seen(s.points.size(), 0);
    std::vector<std::size_t> stack = {start};
    seen[start] = 1;
    std::vector<Vec2> loop;
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      loop.emplace_back(e1.dot(s.points[i] - g), e2.dot(s.points[i] - g));
      for (int j : s.next[i]) {
        if (!seen[static_cast<std::size_t>(j)]) {
          seen[static_cast<std::size_t>(j)] = 1;
          stack.push_back(static_cast<std::size_t>(j));
        }
      }
    }
    m.circumference_mm = hull_perimeter(std::move(loop));
  }
  return m;
}

std::map<std::string, Vec3> read_landmarks_json(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec)
    throw std::runtime_error(fmt::format("{}: cannot read the file ({})", path, ec.message()));
  constexpr std::uintmax_t kMaxBytes = 1 << 20;
  if (size > kMaxBytes) {
    throw std::invalid_argument(fmt::format(
        "{}: file is {} bytes, the limit for a landmarks file is {}", path, size, kMaxBytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open the file", path));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(fmt::format("{}: not valid JSON (byte {})", path, e.byte));
  }
  auto bad = [&](const std::string& what) {
    return std::invalid_argument(fmt::format("{}: {}", path, what));
  };
  if (!j.is_object()) throw bad("the top level must be an object");
  for (const auto& [key, value] : j.items()) {
    (void)value;
    if (key != "stipple_head_landmarks" && key != "units" && key != "points") {
      throw bad(
          fmt::format("unknown key '{}', allowed stipple_head_landmarks, units, points", key));
    }
  }
  if (!j.contains("stipple_head_landmarks") || !j["stipple_head_landmarks"].is_number_integer() ||
      j["stipple_head_landmarks"].get<long long>() != 1) {
    throw bad("stipple_head_landmarks must be 1 (the format version)");
  }
  if (!j.contains("units") || !j["units"].is_string()) throw bad("units must be \"mm\" or \"m\"");
  const std::string units = j["units"].get<std::string>();
  double to_mm = 0;
  if (units == "mm") {
    to_mm = 1;
  } else if (units == "m") {
    to_mm = 1000;
  } else {
    throw bad(fmt::format("units = \"{}\" is not allowed: allowed \"mm\", \"m\"", units));
  }
  if (!j.contains("points") || !j["points"].is_object()) throw bad("points must be an object");
  const auto& names = anatomical_landmark_names();
  std::map<std::string, Vec3> out;
  for (const auto& [name, value] : j["points"].items()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string allowed;
      for (const auto& n : names) allowed += (allowed.empty() ? "" : ", ") + n;
      throw bad(fmt::format("points.{} is not a landmark name; allowed: {}", name, allowed));
    }
    if (!value.is_array() || value.size() != 3) {
      throw bad(fmt::format("points.{} must be an array of 3 numbers [x, y, z]", name));
    }
    Vec3 p;
    for (int k = 0; k < 3; ++k) {
      if (!value[static_cast<std::size_t>(k)].is_number()) {
        throw bad(fmt::format("points.{}[{}] is not a number", name, k));
      }
      p[k] = value[static_cast<std::size_t>(k)].get<double>() * to_mm;
      if (!std::isfinite(p[k])) throw bad(fmt::format("points.{}[{}] is not finite", name, k));
    }
    out[name] = p;
  }
  for (const char* required : {"left_tragion", "right_tragion", "nasion", "vertex"}) {
    if (!out.count(required)) throw bad(fmt::format("points.{} is required", required));
  }
  return out;
}

Head load_scanned_head(const std::string& mesh_path, const std::string& landmarks_json_path,
                       double units_to_mm) {
  if (!std::isfinite(units_to_mm) || units_to_mm < 1e-6 || units_to_mm > 1e6) {
    throw std::invalid_argument(fmt::format(
        "units_to_mm = {} is out of range: allowed 1e-06 - 1e+06 (1000 for a mesh in metres)",
        units_to_mm));
  }
  std::string ext = std::filesystem::path(mesh_path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  TriMesh mesh = ext == ".fif" ? read_fif_head_surface(mesh_path).mesh : read_mesh(mesh_path);
  mesh.V *= units_to_mm;
  const auto landmarks = read_landmarks_json(landmarks_json_path);
  return make_scanned_head(std::move(mesh), landmarks,
                           std::filesystem::path(mesh_path).filename().string());
}

Head make_scanned_head(TriMesh mesh, const std::map<std::string, Vec3>& landmarks_mm,
                       const std::string& source) {
  validate_mesh(mesh, "scanned head mesh");
  for (const auto& [name, p] : landmarks_mm) {
    if (!p.allFinite()) {
      throw std::invalid_argument(fmt::format("head landmarks: {} is not finite", name));
    }
  }
  // Snap the frame landmarks onto the surface first, so the frame is built from points on it.
  std::map<std::string, Vec3> lm;
  {
    const MeshLocator locator(mesh);
    for (const auto& [name, p] : landmarks_mm) lm[name] = locator.closest(p);
  }
  const Vec3 left = need(lm, "left_tragion"), right = need(lm, "right_tragion");
  const Vec3 nasion = need(lm, "nasion");
  const double bitragion = (right - left).norm();
  if (bitragion < 60 || bitragion > 250) {
    throw std::invalid_argument(fmt::format(
        "head landmarks: the tragia are {:.1f} mm apart, allowed 60 - 250 mm (check the units)",
        bitragion));
  }
  const Vec3 origin = (left + right) / 2;
  const Vec3 x = (right - left) / bitragion;
  Vec3 y = nasion - origin;
  y -= y.dot(x) * x;
  if (y.norm() < 40) {
    throw std::invalid_argument(fmt::format(
        "head landmarks: the nasion is {:.1f} mm in front of the tragion line, allowed at least "
        "40 mm",
        y.norm()));
  }
  y.normalize();
  const Vec3 z = x.cross(y);
  Eigen::Matrix3d rot;  // rows: the head axes in scan coordinates
  rot.row(0) = x.transpose();
  rot.row(1) = y.transpose();
  rot.row(2) = z.transpose();
  auto to_head = [&](const Vec3& p) -> Vec3 { return rot * (p - origin); };
  for (Eigen::Index i = 0; i < mesh.V.rows(); ++i) {
    mesh.V.row(i) = to_head(mesh.V.row(i).transpose()).transpose();
  }
  for (auto& [name, p] : lm) p = to_head(p);
  orient_outward(mesh);

  Head head;
  head.source = source;
  const MeshLocator locator(mesh);
  auto snap = [&](const Vec3& p) { return locator.closest(p); };
  const Vec3 n = lm.at("nasion");
  if (!lm.count("vertex")) {
    Eigen::Index top = 0;
    mesh.V.col(2).maxCoeff(&top);
    lm["vertex"] = mesh.V.row(top).transpose();
  }
  // The midsagittal profile: the cut by the plane x = 0.
  const Section mid = cut(mesh, Vec3::Zero(), Vec3::UnitX());
  auto extreme = [&](auto in_window, auto score) -> std::optional<Vec3> {
    std::optional<Vec3> best;
    double best_score = -std::numeric_limits<double>::infinity();
    for (const Vec3& p : mid.points) {
      if (!in_window(p)) continue;
      const double s = score(p);
      if (s > best_score) {
        best_score = s;
        best = p;
      }
    }
    return best;
  };
  // "Most anterior", "lowest" are meant as anthropometry means them, in the Frankfort
  // horizontal, which is pitched back from the nasion frame by the nasion's elevation above
  // the tragion line, ~15 degrees on adults (nasion ~25 mm above the tragion, ~97 mm in front).
  const double fh = 15 * kDegree;
  auto fh_y = [&](const Vec3& p) { return p.y() * std::cos(fh) - p.z() * std::sin(fh); };
  auto fh_z = [&](const Vec3& p) { return p.y() * std::sin(fh) + p.z() * std::cos(fh); };
  auto from_fh = [&](const Vec3& d) {  // an offset in Frankfort axes, in head-frame axes
    return Vec3(d.x(), d.y() * std::cos(fh) + d.z() * std::sin(fh),
                -d.y() * std::sin(fh) + d.z() * std::cos(fh));
  };
  if (!lm.count("glabella")) {
    // The most prominent midline point of the brow, above the nasion.
    const auto g = extreme(
        [&](const Vec3& p) { return p.y() > 0 && p.z() > n.z() + 3 && p.z() < n.z() + 35; }, fh_y);
    lm["glabella"] = g ? *g : snap(n + from_fh(Vec3(0, 5, 13)));
  }
  if (!lm.count("opisthocranion")) {
    // The most posterior midline point above the tragion plane.
    const auto o = extreme([](const Vec3& p) { return p.y() < 0 && p.z() > 0; },
                           [&](const Vec3& p) { return -fh_y(p); });
    if (!o)
      throw std::invalid_argument("scanned head: no midline surface behind and above the tragia");
    lm["opisthocranion"] = *o;
  }
  if (!lm.count("menton")) {
    // The lowest midline point of the chin: in front, 80 - 160 mm below the nasion.
    const auto m = extreme(
        [&](const Vec3& p) {
          return fh_z(p) < fh_z(n) - 80 && fh_z(p) > fh_z(n) - 160 && fh_y(p) > fh_y(n) - 32;
        },
        [&](const Vec3& p) { return -fh_z(p); });
    lm["menton"] = m ? *m : snap(n + from_fh(Vec3(0, -10, -120)));
  }
  if (!lm.count("subnasale")) {
    // Behind the nose tip (the most anterior point 15 - 65 mm below the nasion), the deepest
    // point of the profile down to 25 mm below the tip.
    const auto tip = extreme(
        [&](const Vec3& p) {
          return p.y() > 0 && fh_z(p) < fh_z(n) - 15 && fh_z(p) > fh_z(n) - 65;
        },
        fh_y);
    std::optional<Vec3> sn;
    if (tip) {
      sn = extreme(
          [&](const Vec3& p) {
            return fh_y(p) > fh_y(n) - 30 && fh_z(p) < fh_z(*tip) - 3 && fh_z(p) > fh_z(*tip) - 25;
          },
          [&](const Vec3& p) { return -fh_y(p); });
    }
    lm["subnasale"] = sn ? *sn : snap(n + from_fh(Vec3(0, 3, -52)));
  }
  // Lateral canthi: ~47 mm either side of the midline, ~17 mm behind and ~8 mm below the
  // nasion (Farkas ex-ex ~95 mm), put on the surface.
  if (!lm.count("right_canthus")) lm["right_canthus"] = snap(n + from_fh(Vec3(47, -17, -8)));
  if (!lm.count("left_canthus")) lm["left_canthus"] = snap(n + from_fh(Vec3(-47, -17, -8)));

  // The centre: above the middle of the scalp, about a quarter of the way up to the vertex; the
  // first candidate from which every face above the tragion plane faces outward.
  const double vz = lm.at("vertex").z();
  if (vz < 60) {
    throw std::invalid_argument(fmt::format(
        "scanned head: the vertex is {:.1f} mm above the tragion plane, allowed at least 60", vz));
  }
  Vec3 sum = Vec3::Zero();
  double area = 0;
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    const Vec3 a = vrow(mesh, mesh.F(f, 0)), b = vrow(mesh, mesh.F(f, 1)),
               c = vrow(mesh, mesh.F(f, 2));
    const Vec3 centroid = (a + b + c) / 3;
    if (centroid.z() <= 0) continue;
    const double w = 0.5 * (b - a).cross(c - a).norm();
    sum += w * centroid;
    area += w;
  }
  if (!(area > 0)) throw std::invalid_argument("scanned head: no surface above the tragion plane");
  const Vec3 scalp_centroid = sum / area;
  int best_bad = std::numeric_limits<int>::max();
  bool found = false;
  for (double f : {0.3, 0.25, 0.35, 0.2, 0.4, 0.15, 0.45, 0.5}) {
    const Vec3 c(scalp_centroid.x(), scalp_centroid.y(), f * vz);
    const int bad = count_non_star_faces(mesh, c, 0.0);
    if (bad == 0) {
      head.centre = c;
      found = true;
      break;
    }
    best_bad = std::min(best_bad, bad);
  }
  if (!found) {
    throw std::invalid_argument(fmt::format(
        "scanned head: the scalp is not star-shaped from any centre tried ({} faces above the "
        "tragion plane at best turn away from the centre); the sampler needs every ray from the "
        "centre to meet the scalp once",
        best_bad));
  }
  head.measurements = measure_head(mesh, lm);
  head.mesh = std::move(mesh);
  head.landmarks = std::move(lm);
  return head;
}

}  // namespace stipple
