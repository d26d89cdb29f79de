#include "stipple/planner.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <stdexcept>

#include "stipple/head/parametric_head.h"
#include "stipple/head/scanned_head.h"
#include "stipple/sampling/rng.h"
#include "stipple/sampling/sampler.h"

namespace stipple {
namespace {

std::string resolve(const std::string& base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / p).string();
}

// Outline of a zone on the surface, for charts: the shape's own boundary where it has one.
std::vector<Vec3> zone_outline(const DensityField& f, size_t zi) {
  const Zone& z = f.plan.zones[zi];
  const ZoneGeometry& g = f.zones[zi];
  std::vector<Vec3> out;
  auto circle = [&](const Vec3& c, double r) {
    const Vec3 n = surface_normal(f.surface, c), t1 = n.unitOrthogonal(), t2 = n.cross(t1);
    for (int k = 0; k <= 48; ++k) {
      const double a = 2 * std::numbers::pi * k / 48;
      out.push_back(project_to_surface(f.surface, c + r * (std::cos(a) * t1 + std::sin(a) * t2)));
    }
  };
  switch (z.shape.kind) {
    case ZoneShape::Kind::kPolygon:
      for (size_t k = 0; k <= g.polygon_chart.size(); ++k) {
        const Vec2& a = g.polygon_chart[k % g.polygon_chart.size()];
        const Vec2& b = g.polygon_chart[(k + 1) % g.polygon_chart.size()];
        for (int s = 0; s < 4 && k < g.polygon_chart.size(); ++s) {
          out.push_back(point_from_chart(f.chart, f.surface, a + (b - a) * (s / 4.0)));
        }
      }
      if (!out.empty()) out.push_back(out.front());
      break;
    case ZoneShape::Kind::kCircle:
      circle(g.centre_mm, z.shape.radius_mm);
      break;
    case ZoneShape::Kind::kStrip:
      out = g.line_mm;  // the scar's centre line
      break;
    case ZoneShape::Kind::kDiscs:
      break;  // too small to outline on a chart; the dots show them
    case ZoneShape::Kind::kBehindHairline: {
      // The back edge: the hairline moved depth_mm back over the surface, along the chart normal
      // (chart radial distances are true to the surface).
      const auto& c = f.hairline.ahead_chart;
      const size_t n = f.hairline.curve_mm.size();
      for (size_t k = 2; k + 2 < n; k += 4) {
        const Vec2 t = (c[k + 2] - c[k - 2]).normalized();
        const Vec2 back(t.y(), -t.x());  // right of a left-to-right line: away from the face
        out.push_back(point_from_chart(f.chart, f.surface, c[k] + f.plan.hairline.depth_mm * back));
      }
      break;
    }
    case ZoneShape::Kind::kWholeScalp: {
      // The hair-bearing margin around the sides and the back (in front, the hairline is the
      // edge): the surface at the margin height on each azimuth, by bisection on z down to
      // 0.01 mm (a chart's line is drawn to a tenth of a millimetre at best).
      for (int k = 0; k <= 110; ++k) {
        const double az = 70 + 2.0 * k;  // 70 .. 290 degrees, through the back
        const double a = az * std::numbers::pi / 180;
        double zlo = -150, zhi = 250;
        Vec3 p;
        while (zhi - zlo > 0.01) {
          const double zm = 0.5 * (zlo + zhi);
          p = project_to_surface(f.surface, Vec3(200 * std::sin(a), 200 * std::cos(a), zm));
          (zone_signed_distance_mm(f, static_cast<int>(zi), p, 0) > 0 ? zhi : zlo) = zm;
        }
        out.push_back(p);
      }
      break;
    }
  }
  return out;
}

}  // namespace

std::string add_days(const std::string& iso_date, int days) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (std::sscanf(iso_date.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) {
    throw std::invalid_argument(fmt::format("date \"{}\" is not YYYY-MM-DD", iso_date));
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                        std::chrono::day(d)};
  if (!ymd.ok())
    throw std::invalid_argument(fmt::format("date \"{}\" is not a calendar date", iso_date));
  const std::chrono::year_month_day out{std::chrono::sys_days(ymd) + std::chrono::days(days)};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(out.year()),
                     static_cast<unsigned>(out.month()), static_cast<unsigned>(out.day()));
}

Head build_head(const Plan& plan) {
  if (plan.head.kind == HeadSpec::Kind::kParametric)
    return make_parametric_head(plan.head.measurements);
  return load_scanned_head(resolve(plan.base_dir, plan.head.mesh_path),
                           resolve(plan.base_dir, plan.head.landmarks_path),
                           plan.head.mesh_units_to_mm);
}

PlanRun run_plan_detailed(const Plan& plan, const PlannerOptions& options) {
  PlanRun run;
  PlanResult& r = run.result;
  r.head = build_head(plan);
  run.field = make_density_field(plan, r.head, options.surface_res);
  const DensityField& f = run.field;
  r.plan = f.plan;
  run.grid = bake_field(f, options.field_res);
  const FieldGrid& g = run.grid;

  SamplerParams sp;
  sp.seed = plan.seed;
  sp.session_shares.clear();
  for (const Session& s : plan.sessions.sessions) sp.session_shares.push_back(s.share);
  sp.exact_density = [&f](const Vec3& p) { return evaluate_field(f, p).dots_per_cm2; };
  sp.normals = false;  // taken below with each dot's other attributes, in one lookup
  const std::vector<SampledDot> sampled = sample_dots(f.surface, g, sp);

  // Per-dot attributes. The diameter is drawn within the zone's range from its own stream, so
  // changing diameters never moves a dot.
  Rng rng(plan.seed ^ 0x64696d6574657273ULL);  // "dimeters"
  r.dots.reserve(sampled.size());
  for (size_t i = 0; i < sampled.size(); ++i) {
    const SampledDot& s = sampled[i];
    FieldValue v = lookup_field(g, s.position_mm);
    if (v.zone < 0) {
      // The nearest texel's centre lies just outside every zone (edges): ask the exact field.
      const FieldSample e = evaluate_field(f, s.position_mm);
      v.zone = e.zone;
      v.dilution_override = e.dilution_override;
    }
    Dot d;
    d.id = static_cast<int>(i);
    d.session = s.session;
    d.position_mm = s.position_mm;
    d.normal = v.normal;
    d.zone = v.zone;
    d.diameter_mm = v.diameter_min_mm + rng.uniform() * (v.diameter_max_mm - v.diameter_min_mm);
    d.depth_mm = v.depth_mm;
    d.dilution_water_parts =
        v.dilution_override >= 0
            ? v.dilution_override
            : plan.sessions.sessions[static_cast<size_t>(s.session - 1)].dilution_water_parts;
    d.density_per_cm2 = s.density_per_cm2;
    r.dots.push_back(d);
  }

  // Areas from the baked field: a texel belongs to the zone that owns its centre, and counts
  // as treated where it carries dots.
  const size_t nz = r.plan.zones.size(), ns = plan.sessions.sessions.size();
  r.zones.resize(nz);
  std::vector<double> weighted(nz, 0.0);
  for (size_t k = 0; k < g.area_mm2.size(); ++k) {
    if (g.area_mm2[k] <= 0 || g.dots_per_cm2[k] < sp.min_density_per_cm2 || g.zone[k] < 0) continue;
    const size_t z = static_cast<size_t>(g.zone[k]);
    r.zones[z].area_cm2 += g.area_mm2[k] * 0.01;
    weighted[z] += g.area_mm2[k] * 0.01 * g.dots_per_cm2[k];
  }
  for (size_t z = 0; z < nz; ++z) {
    ZoneSummary& zs = r.zones[z];
    zs.name = r.plan.zones[z].name;
    zs.kind = r.plan.zones[z].kind;
    zs.dots_per_session.assign(ns, 0);
    zs.boundary_mm = zone_outline(f, z);
  }
  r.sessions.resize(ns);
  for (const Dot& d : r.dots) {
    if (d.zone >= 0) {
      ++r.zones[static_cast<size_t>(d.zone)].dots;
      ++r.zones[static_cast<size_t>(d.zone)].dots_per_session[static_cast<size_t>(d.session - 1)];
    }
    ++r.sessions[static_cast<size_t>(d.session - 1)].dots;
  }
  for (size_t z = 0; z < nz; ++z) {
    ZoneSummary& zs = r.zones[z];
    r.treated_area_cm2 += zs.area_cm2;
    zs.target_density_per_cm2 = zs.area_cm2 > 0 ? weighted[z] / zs.area_cm2 : 0;
    zs.realised_density_per_cm2 = zs.area_cm2 > 0 ? zs.dots / zs.area_cm2 : 0;
  }
  for (size_t k = 0; k < ns; ++k) {
    SessionSummary& s = r.sessions[k];
    s.session = static_cast<int>(k) + 1;
    s.hours = s.dots / plan.rate_dots_per_hour;
    s.date = add_days(plan.sessions.start_date, static_cast<int>(k) * plan.sessions.spacing_days);
    s.dilution_water_parts = plan.sessions.sessions[k].dilution_water_parts;
  }
  r.hairline_mm = f.hairline.curve_mm;
  r.hairline_points = f.hairline.points;

  r.quote.currency = plan.price.currency;
  r.quote.unit_price = plan.price.amount;
  if (plan.price.basis == PriceSpec::Basis::kPerSession) {
    r.quote.basis = "per_session";
    r.quote.total = plan.price.amount * static_cast<double>(ns);
  } else {
    r.quote.basis = "per_cm2";
    r.quote.total = plan.price.amount * r.treated_area_cm2;
  }
  return run;
}

PlanResult run_plan(const Plan& plan, const PlannerOptions& options) {
  return std::move(run_plan_detailed(plan, options).result);
}

}  // namespace stipple
