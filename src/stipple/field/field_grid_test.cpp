// The baked field against its definition: evaluate_field against the plain combination of the
// exact zone distances, bake_field against evaluate_field at every texel, on every example.
#include "stipple/field/field_grid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>

#include "stipple/geometry/cube_map.h"
#include "stipple/plan/plan_json.h"
#include "stipple/planner.h"

namespace stipple {
namespace {

// The shipped examples, and "mixed": every shape kind at once, a feather of 0, a whorl on a
// circle, FUE discs over a FUT strip.
const std::vector<std::string> kExamples = {
    "norwood-iii", "norwood-v", "norwood-vii", "ludwig-ii", "scar-fut", "alopecia-areata", "mixed"};

const char* kMixedPlan = R"({
  "stipple_plan": 1, "name": "mixed", "pattern": "norwood-iv", "head": {"kind": "parametric"},
  "zones": [
    {"name": "sharp", "shape": {"kind": "polygon", "points": [[-60, 30], [-20, 45], [-35, 0]]},
     "density_per_cm2": 90, "feather_mm": 0, "dilution": "12:1"},
    {"name": "patch", "kind": "patch", "shape": {"kind": "circle", "centre": [40, -40],
     "radius_mm": 30}, "density_per_cm2": 120, "feather_mm": 9,
     "whorl": {"enabled": true, "centre": [45, -35], "radius_mm": 12, "arms": 3}}
  ],
  "scars": [
    {"type": "fut", "points": [[-70, -140], [0, -150], [70, -140]], "width_mm": 6},
    {"type": "fue", "points": [[-30, -120], [-12, -126], [6, -121], [22, -128]],
     "diameter_mm": 2}
  ],
  "sessions": {"sessions": [{"share": 1, "dilution": "20:1"}], "spacing_days": 10,
               "start_date": "2027-03-01"},
  "seed": 3
})";

struct Example {
  Head head;
  DensityField field;
};

const Example& example(const std::string& name) {
  static std::map<std::string, Example> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    const Plan plan =
        name == "mixed"
            ? parse_plan(kMixedPlan, "")
            : load_plan(std::string(STIPPLE_SOURCE_DIR) + "/examples/" + name + ".json");
    Example e;
    e.head = build_head(plan);
    e.field = make_density_field(plan, e.head);
    it = cache.emplace(name, std::move(e)).first;
  }
  return it->second;
}

// evaluate_field as density_field.h defines it, from the exact pieces: the hairline's signed
// distance and ramp, each zone's signed distance (zone_signed_distance_mm) and weight, blended
// in plan order.
FieldSample by_definition(const DensityField& f, const Vec3& p) {
  FieldSample s;
  s.hairline_sd_mm = hairline_signed_distance_mm(f.hairline, f.chart, p);
  const double ramp = hairline_ramp(f.plan.hairline, s.hairline_sd_mm);
  if (ramp <= 0) return s;
  bool first = true;
  double best_w = 0;
  int best = -1;
  auto lerp = [](double a, double b, double t) { return a + (b - a) * t; };
  for (size_t i = 0; i < f.plan.zones.size(); ++i) {
    const Zone& z = f.plan.zones[i];
    const double sd = zone_signed_distance_mm(f, static_cast<int>(i), p, s.hairline_sd_mm);
    if (sd < 0) continue;
    const double w = z.feather_mm > 0 ? smoothstep01(sd / z.feather_mm) : 1.0;
    double target = z.density_per_cm2;
    if (z.whorl.enabled)
      target *= whorl_factor(z.whorl, f.zones[i].whorl_centre_chart, chart_from_point(f.chart, p));
    if (first) {
      s.diameter_min_mm = z.diameter_min_mm, s.diameter_max_mm = z.diameter_max_mm,
      s.depth_mm = z.depth_mm;
      first = false;
    }
    s.target_per_cm2 = lerp(s.target_per_cm2, target, w);
    s.existing_per_cm2 = lerp(s.existing_per_cm2, z.existing_density_per_cm2, w);
    s.diameter_min_mm = lerp(s.diameter_min_mm, z.diameter_min_mm, w);
    s.diameter_max_mm = lerp(s.diameter_max_mm, z.diameter_max_mm, w);
    s.depth_mm = lerp(s.depth_mm, z.depth_mm, w);
    if (w >= 0.5) {
      s.zone = static_cast<int>(i);
      s.dilution_override = z.dilution_water_parts ? *z.dilution_water_parts : -1;
    }
    if (w > best_w) best_w = w, best = static_cast<int>(i);
  }
  if (s.zone < 0 && best >= 0) {
    s.zone = best;
    const Zone& z = f.plan.zones[static_cast<size_t>(best)];
    s.dilution_override = z.dilution_water_parts ? *z.dilution_water_parts : -1;
  }
  s.dots_per_cm2 = ramp * std::max(0.0, s.target_per_cm2 - s.existing_per_cm2);
  return s;
}

// Bit for bit (== on doubles): the fast paths skip only work whose result cannot change these.
void expect_same(const FieldSample& got, const FieldSample& want, const Vec3& p,
                 bool hairline_too) {
  ASSERT_EQ(got.dots_per_cm2, want.dots_per_cm2) << p.transpose();
  ASSERT_EQ(got.target_per_cm2, want.target_per_cm2) << p.transpose();
  ASSERT_EQ(got.existing_per_cm2, want.existing_per_cm2) << p.transpose();
  ASSERT_EQ(got.diameter_min_mm, want.diameter_min_mm) << p.transpose();
  ASSERT_EQ(got.diameter_max_mm, want.diameter_max_mm) << p.transpose();
  ASSERT_EQ(got.depth_mm, want.depth_mm) << p.transpose();
  ASSERT_EQ(got.dilution_override, want.dilution_override) << p.transpose();
  ASSERT_EQ(got.zone, want.zone) << p.transpose();
  if (hairline_too) {
    ASSERT_EQ(got.hairline_sd_mm, want.hairline_sd_mm) << p.transpose();
  }
}

class FieldGridExample : public ::testing::TestWithParam<std::string> {};

// Surface points all over the head (the texel centres of a coarse grid) and random points near
// the hairline, where the zones' edges and the ramp are.
TEST_P(FieldGridExample, EvaluateFieldIsItsDefinition) {
  const DensityField& f = example(GetParam()).field;
  std::vector<Vec3> points;
  const FieldGrid coarse = bake_function(f.surface, 48, [](const Vec3&) { return FieldSample{}; });
  points = coarse.point_mm;
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<size_t> pick(0, f.hairline.curve_mm.size() - 1);
  std::normal_distribution<double> jitter(0, 12);
  for (int k = 0; k < 20000; ++k) {
    const Vec3 c = f.hairline.curve_mm[pick(rng)];
    points.push_back(
        project_to_surface(f.surface, c + Vec3(jitter(rng), jitter(rng), jitter(rng))));
  }
  for (const Vec3& p : points) expect_same(evaluate_field(f, p), by_definition(f, p), p, true);
}

// The texels where two grids' field values differ (and, with `geometry`, their areas, ray
// cosines or points), compared bit for bit.
size_t differing_texels(const FieldGrid& g, const FieldGrid& want, bool geometry) {
  size_t differ = 0;
  for (size_t k = 0; k < g.dots_per_cm2.size(); ++k) {
    differ += g.dots_per_cm2[k] != want.dots_per_cm2[k] ||
              g.diameter_min_mm[k] != want.diameter_min_mm[k] ||
              g.diameter_max_mm[k] != want.diameter_max_mm[k] ||
              g.depth_mm[k] != want.depth_mm[k] ||
              g.dilution_override[k] != want.dilution_override[k] || g.zone[k] != want.zone[k] ||
              (geometry && (g.area_mm2[k] != want.area_mm2[k] || g.ray_cos[k] != want.ray_cos[k] ||
                            g.point_mm[k] != want.point_mm[k]));
  }
  return differ;
}

// The bake's walk along the rows (bounds from the previous texels) gives what evaluating every
// texel alone gives, in every table.
TEST_P(FieldGridExample, BakeIsTheFieldAtEveryTexel) {
  const DensityField& f = example(GetParam()).field;
  const FieldGrid g = bake_field(f, 128);
  const FieldGrid want =
      bake_function(f.surface, 128, [&f](const Vec3& p) { return evaluate_field(f, p); });
  ASSERT_EQ(g.dots_per_cm2.size(), want.dots_per_cm2.size());
  EXPECT_EQ(differing_texels(g, want, /*geometry=*/true), 0u);
  EXPECT_EQ(expected_dots(g), expected_dots(want));
}

// A walker gives evaluate_field's samples whatever its walk: along the hairline and across it in
// small steps (where its bounds carry furthest), and in random order with jumps.
TEST_P(FieldGridExample, WalkerIsEvaluateFieldOnAnyWalk) {
  const DensityField& f = example(GetParam()).field;
  std::mt19937_64 rng(17);
  std::normal_distribution<double> n(0, 1);
  std::vector<Vec3> walk;
  const std::vector<Vec3>& line = f.hairline.curve_mm;
  for (int across = -40; across <= 60; across += 5) {
    for (size_t k = 0; k < line.size(); k += 2) {
      const size_t k1 = std::min(k + 1, line.size() - 1), k0 = k > 0 ? k - 1 : 0;
      const Vec3 t = (line[k1] - line[k0]).normalized();
      const Vec3 out = (line[k] - f.surface.centre).normalized().cross(t);
      walk.push_back(project_to_surface(f.surface, line[k] + across * out));
    }
  }
  for (int k = 0; k < 20000; ++k) {
    const Vec3 p = walk.back() + (k % 50 == 0 ? 60.0 : 1.5) * Vec3(n(rng), n(rng), n(rng));
    walk.push_back(project_to_surface(f.surface, p));
  }
  std::vector<Vec3> shuffled = walk;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  for (const std::vector<Vec3>* w : {&walk, &shuffled}) {
    FieldWalker walker(f);
    for (const Vec3& p : *w) expect_same(walker.evaluate(p), evaluate_field(f, p), p, false);
  }
}

// Where settle_within settles a ball, every surface point in it has that sample: the default
// one, or the one at its centre (hairline_sd_mm aside). Balls of every size all over the head
// (the texel centres of a coarse grid), points in them from the surface near random offsets.
TEST_P(FieldGridExample, SettledBallsHoldTheirSample) {
  const DensityField& f = example(GetParam()).field;
  const FieldGrid coarse = bake_function(f.surface, 24, [](const Vec3&) { return FieldSample{}; });
  std::mt19937_64 rng(23);
  std::uniform_real_distribution<double> u(-1, 1);
  FieldWalker walker(f);
  size_t settled = 0;
  for (size_t k = 0; k < coarse.point_mm.size(); ++k) {
    const Vec3& c = coarse.point_mm[k];
    const double radius_mm = 1.5 * (1 + k % 8);
    const FieldWalker::Settled s = walker.settle_within(c, radius_mm);
    if (s == FieldWalker::Settled::kNo) continue;
    ++settled;
    const FieldSample want =
        s == FieldWalker::Settled::kDefault ? FieldSample{} : evaluate_field(f, c);
    for (int m = 0; m < 40; ++m) {
      const Vec3 p = project_to_surface(f.surface, c + radius_mm * Vec3(u(rng), u(rng), u(rng)));
      if ((p - c).norm() > radius_mm) continue;
      expect_same(evaluate_field(f, p), want, p, false);
    }
  }
  EXPECT_GT(settled, 0u);
}

// The bake's blocks at other resolutions (tiles clipped at the faces' edges differently).
TEST_P(FieldGridExample, BakeIsTheFieldAtOtherResolutions) {
  const DensityField& f = example(GetParam()).field;
  for (int res : {37, 200}) {
    const FieldGrid g = bake_field(f, res);
    const FieldGrid want =
        bake_function(f.surface, res, [&f](const Vec3& p) { return evaluate_field(f, p); });
    EXPECT_EQ(differing_texels(g, want, /*geometry=*/false), 0u) << "res " << res;
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, FieldGridExample, ::testing::ValuesIn(kExamples),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) c = c == '-' ? '_' : c;
                           return n;
                         });

// Each texel's point is the surface point through its centre, its ray cosine that of the
// surface normal (the cross product of its neighbours' differences) and its area the solid angle
// times r^2 over the ray cosine; the areas add up to the head mesh's (within 0.1 %), and the
// cosines agree with surface_normal's where the surface is smooth (the scalp).
TEST(FieldGrid, PointsAreasAndRayCosines) {
  const Example& e = example("norwood-v");
  const RadialSurface& s = e.field.surface;
  const int res = 128, w = res + 2;
  const FieldGrid g = bake_function(s, res, [](const Vec3&) { return FieldSample{}; });
  ASSERT_EQ(g.ray_cos.size(), static_cast<size_t>(6 * w * w));
  double total = 0, worst_scalp = 0;
  for (int f = 0; f < 6; ++f) {
    for (int j = 0; j < w; ++j) {
      for (int i = 0; i < w; ++i) {
        const size_t k = (static_cast<size_t>(f) * w + j) * w + i;
        const Vec3 d = cube_texel_direction(f, i, j, res).normalized();
        ASSERT_EQ(g.point_mm[k], s.centre + surface_radius_mm(s, d) * d);
        ASSERT_GE(g.ray_cos[k], 0.05f);
        ASSERT_LE(g.ray_cos[k], 1.0f);
        const bool interior = i >= 1 && i <= res && j >= 1 && j <= res;
        if (!interior) {
          EXPECT_EQ(g.area_mm2[k], 0.0f);
          continue;
        }
        const double r = (g.point_mm[k] - s.centre).norm();
        EXPECT_NEAR(g.area_mm2[k], cube_texel_solid_angle(i, j, res) * r * r / g.ray_cos[k],
                    1e-6 * g.area_mm2[k]);
        total += g.area_mm2[k];
        if (g.point_mm[k].z() > 60) {  // the top of the head
          const double cos_n = surface_normal(s, g.point_mm[k]).dot(d);
          worst_scalp = std::max(worst_scalp, std::abs(g.ray_cos[k] - cos_n));
        }
      }
    }
  }
  EXPECT_NEAR(total, surface_area_mm2(e.head.mesh), 1e-3 * total);
  EXPECT_LT(worst_scalp, 0.01);
}

}  // namespace
}  // namespace stipple
