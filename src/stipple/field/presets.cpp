#include "stipple/field/presets.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "stipple/field/density_field.h"

namespace stipple {
namespace {

// A chart ellipse as a polygon (64 vertices: below a tenth of a millimetre from the curve for
// the sizes used here).
ZoneShape ellipse(double cu, double cv, double ru, double rv) {
  ZoneShape s;
  s.kind = ZoneShape::Kind::kPolygon;
  for (int k = 0; k < 64; ++k) {
    const double a = 2 * std::numbers::pi * k / 64;
    s.points.push_back({cu + ru * std::cos(a), cv + rv * std::sin(a)});
  }
  return s;
}

Zone make_zone(std::string name, std::string kind, ZoneShape shape, double existing,
               double feather_mm) {
  Zone z;
  z.name = std::move(name);
  z.kind = std::move(kind);
  z.shape = std::move(shape);
  z.density_per_cm2 = 100;  // "full" density (domain.md: FU lattice at 1 mm = 114.5/cm2)
  z.existing_density_per_cm2 = existing;
  z.feather_mm = feather_mm;
  return z;
}

Zone whole_scalp(double existing) {
  ZoneShape s;
  s.kind = ZoneShape::Kind::kWholeScalp;
  return make_zone("scalp", "scalp", s, existing, 8);
}

Zone hairline_band(const HairlineSpec& h, double existing) {
  ZoneShape s;
  s.kind = ZoneShape::Kind::kBehindHairline;
  Zone z = make_zone("hairline", "hairline", s, existing, 12);
  z.density_per_cm2 = h.density_per_cm2;
  z.diameter_min_mm = h.diameter_min_mm;
  z.diameter_max_mm = h.diameter_max_mm;
  z.depth_mm = h.depth_target_mm;
  return z;
}

Zone crown(double L, double radius_frac, double existing) {
  Zone z = make_zone("crown", "crown", ellipse(0, -0.55 * L, radius_frac * L, radius_frac * L),
                     existing, 18);
  z.whorl.enabled = true;
  z.whorl.centre = {0, -0.55 * L};
  z.whorl.radius_mm = std::max(15.0, 0.6 * radius_frac * L);
  return z;
}

struct Geometry {
  double L;  // chart distance vertex -> mid-frontal point (mm)
  double W;  // chart half-width at the frontotemporal points (mm)
  Vec2 ft_left, ft_right;
};

std::vector<Zone> preset_zones(const std::string& p, const Plan& plan, const Geometry& g) {
  const double L = g.L, W = g.W;
  const HairlineSpec& h = plan.hairline;
  std::vector<Zone> z;
  auto recessions = [&](double ru, double rv, double back, double existing) {
    for (int side = 0; side < 2; ++side) {
      const Vec2 c = side == 0 ? g.ft_left : g.ft_right;
      z.push_back(make_zone(side == 0 ? "left_recession" : "right_recession", "scalp",
                            ellipse(c.x(), c.y() - back, ru, rv), existing, 12));
    }
  };
  auto front = [&](double centre_frac, double ru_frac, double rv_frac, double existing) {
    z.push_back(make_zone("front", "scalp", ellipse(0, centre_frac * L, ru_frac * W, rv_frac * L),
                          existing, 18));
  };
  if (p == "norwood-i") {
    z = {whole_scalp(85), hairline_band(h, 60)};
  } else if (p == "norwood-ii") {
    z = {whole_scalp(80), hairline_band(h, 40)};
    recessions(0.35 * W, 0.25 * L, 0.05 * L, 15);
  } else if (p == "norwood-iia") {
    z = {whole_scalp(80), hairline_band(h, 10)};
    front(0.75, 0.85, 0.32, 25);
  } else if (p == "norwood-iii" || p == "norwood-iii-vertex") {
    z = {whole_scalp(75), hairline_band(h, 0)};
    front(0.75, 0.8, 0.35, 40);
    recessions(0.45 * W, 0.4 * L, 0.1 * L, 0);
    if (p == "norwood-iii-vertex") z.push_back(crown(L, 0.3, 10));
  } else if (p == "norwood-iv") {
    z = {whole_scalp(70), hairline_band(h, 0)};
    front(0.55, 1.1, 0.6, 0);
    z.push_back(crown(L, 0.38, 0));
  } else if (p == "norwood-iva") {
    z = {whole_scalp(70), hairline_band(h, 0)};
    front(0.3, 1.1, 0.85, 0);
  } else if (p == "norwood-v") {
    z = {whole_scalp(65), hairline_band(h, 0)};
    z.push_back(make_zone("midscalp", "blend", ellipse(0, -0.05 * L, 1.0 * W, 0.55 * L), 30, 15));
    front(0.5, 1.15, 0.62, 0);
    z.push_back(crown(L, 0.48, 0));
  } else if (p == "norwood-va") {
    z = {whole_scalp(65), hairline_band(h, 0)};
    front(0.15, 1.2, 1.0, 0);
    z.push_back(crown(L, 0.45, 5));
  } else if (p == "norwood-vi") {
    z = {whole_scalp(60), hairline_band(h, 0)};
    z.push_back(make_zone("top", "scalp", ellipse(0, -0.05 * L, 1.3 * W, 1.25 * L), 0, 20));
    z.push_back(crown(L, 0.45, 0));
  } else if (p == "norwood-vii") {
    z = {whole_scalp(50), hairline_band(h, 0)};
    z.push_back(make_zone("top", "scalp", ellipse(0, -0.1 * L, 1.55 * W, 1.45 * L), 0, 20));
    z.push_back(crown(L, 0.45, 0));
  } else if (p == "ludwig-i" || p == "ludwig-ii" || p == "ludwig-iii") {
    // Diffuse thinning over the top behind a preserved frontal hairline: the thinning region's
    // front edge sits ~2 cm behind the mid-frontal point (domain.md: 1-3 cm).
    const double existing = p == "ludwig-i" ? 65 : p == "ludwig-ii" ? 45 : 20;
    z = {whole_scalp(88)};
    const double cv = -0.1 * L,
                 rv = (L - 20) - cv;  // front edge 20 mm behind the mid-frontal point
    z.push_back(make_zone("thinning", "scalp", ellipse(0, cv, 0.95 * W, rv), existing, 20));
  } else if (p == "alopecia-areata") {
    // Patches move, so the whole scalp is treated (domain.md); the plan adds its patches.
    z = {whole_scalp(50), hairline_band(h, 50)};
  } else {
    throw std::invalid_argument(fmt::format("plan: /pattern = \"{}\" is not a known pattern", p));
  }
  if (!h.enabled) {
    z.erase(std::remove_if(z.begin(), z.end(), [](const Zone& x) { return x.kind == "hairline"; }),
            z.end());
  }
  return z;
}

// Copies the keys a plan zone gave over a preset zone.
void merge_zone(Zone& into, const Zone& from) {
  for (const std::string& k : from.given_keys) {
    if (k == "kind")
      into.kind = from.kind;
    else if (k == "shape")
      into.shape = from.shape;
    else if (k == "density_per_cm2")
      into.density_per_cm2 = from.density_per_cm2;
    else if (k == "existing_density_per_cm2")
      into.existing_density_per_cm2 = from.existing_density_per_cm2;
    else if (k == "diameter_min_mm")
      into.diameter_min_mm = from.diameter_min_mm;
    else if (k == "diameter_max_mm")
      into.diameter_max_mm = from.diameter_max_mm;
    else if (k == "depth_mm")
      into.depth_mm = from.depth_mm;
    else if (k == "feather_mm")
      into.feather_mm = from.feather_mm;
    else if (k == "dilution")
      into.dilution_water_parts = from.dilution_water_parts;
    else if (k == "whorl")
      into.whorl = from.whorl;
  }
  into.given_keys = from.given_keys;
}

}  // namespace

void expand_pattern(Plan& plan, const DensityField& f, const Head&) {
  if (plan.pattern == "custom") return;
  Geometry g;
  const Vec2 mf = chart_from_point(f.chart, hairline_point(f.hairline, "mid_frontal"));
  g.L = mf.norm();
  g.ft_left = chart_from_point(f.chart, hairline_point(f.hairline, "left_frontotemporal"));
  g.ft_right = chart_from_point(f.chart, hairline_point(f.hairline, "right_frontotemporal"));
  g.W = 0.5 * (g.ft_right.x() - g.ft_left.x());
  std::vector<Zone> zones = preset_zones(plan.pattern, plan, g);
  for (const Zone& pz : plan.zones) {
    auto it =
        std::find_if(zones.begin(), zones.end(), [&](const Zone& z) { return z.name == pz.name; });
    if (it != zones.end() && !pz.given_keys.empty()) {
      merge_zone(*it, pz);
    } else if (it != zones.end()) {
      *it = pz;
    } else {
      zones.push_back(pz);
    }
  }
  plan.zones = std::move(zones);
}

}  // namespace stipple
