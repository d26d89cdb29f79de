// The sampler on simple surfaces whose answers are known: a sphere with a uniform cap, a
// density step, sessions as nested unions.
#include "stipple/sampling/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "stipple/field/field_grid.h"
#include "stipple/geometry/cube_map.h"
#include "stipple/sampling/metrics.h"

namespace stipple {
namespace {

// A latitude-longitude sphere of radius r (fine enough that its facets are far below a dot).
TriMesh uv_sphere(double r, int n_lat, int n_lon) {
  TriMesh m;
  m.V.resize((n_lat - 1) * n_lon + 2, 3);
  m.V.row(0) = Vec3(0, 0, r).transpose();
  int v = 1;
  for (int i = 1; i < n_lat; ++i) {
    const double th = std::numbers::pi * i / n_lat;
    for (int j = 0; j < n_lon; ++j, ++v) {
      const double ph = 2 * std::numbers::pi * j / n_lon;
      m.V.row(v) =
          Vec3(r * std::sin(th) * std::cos(ph), r * std::sin(th) * std::sin(ph), r * std::cos(th))
              .transpose();
    }
  }
  const int south = v;
  m.V.row(south) = Vec3(0, 0, -r).transpose();
  std::vector<Eigen::Vector3i> f;
  for (int j = 0; j < n_lon; ++j) f.emplace_back(0, 1 + j, 1 + (j + 1) % n_lon);
  for (int i = 0; i < n_lat - 2; ++i) {
    for (int j = 0; j < n_lon; ++j) {
      const int a = 1 + i * n_lon + j, b = 1 + i * n_lon + (j + 1) % n_lon;
      const int c = a + n_lon, d = b + n_lon;
      f.emplace_back(a, c, d);
      f.emplace_back(a, d, b);
    }
  }
  const int last = 1 + (n_lat - 2) * n_lon;
  for (int j = 0; j < n_lon; ++j) f.emplace_back(south, last + (j + 1) % n_lon, last + j);
  m.F.resize(static_cast<Eigen::Index>(f.size()), 3);
  for (size_t k = 0; k < f.size(); ++k) m.F.row(static_cast<Eigen::Index>(k)) = f[k].transpose();
  return m;
}

struct Fixture {
  RadialSurface surface;
  explicit Fixture(double r = 80)
      : surface(build_radial_surface(uv_sphere(r, 180, 360), Vec3::Zero(), 256)) {}
};

const Fixture& sphere() {
  static const Fixture f;
  return f;
}

// Density `inner` within 40 mm (chord) of the north pole, `outer` out to 60 mm, nothing beyond.
FieldGrid step_field(double inner, double outer) {
  return bake_function(sphere().surface, 128, [&](const Vec3& p) {
    FieldSample s;
    const double d = (p - Vec3(0, 0, 80)).norm();
    s.dots_per_cm2 = d < 40 ? inner : d < 60 ? outer : 0;
    s.zone = d < 40 ? 0 : d < 60 ? 1 : -1;
    return s;
  });
}

std::vector<Vec3> positions(const std::vector<SampledDot>& dots, int max_session = 99) {
  std::vector<Vec3> p;
  for (const auto& d : dots) {
    if (d.session <= max_session) p.push_back(d.position_mm);
  }
  return p;
}

TEST(Sampler, UniformCapHitsTheCountAndIsBlueNoise) {
  const FieldGrid g = step_field(100, 100);
  const double expected = expected_dots(g);
  // Cap of chord radius 60 on a sphere of radius 80: height h = 60^2 / (2 * 80), area 2 pi R h.
  EXPECT_NEAR(expected, 2 * std::numbers::pi * 80 * (3600.0 / 160) * 1.0, expected * 0.01);
  SamplerParams p;
  p.session_shares = {1.0};
  const auto dots = sample_dots(sphere().surface, g, p);
  EXPECT_NEAR(static_cast<double>(dots.size()), expected, 1.0);
  std::vector<double> s(dots.size(), hex_spacing_mm(100));
  const SpacingStats st = spacing_stats(positions(dots), s);
  EXPECT_GE(st.min_ratio, 0.65);
  EXPECT_LE(st.cv, 0.12);
  for (const auto& d : dots) {
    EXPECT_NEAR(d.position_mm.norm(), 80.0, 0.05);
    EXPECT_LT((d.position_mm - Vec3(0, 0, 80)).norm(), 60.0 + 1.0);  // one field texel
    EXPECT_NEAR(d.normal.dot(d.position_mm.normalized()), 1.0, 1e-3);
  }
}

TEST(Sampler, SessionsAreNestedBlueNoiseUnions) {
  const FieldGrid g = step_field(100, 100);
  SamplerParams p;
  p.session_shares = {0.4, 0.35, 0.25};
  const auto dots = sample_dots(sphere().surface, g, p);
  const double expected = expected_dots(g);
  double cum = 0;
  for (int k = 1; k <= 3; ++k) {
    cum += p.session_shares[static_cast<size_t>(k - 1)];
    const auto pts = positions(dots, k);
    EXPECT_NEAR(static_cast<double>(pts.size()), expected * cum, 1.5) << "session " << k;
    const SpacingStats st =
        spacing_stats(pts, std::vector<double>(pts.size(), hex_spacing_mm(100 * cum)));
    EXPECT_GE(st.min_ratio, 0.65) << "union of sessions 1.." << k;
    EXPECT_LE(st.cv, 0.12) << "union of sessions 1.." << k;
  }
}

TEST(Sampler, VariableDensityFollowsTheTarget) {
  const FieldGrid g = step_field(120, 40);
  SamplerParams p;
  p.session_shares = {1.0};
  const auto dots = sample_dots(sphere().surface, g, p);
  // Count in the interiors (2 spacings clear of the step and the rim); areas of spherical zones.
  auto cap_area = [](double chord) { return 2 * std::numbers::pi * 80 * (chord * chord / 160); };
  int inner = 0, outer = 0;
  for (const auto& d : dots) {
    const double c = (d.position_mm - Vec3(0, 0, 80)).norm();
    inner += c < 36;
    outer += c > 44 && c < 56;
  }
  EXPECT_NEAR(inner / (cap_area(36) / 100), 120, 120 * 0.05);
  EXPECT_NEAR(outer / ((cap_area(56) - cap_area(44)) / 100), 40, 40 * 0.05);
  std::vector<double> s;
  for (const auto& d : dots) s.push_back(hex_spacing_mm(d.density_per_cm2));
  const SpacingStats st = spacing_stats(positions(dots), s);
  EXPECT_GE(st.min_ratio, 0.65);
  EXPECT_LE(st.cv, 0.12);
}

// Patches meet without a seam: the texel rows along patch edges hold the density the field asks
// for, like the rows inside (three seeds pooled; without the seam growth the edge rows fall
// ~15 % short).
TEST(Sampler, PatchEdgesKeepTheDensity) {
  const FieldGrid g = step_field(100, 100);
  const int res = g.res, w = res + 2, patch = res / 4;  // SamplerParams::patch_texels's default
  // Texel (i, j)'s distance in rows from the nearest patch edge of its face.
  auto ring = [&](int i, int j) {
    const int a = (i - 1) % patch, b = (j - 1) % patch;
    return std::min(std::min(a, patch - 1 - a), std::min(b, patch - 1 - b));
  };
  double expected_edge = 0, expected_inner = 0, got_edge = 0, got_inner = 0;
  for (std::uint64_t seed : {1, 2, 3}) {
    SamplerParams p;
    p.seed = seed;
    p.session_shares = {0.4, 0.35, 0.25};
    SamplerStats stats;
    const auto dots = sample_dots(sphere().surface, g, p, &stats);
    EXPECT_GT(stats.patches, 4u);
    EXPECT_GT(stats.seam_dots, 0u);
    EXPECT_EQ(stats.fallback_dots, 0u);
    for (int f = 0; f < 6; ++f) {
      for (int j = 1; j <= res; ++j) {
        for (int i = 1; i <= res; ++i) {
          const size_t k = (static_cast<size_t>(f) * w + j) * w + i;
          // Texels whose neighbours all carry the same density (clear of the cap's rim).
          if (g.dots_per_cm2[k] < 99 || g.dots_per_cm2[k - 1] < 99 || g.dots_per_cm2[k + 1] < 99 ||
              g.dots_per_cm2[k - w] < 99 || g.dots_per_cm2[k + w] < 99)
            continue;
          (ring(i, j) == 0 ? expected_edge : expected_inner) +=
              g.area_mm2[k] * 0.01 * g.dots_per_cm2[k];
        }
      }
    }
    for (const auto& d : dots) {
      const int k = cube_nearest(cube_stencil(d.position_mm - g.centre, res), res);
      const int j = (k / w) % w, i = k % w;
      const size_t kk = static_cast<size_t>(k);
      if (g.dots_per_cm2[kk] < 99 || g.dots_per_cm2[kk - 1] < 99 || g.dots_per_cm2[kk + 1] < 99 ||
          g.dots_per_cm2[kk - w] < 99 || g.dots_per_cm2[kk + w] < 99)
        continue;
      (ring(i, j) == 0 ? got_edge : got_inner) += 1;
    }
  }
  ASSERT_GT(expected_edge, 500);
  std::printf("patch-edge rows: %.0f dots of %.0f asked (%.3f); inside: %.0f of %.0f (%.3f)\n",
              got_edge, expected_edge, got_edge / expected_edge, got_inner, expected_inner,
              got_inner / expected_inner);
  EXPECT_NEAR(got_edge / expected_edge, 1.0, 0.06);
  EXPECT_NEAR(got_inner / expected_inner, 1.0, 0.03);
}

TEST(Sampler, DeterministicForASeedAndDifferentAcrossSeeds) {
  const FieldGrid g = step_field(80, 80);
  SamplerParams p;
  const auto a = sample_dots(sphere().surface, g, p);
  const auto b = sample_dots(sphere().surface, g, p);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i].position_mm, b[i].position_mm);
  p.seed = 2;
  const auto c = sample_dots(sphere().surface, g, p);
  size_t same = 0;
  for (size_t i = 0; i < std::min(a.size(), c.size()); ++i)
    same += a[i].position_mm == c[i].position_mm;
  EXPECT_LT(same, a.size() / 100);
}

TEST(Sampler, RefusesTooManyDotsAndBadShares) {
  const FieldGrid g = step_field(100, 100);
  SamplerParams p;
  p.max_dots = 100;
  EXPECT_THROW(sample_dots(sphere().surface, g, p), std::invalid_argument);
  SamplerParams q;
  q.session_shares = {};
  EXPECT_THROW(sample_dots(sphere().surface, g, q), std::invalid_argument);
  // Every tuning parameter is range-checked, with the name in the message.
  auto message = [&](const SamplerParams& bad) {
    try {
      sample_dots(sphere().surface, g, bad);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  SamplerParams k;
  k.kappa = 0.5;
  EXPECT_NE(message(k).find("kappa = 0.5"), std::string::npos) << message(k);
  SamplerParams seam;
  seam.seam_candidates_per_dot = 0;
  EXPECT_NE(message(seam).find("seam_candidates_per_dot = 0"), std::string::npos);
  SamplerParams relax;
  relax.relax_passes = -1;
  EXPECT_NE(message(relax).find("relax_passes = -1"), std::string::npos);
  SamplerParams reserve;
  reserve.reserve = 2;
  EXPECT_NE(message(reserve).find("reserve = 2"), std::string::npos);
}

}  // namespace
}  // namespace stipple
