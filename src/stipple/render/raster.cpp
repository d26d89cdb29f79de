#include "stipple/render/raster.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <tbb/parallel_for.h>

namespace stipple {
namespace {

constexpr std::int64_t kMaxPixels = std::int64_t{1} << 28;  // 268 M
constexpr int kBandRows = 32;
constexpr double kEdgeSlack = 1e-9;

struct ProjectedVertex {
  double x, y;  // pixel
  double iz;    // 1 / camera z
  bool valid;
};

}  // namespace

GBuffer rasterize(const TriMesh& mesh, const Camera& camera, bool with_normals) {
  const int w = camera.width_px, h = camera.height_px;
  if (w <= 0 || h <= 0 || w > 16384 || h > 16384 || static_cast<std::int64_t>(w) * h > kMaxPixels) {
    throw std::invalid_argument(
        fmt::format("image size: {} x {} px is out of range 1 - 16384 per side and {} pixels", w, h,
                    kMaxPixels));
  }
  GBuffer g;
  g.width_px = w;
  g.height_px = h;
  const std::size_t n = static_cast<std::size_t>(w) * h;
  g.depth_mm.assign(n, std::numeric_limits<float>::infinity());
  if (with_normals) g.normal.assign(n, Eigen::Vector3f::Zero());

  const MatV normals = with_normals ? vertex_normals(mesh) : MatV::Zero(mesh.V.rows(), 3);
  std::vector<ProjectedVertex> pv(static_cast<std::size_t>(mesh.V.rows()));
  tbb::parallel_for(Eigen::Index(0), mesh.V.rows(), [&](Eigen::Index i) {
    const Vec3 c = camera.to_camera(mesh.V.row(i).transpose());
    ProjectedVertex& p = pv[static_cast<std::size_t>(i)];
    p.valid = c.z() > 1.0;
    p.iz = p.valid ? 1.0 / c.z() : 0;
    p.x = camera.fx_px * c.x() * p.iz + camera.cx_px;
    p.y = camera.fy_px * c.y() * p.iz + camera.cy_px;
  });

  // Bin front-facing triangles by the bands of rows their boxes touch.
  const int bands = (h + kBandRows - 1) / kBandRows;
  std::vector<std::vector<int>> band_faces(static_cast<std::size_t>(bands));
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    const auto& a = pv[static_cast<std::size_t>(mesh.F(f, 0))];
    const auto& b = pv[static_cast<std::size_t>(mesh.F(f, 1))];
    const auto& c = pv[static_cast<std::size_t>(mesh.F(f, 2))];
    if (!a.valid || !b.valid || !c.valid) continue;
    // Faces are counter-clockwise seen from outside; image y points down, which mirrors the
    // winding, so a face turned toward the camera has a negative signed area here.
    const double area = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    if (!(area < 0)) continue;
    const double ymin = std::min({a.y, b.y, c.y}), ymax = std::max({a.y, b.y, c.y});
    const int y0 = std::max(0, static_cast<int>(std::ceil(ymin)));
    const int y1 = std::min(h - 1, static_cast<int>(std::floor(ymax)));
    if (y0 > y1) continue;
    for (int band = y0 / kBandRows; band <= y1 / kBandRows; ++band) {
      band_faces[static_cast<std::size_t>(band)].push_back(static_cast<int>(f));
    }
  }

  tbb::parallel_for(0, bands, [&](int band) {
    const int row0 = band * kBandRows, row1 = std::min(h, row0 + kBandRows) - 1;
    for (int f : band_faces[static_cast<std::size_t>(band)]) {
      const int i0 = mesh.F(f, 0), i1 = mesh.F(f, 1), i2 = mesh.F(f, 2);
      const auto& a = pv[static_cast<std::size_t>(i0)];
      const auto& b = pv[static_cast<std::size_t>(i1)];
      const auto& c = pv[static_cast<std::size_t>(i2)];
      const double area = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
      const double inv_area = 1.0 / area;
      const int x0 = std::max(0, static_cast<int>(std::ceil(std::min({a.x, b.x, c.x}))));
      const int x1 = std::min(w - 1, static_cast<int>(std::floor(std::max({a.x, b.x, c.x}))));
      const int y0 = std::max(row0, static_cast<int>(std::ceil(std::min({a.y, b.y, c.y}))));
      const int y1 = std::min(row1, static_cast<int>(std::floor(std::max({a.y, b.y, c.y}))));
      const Vec3 na = normals.row(i0).transpose() * a.iz;
      const Vec3 nb = normals.row(i1).transpose() * b.iz;
      const Vec3 nc = normals.row(i2).transpose() * c.iz;
      // Barycentric weights are linear in x along a row: step them by their x-derivatives.
      const double da = (b.y - c.y) * inv_area, db = (c.y - a.y) * inv_area;
      for (int y = y0; y <= y1; ++y) {
        double wa = ((b.x - x0) * (c.y - y) - (b.y - y) * (c.x - x0)) * inv_area;
        double wb = ((c.x - x0) * (a.y - y) - (c.y - y) * (a.x - x0)) * inv_area;
        float* depth_row = &g.depth_mm[static_cast<std::size_t>(y) * w];
        for (int x = x0; x <= x1; ++x, wa += da, wb += db) {
          const double wc = 1.0 - wa - wb;
          // Stepped weights carry rounding, so a pixel centre exactly on a shared edge is
          // taken by both triangles (the depth test keeps one) rather than by neither.
          if (wa < -kEdgeSlack || wb < -kEdgeSlack || wc < -kEdgeSlack) continue;
          const double iz = wa * a.iz + wb * b.iz + wc * c.iz;  // 1/z is linear on screen
          const float z = static_cast<float>(1.0 / iz);
          if (z >= depth_row[x]) continue;
          depth_row[x] = z;
          if (!with_normals) continue;
          // Perspective-correct normal: attributes / z interpolate linearly.
          const Vec3 nrm = (wa * na + wb * nb + wc * nc) / iz;
          const double len = nrm.norm();
          g.normal[static_cast<std::size_t>(y) * w + x] =
              len > 0 ? (nrm / len).cast<float>() : Eigen::Vector3f(0, 0, 1);
        }
      }
    }
  });
  return g;
}

}  // namespace stipple
