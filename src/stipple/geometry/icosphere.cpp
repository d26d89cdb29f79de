#include "stipple/geometry/icosphere.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace stipple {

TriMesh make_icosphere(int subdivisions) {
  if (subdivisions < 0 || subdivisions > 9) {
    throw std::invalid_argument(
        fmt::format("icosphere subdivisions = {} is out of range: allowed 0 - 9", subdivisions));
  }
  const double phi = (1.0 + std::sqrt(5.0)) / 2.0;
  std::vector<Vec3> v = {{-1, phi, 0}, {1, phi, 0}, {-1, -phi, 0}, {1, -phi, 0},  //
                         {0, -1, phi}, {0, 1, phi}, {0, -1, -phi}, {0, 1, -phi},  //
                         {phi, 0, -1}, {phi, 0, 1}, {-phi, 0, -1}, {-phi, 0, 1}};
  for (Vec3& p : v) p.normalize();
  std::vector<Eigen::Vector3i> f = {{0, 11, 5}, {0, 5, 1},  {0, 1, 7},   {0, 7, 10}, {0, 10, 11},
                                    {1, 5, 9},  {5, 11, 4}, {11, 10, 2}, {10, 7, 6}, {7, 1, 8},
                                    {3, 9, 4},  {3, 4, 2},  {3, 2, 6},   {3, 6, 8},  {3, 8, 9},
                                    {4, 9, 5},  {2, 4, 11}, {6, 2, 10},  {8, 6, 7},  {9, 8, 1}};

  for (int level = 0; level < subdivisions; ++level) {
    // One midpoint per edge, shared by the two faces of the edge (keyed by the vertex pair).
    std::unordered_map<std::uint64_t, int> midpoint;
    midpoint.reserve(f.size() * 2);
    auto mid = [&](int a, int b) {
      const std::uint64_t key = a < b ? (std::uint64_t(a) << 32) | std::uint32_t(b)
                                      : (std::uint64_t(b) << 32) | std::uint32_t(a);
      auto it = midpoint.find(key);
      if (it != midpoint.end()) return it->second;
      const int index = static_cast<int>(v.size());
      v.push_back((v[a] + v[b]).normalized());
      midpoint.emplace(key, index);
      return index;
    };
    std::vector<Eigen::Vector3i> next;
    next.reserve(f.size() * 4);
    for (const Eigen::Vector3i& t : f) {
      const int ab = mid(t[0], t[1]);
      const int bc = mid(t[1], t[2]);
      const int ca = mid(t[2], t[0]);
      next.emplace_back(t[0], ab, ca);
      next.emplace_back(t[1], bc, ab);
      next.emplace_back(t[2], ca, bc);
      next.emplace_back(ab, bc, ca);
    }
    f.swap(next);
  }

  TriMesh mesh;
  mesh.V.resize(static_cast<Eigen::Index>(v.size()), 3);
  for (std::size_t i = 0; i < v.size(); ++i) mesh.V.row(static_cast<Eigen::Index>(i)) = v[i];
  mesh.F.resize(static_cast<Eigen::Index>(f.size()), 3);
  for (std::size_t i = 0; i < f.size(); ++i) mesh.F.row(static_cast<Eigen::Index>(i)) = f[i];
  return mesh;
}

}  // namespace stipple
