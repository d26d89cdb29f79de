// Nearest-neighbour queries on a fixed 3D point set (nanoflann kd-tree), kept behind a
// movable handle so plain structs can own one.
#pragma once

#include <memory>
#include <vector>

#include "stipple/geometry/mesh.h"

namespace stipple {

class PointIndex {
 public:
  PointIndex();
  explicit PointIndex(std::vector<Vec3> points);
  ~PointIndex();
  PointIndex(PointIndex&&) noexcept;
  PointIndex& operator=(PointIndex&&) noexcept;

  // Index of the point closest to q, or -1 when the set is empty.
  int nearest(const Vec3& q) const;
  // The same point where it lies closer than within_mm to q, else -1: a caller that knows a
  // bound of the distance (from a nearby query, distances being 1-Lipschitz) lets the search
  // skip every branch of the tree beyond it. The search visits the branches it keeps in the same
  // order as nearest(q), so of points at the same distance it returns the same one.
  int nearest(const Vec3& q, double within_mm) const;
  // The k nearest points to q (k <= 64), closest first, as indices and squared distances.
  // Returns how many were found (fewer than k only when the set is smaller).
  int knn(const Vec3& q, int k, int* idx, double* dist2) const;
  const std::vector<Vec3>& points() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stipple
