// The scalp chart against its plain definition.
#include "stipple/field/scalp_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "stipple/head/parametric_head.h"

namespace stipple {
namespace {

// The chart's arc lengths as the definition reads: for every meridian sample its own direction
// from its own sines and cosines, its own surface lookup, the chord sum along the meridian.
std::vector<float> arc_by_definition(const ScalpChart& c, const RadialSurface& surface) {
  std::vector<float> arc(static_cast<size_t>(c.n_phi) * c.n_theta, 0.0f);
  for (int ip = 0; ip < c.n_phi; ++ip) {
    const double phi = ip * c.dphi;
    Vec3 prev = c.centre + surface_radius_mm(surface, c.axis) * c.axis;
    double s = 0;
    for (int it = 1; it < c.n_theta; ++it) {
      const double theta = it * c.dtheta;
      const Vec3 d = std::cos(theta) * c.axis +
                     std::sin(theta) * (std::cos(phi) * c.anterior + std::sin(phi) * c.right);
      const Vec3 p = c.centre + surface_radius_mm(surface, d) * d;
      s += (p - prev).norm();
      arc[static_cast<size_t>(ip) * c.n_theta + it] = static_cast<float>(s);
      prev = p;
    }
  }
  return arc;
}

// Two meridians a time and the shared trigonometry give the definition's chart bit for bit, on
// two heads and two reaches (column lengths).
TEST(ScalpChart, ArcLengthsAreTheDefinitionsBitForBit) {
  HeadMeasurements small;
  small.circumference_mm = 530, small.length_mm = 181, small.width_mm = 141,
  small.vertex_height_mm = 120;
  for (const HeadMeasurements& m : {HeadMeasurements{}, small}) {
    const Head head = make_parametric_head(m, 5);
    const RadialSurface surface = build_radial_surface(head.mesh, head.centre, 128);
    for (double reach_deg : {165.0, 120.0}) {
      const ScalpChart c = build_scalp_chart(surface, landmark(head, "vertex"), Vec3(1, 0, 0),
                                             Vec3(0, 1, 0), reach_deg);
      const std::vector<float> want = arc_by_definition(c, surface);
      ASSERT_EQ(c.arc_mm.size(), want.size());
      size_t differ = 0;
      for (size_t k = 0; k < want.size(); ++k) differ += c.arc_mm[k] != want[k];
      EXPECT_EQ(differ, 0u) << "reach " << reach_deg << " degrees";
      // And it is a chart: arc lengths grow along every meridian.
      for (int ip = 0; ip < c.n_phi; ip += 37) {
        for (int it = 1; it < c.n_theta; ++it) {
          const size_t k = static_cast<size_t>(ip) * c.n_theta + it;
          ASSERT_GT(c.arc_mm[k], c.arc_mm[k - 1]);
        }
      }
    }
  }
}

// The stretch bound holds: two directions an angle a apart, both within a window of the first,
// have chart points at most mm_per_rad(theta of the first) a apart. Directions all over the
// sphere, at every window.
TEST(ScalpChart, StretchBoundsTheChartsMove) {
  const Head head = make_parametric_head(HeadMeasurements{}, 5);
  const RadialSurface surface = build_radial_surface(head.mesh, head.centre, 128);
  const ScalpChart c =
      build_scalp_chart(surface, landmark(head, "vertex"), Vec3(1, 0, 0), Vec3(0, 1, 0));
  const std::vector<double> windows = {0.025, 0.1, 0.4};
  const ChartStretch st = chart_stretch(c, windows);
  std::mt19937_64 rng(4);
  std::normal_distribution<double> n(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  int checked = 0;
  for (int k = 0; k < 60000; ++k) {
    const Vec3 q = Vec3(n(rng), n(rng), n(rng)).normalized();
    const size_t w = static_cast<size_t>(k) % windows.size();
    // A direction on the great circle through q and a random tangent, up to the window away.
    const Vec3 t = q.cross(Vec3(n(rng), n(rng), n(rng))).normalized();
    const double a = windows[w] * u(rng);
    const Vec3 p = std::cos(a) * q + std::sin(a) * t;
    const double theta = std::acos(std::clamp(q.dot(c.axis), -1.0, 1.0));
    const double bound = st.mm_per_rad(theta, w);
    if (!std::isfinite(bound)) continue;
    const Vec2 cq = chart_from_point(c, c.centre + 90 * q),
               cp = chart_from_point(c, c.centre + 70 * p);
    ASSERT_LE((cp - cq).norm(), bound * a + 1e-9) << q.transpose() << " / " << p.transpose();
    ++checked;
  }
  EXPECT_GT(checked, 50000);
}

}  // namespace
}  // namespace stipple
