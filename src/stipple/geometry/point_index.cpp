#include "stipple/geometry/point_index.h"

#include <nanoflann.hpp>

#include <algorithm>

namespace stipple {

struct PointIndex::Impl {
  struct Cloud {
    std::vector<Vec3> pts;
    size_t kdtree_get_point_count() const { return pts.size(); }
    double kdtree_get_pt(size_t i, size_t d) const { return pts[i][static_cast<Eigen::Index>(d)]; }
    template <class BBox>
    bool kdtree_get_bbox(BBox&) const {
      return false;
    }
  };
  using Tree =
      nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, Cloud>, Cloud, 3>;
  Cloud cloud;
  std::unique_ptr<Tree> tree;
};

PointIndex::PointIndex() : impl_(std::make_unique<Impl>()) {}

PointIndex::PointIndex(std::vector<Vec3> points) : impl_(std::make_unique<Impl>()) {
  impl_->cloud.pts = std::move(points);
  if (!impl_->cloud.pts.empty()) {
    impl_->tree = std::make_unique<Impl::Tree>(3, impl_->cloud,
                                               nanoflann::KDTreeSingleIndexAdaptorParams(10));
    impl_->tree->buildIndex();
  }
}

PointIndex::~PointIndex() = default;
PointIndex::PointIndex(PointIndex&&) noexcept = default;
PointIndex& PointIndex::operator=(PointIndex&&) noexcept = default;

int PointIndex::nearest(const Vec3& q) const {
  if (!impl_->tree) return -1;
  size_t idx = 0;
  double d2 = 0;
  nanoflann::KNNResultSet<double> rs(1);
  rs.init(&idx, &d2);
  const double query[3] = {q.x(), q.y(), q.z()};
  impl_->tree->findNeighbors(rs, query, nanoflann::SearchParams());
  return static_cast<int>(idx);
}

int PointIndex::nearest(const Vec3& q, double within_mm) const {
  if (!impl_->tree || !(within_mm > 0)) return -1;
  size_t idx = 0;
  double d2 = 0;
  nanoflann::KNNResultSet<double> rs(1);
  rs.init(&idx, &d2);
  // The result set's worst distance is its one slot's: starting it at the bound makes the tree
  // add only points closer than that, and prune the branches beyond it.
  d2 = within_mm * within_mm;
  const double query[3] = {q.x(), q.y(), q.z()};
  impl_->tree->findNeighbors(rs, query, nanoflann::SearchParams());
  return rs.size() > 0 ? static_cast<int>(idx) : -1;
}

int PointIndex::knn(const Vec3& q, int k, int* idx, double* dist2) const {
  if (!impl_->tree || k <= 0) return 0;
  k = std::min(k, 64);
  size_t ids[64];
  nanoflann::KNNResultSet<double> rs(static_cast<size_t>(k));
  rs.init(ids, dist2);
  const double query[3] = {q.x(), q.y(), q.z()};
  impl_->tree->findNeighbors(rs, query, nanoflann::SearchParams());
  const int found = static_cast<int>(rs.size());
  for (int i = 0; i < found; ++i) idx[i] = static_cast<int>(ids[i]);
  return found;
}

const std::vector<Vec3>& PointIndex::points() const {
  return impl_->cloud.pts;
}

}  // namespace stipple
