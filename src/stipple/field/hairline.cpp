#include "stipple/field/hairline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <utility>

#include "stipple/field/polygon2d.h"
#include "stipple/field/surface_lookup.h"
#include "stipple/sampling/rng.h"

namespace stipple {
namespace {

// Surface length of the path between two surface points that is straight in the chart: close to
// the geodesic for the short, mostly radial spans used here (a tape laid over the forehead).
double chart_path_length_mm(const ScalpChart& chart, const RadialSurface& surface, const Vec3& a,
                            const Vec3& b) {
  const Vec2 ca = chart_from_point(chart, a), cb = chart_from_point(chart, b);
  constexpr int kSteps = 48;
  double len = 0;
  Vec3 prev = a;
  for (int i = 1; i <= kSteps; ++i) {
    const Vec3 p = point_from_chart(chart, surface, ca + (cb - ca) * (double(i) / kSteps));
    len += (p - prev).norm();
    prev = p;
  }
  return len;
}

// The longest ray ray_exit tries (mm), and how close it finds the exit (mm).
constexpr double kRayMm = 400;
constexpr double kExitToleranceMm = 1e-9;

// Where the ray from q0 along dir leaves the star-shaped surface (bisection on the signed radial
// distance; q0 must be inside).
Vec3 ray_exit(const RadialSurface& s, const Vec3& q0, const Vec3& dir) {
  auto outside = [&](double t) {
    const Vec3 q = q0 + t * dir;
    return (q - s.centre).norm() > surface_radius_inline_mm(s, q - s.centre);
  };
  // Halved down to kExitToleranceMm (39 halvings of kRayMm), far below anything the hairline
  // resolves; the point is then projected onto the surface.
  double lo = 0, hi = kRayMm;
  while (hi - lo > kExitToleranceMm) {
    const double mid = 0.5 * (lo + hi);
    (outside(mid) ? hi : lo) = mid;
  }
  return project_to_surface(s, q0 + lo * dir);
}

// Walks `length_mm` over the surface from p, heading along the tangent projection of `heading`.
Vec3 march(const RadialSurface& s, Vec3 p, const Vec3& heading, double length_mm) {
  constexpr double kStep = 0.5;
  for (double done = 0; done < length_mm; done += kStep) {
    const Vec3 n = surface_normal(s, p);
    Vec3 t = heading - heading.dot(n) * n;
    if (t.norm() < 1e-9) break;
    t.normalize();
    p = project_to_surface(s, p + std::min(kStep, length_mm - done) * t);
  }
  return p;
}

// The frontotemporal point on the sagittal plane x = x_plane (head frame), posterior to the
// mid-frontal point, whose surface path from `mid_frontal` is distance_mm long.
Vec3 frontotemporal_point(const RadialSurface& s, const ScalpChart& chart, const Vec3& mid_frontal,
                          double x_plane, double distance_mm) {
  const Vec3 q0(x_plane, s.centre.y(), s.centre.z());
  auto ray = [](double psi_deg) {
    const double a = psi_deg * std::numbers::pi / 180;
    return Vec3(0, std::cos(a), std::sin(a));
  };
  // The exits at whole degrees -30 .. 175, each found once.
  constexpr int kLow = -30, kHigh = 175;
  std::vector<std::optional<Vec3>> whole(kHigh - kLow + 1);
  auto at = [&](double psi_deg) {
    const double r = std::round(psi_deg);
    if (r == psi_deg && r >= kLow && r <= kHigh) {
      std::optional<Vec3>& e = whole[static_cast<size_t>(r - kLow)];
      if (!e) e = ray_exit(s, q0, ray(psi_deg));
      return *e;
    }
    return ray_exit(s, q0, ray(psi_deg));
  };
  // psi: 0 = straight ahead, 90 = straight up. Start at the plane's point nearest the mid-frontal
  // point (the first whole degree from -30 to 150 at the least distance) and move up and back
  // until the path is long enough. An exit lies on its ray within [0, kRayMm] (to rounding: it is
  // projected onto the surface from a point within kExitToleranceMm of the crossing), so it is no
  // nearer than the ray's segment: the degrees are tried nearest segment first, until the next
  // segment lies beyond the best exit.
  std::vector<std::pair<double, int>> order;
  const Vec3 m = mid_frontal - q0;
  for (int psi = -30; psi <= 150; ++psi) {
    const Vec3 u = ray(psi);
    const double t = std::clamp(m.dot(u), 0.0, kRayMm);
    order.emplace_back((m - t * u).norm() - 1e-6, psi);
  }
  std::sort(order.begin(), order.end());
  double psi_near = 0, best = 1e18;
  for (const auto& [lower_mm, psi] : order) {
    if (lower_mm > best) break;
    const double d = (at(psi) - mid_frontal).norm();
    if (d < best || (d == best && psi < psi_near)) best = d, psi_near = psi;
  }
  double lo = psi_near, hi = -1;
  for (double psi = psi_near; psi <= 175; psi += 2) {
    if (chart_path_length_mm(chart, s, mid_frontal, at(psi)) >= distance_mm) {
      hi = psi;
      break;
    }
    lo = psi;
  }
  if (hi < 0) {
    throw std::invalid_argument(
        fmt::format("plan: /hairline/frontotemporal_distance_mm = {} cannot be met on this head: "
                    "the lateral canthal line "
                    "ends before that distance from the mid-frontal point",
                    distance_mm));
  }
  // Bisection on the ray's angle down to 1e-5 degrees (under 0.1 micrometre on the head).
  while (hi - lo > 1e-5) {
    const double mid = 0.5 * (lo + hi);
    (chart_path_length_mm(chart, s, mid_frontal, at(mid)) >= distance_mm ? hi : lo) = mid;
  }
  return at(0.5 * (lo + hi));
}

// Centripetal Catmull-Rom through the control points (Yuksel, Schaefer & Keyser 2011: no cusps
// or self-intersections within a segment), `per_segment` samples a segment.
std::vector<Vec2> catmull_rom(const std::vector<Vec2>& c, int per_segment) {
  std::vector<Vec2> out;
  const int n = static_cast<int>(c.size());
  for (int i = 0; i + 1 < n; ++i) {
    const Vec2 p0 = c[std::max(0, i - 1)], p1 = c[i], p2 = c[i + 1], p3 = c[std::min(n - 1, i + 2)];
    auto knot = [](const Vec2& a, const Vec2& b) {
      return std::sqrt(std::max((b - a).norm(), 1e-6));
    };
    const double t0 = 0, t1 = t0 + knot(p0, p1), t2 = t1 + knot(p1, p2), t3 = t2 + knot(p2, p3);
    for (int k = 0; k < per_segment; ++k) {
      const double t = t1 + (t2 - t1) * k / per_segment;
      const Vec2 a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1;
      const Vec2 a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2;
      const Vec2 a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3;
      const Vec2 b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2;
      const Vec2 b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3;
      out.push_back((t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2);
    }
  }
  out.push_back(c.back());
  return out;
}

// Smooth 1D noise in [-1, 1]: cubic (Catmull-Rom) interpolation of seeded random values at knots
// one wavelength apart, plus an octave at half the wavelength and half the weight. Hand-written:
// it is a few lines, and it must be reproducible from the plan's seed on every platform.
struct Noise1D {
  std::vector<double> coarse, fine;
  double wavelength_mm;
  double operator()(double x) const {
    auto sample = [](const std::vector<double>& k, double t) {
      const int i = static_cast<int>(std::floor(t));
      const double f = t - i;
      auto v = [&](int j) {
        return k[static_cast<size_t>(std::clamp(j, 0, static_cast<int>(k.size()) - 1))];
      };
      const double p0 = v(i - 1), p1 = v(i), p2 = v(i + 1), p3 = v(i + 2);
      return p1 +
             0.5 * f *
                 (p2 - p0 + f * (2 * p0 - 5 * p1 + 4 * p2 - p3 + f * (3 * (p1 - p2) + p3 - p0)));
    };
    const double a = sample(coarse, x / wavelength_mm), b = sample(fine, 2 * x / wavelength_mm);
    return std::clamp((a + 0.5 * b) / 1.5, -1.0, 1.0);
  }
};

Noise1D make_noise(double length_mm, double wavelength_mm, Rng& rng) {
  Noise1D n;
  n.wavelength_mm = wavelength_mm;
  const int knots = static_cast<int>(length_mm / wavelength_mm) + 4;
  for (int i = 0; i < knots; ++i) n.coarse.push_back(2 * rng.uniform() - 1);
  for (int i = 0; i < 2 * knots; ++i) n.fine.push_back(2 * rng.uniform() - 1);
  return n;
}

// Resamples a 3D polyline every step_mm.
std::vector<Vec3> resample(const std::vector<Vec3>& line, double step_mm) {
  std::vector<Vec3> out{line.front()};
  double carry = 0;
  for (size_t i = 1; i < line.size(); ++i) {
    const Vec3 a = line[i - 1], b = line[i];
    const double len = (b - a).norm();
    double t = step_mm - carry;
    while (t <= len) {
      out.push_back(a + (b - a) * (t / len));
      t += step_mm;
    }
    carry = len - (t - step_mm);
  }
  if ((out.back() - line.back()).norm() > 1e-9) out.push_back(line.back());
  return out;
}

}  // namespace

Hairline build_hairline(const HairlineSpec& spec, const Head& head, const RadialSurface& surface,
                        const ScalpChart& chart, std::uint64_t seed) {
  const Vec3& glabella = landmark(head, "glabella");
  const Vec2 g = chart_from_point(chart, glabella);
  if (g.norm() <= spec.mid_frontal_height_mm + 20) {
    throw std::invalid_argument(
        fmt::format("plan: /hairline/mid_frontal_height_mm = {} puts the mid-frontal point within "
                    "20 mm of the vertex on "
                    "this head (glabella to vertex is {:.0f} mm along the scalp)",
                    spec.mid_frontal_height_mm, g.norm()));
  }
  // Along the glabella's meridian, mid_frontal_height_mm toward the vertex: a true surface length.
  const Vec3 mid_frontal =
      point_from_chart(chart, surface, g * (1 - spec.mid_frontal_height_mm / g.norm()));

  Hairline h;
  h.points.emplace_back("mid_frontal", mid_frontal);
  Vec3 ft[2], tp[2], sb[2];
  const char* side_name[2] = {"left", "right"};
  for (int side = 0; side < 2; ++side) {
    const Vec3& canthus = landmark(head, side == 0 ? "left_canthus" : "right_canthus");
    const Vec3& tragion = landmark(head, side == 0 ? "left_tragion" : "right_tragion");
    ft[side] = frontotemporal_point(surface, chart, mid_frontal, canthus.x(),
                                    spec.frontotemporal_distance_mm);
    // The temporal peak lies below the frontotemporal point, a little behind it: the temporal
    // hairline runs down and back from the recession's apex before the peak juts forward.
    tp[side] = march(surface, ft[side], Vec3(0, -0.34, -0.94), spec.temporal_peak_distance_mm);
    // The sideburn ends just in front of the tragus, at about its height.
    sb[side] = project_to_surface(surface, Vec3(tragion.x(), tragion.y() + 15, tragion.z() - 5));
  }
  for (int side = 0; side < 2; ++side) {
    h.points.emplace_back(fmt::format("{}_frontotemporal", side_name[side]), ft[side]);
    h.points.emplace_back(fmt::format("{}_temporal_peak", side_name[side]), tp[side]);
    h.points.emplace_back(fmt::format("{}_sideburn", side_name[side]), sb[side]);
  }

  // The designed line, left to right, as a smooth chart curve.
  std::vector<Vec2> ctrl;
  for (const Vec3& p : {sb[0], tp[0], ft[0], mid_frontal, ft[1], tp[1], sb[1]})
    ctrl.push_back(chart_from_point(chart, p));
  const std::vector<Vec2> smooth = catmull_rom(ctrl, 120);

  // Macro-irregularity: displace along the chart normal by smooth noise of the 3D arc length.
  std::vector<Vec3> base3;
  base3.reserve(smooth.size());
  for (const Vec2& c : smooth) base3.push_back(point_from_chart(chart, surface, c));
  double total = 0;
  std::vector<double> arc(base3.size(), 0.0);
  for (size_t i = 1; i < base3.size(); ++i) arc[i] = total += (base3[i] - base3[i - 1]).norm();
  Rng rng(seed ^ 0x6861697231696e65ULL);  // "hairline": its own stream, independent of the dots
  const Noise1D noise = make_noise(total, spec.irregularity_wavelength_mm, rng);
  std::vector<Vec3> wandered;
  wandered.reserve(smooth.size());
  for (size_t i = 0; i < smooth.size(); ++i) {
    const size_t a = i == 0 ? 0 : i - 1, b = std::min(i + 1, smooth.size() - 1);
    const Vec2 tangent = smooth[b] - smooth[a];
    const double chart_len = tangent.norm(), surf_len = (base3[b] - base3[a]).norm();
    Vec2 normal(-tangent.y(), tangent.x());  // left-to-right curve: this points ahead (outward)
    if (chart_len > 0) normal /= chart_len;
    const double mm_to_chart = surf_len > 0 ? chart_len / surf_len : 1.0;
    // Taper to zero at the two sideburn ends so the line meets its anchors.
    const double taper = std::min({1.0, arc[i] / 10.0, (total - arc[i]) / 10.0});
    const double offset_mm = spec.irregularity_mm * noise(arc[i]) * taper;
    wandered.push_back(
        point_from_chart(chart, surface, smooth[i] + normal * (offset_mm * mm_to_chart)));
  }
  h.curve_mm = resample(wandered, 0.5);

  // The side ahead of the line: the curve closed around the face far beyond the chart's reach.
  for (const Vec3& p : h.curve_mm) h.ahead_chart.push_back(chart_from_point(chart, p));
  const Vec2 end_r = h.ahead_chart.back(), end_l = h.ahead_chart.front();
  const double phi_r = std::atan2(end_r.x(), end_r.y()), phi_l = std::atan2(end_l.x(), end_l.y());
  constexpr double kFar = 5000;
  for (int k = 0; k <= 64; ++k) {
    const double phi = phi_r + (phi_l - phi_r) * k / 64.0;
    h.ahead_chart.emplace_back(kFar * std::sin(phi), kFar * std::cos(phi));
  }
  const size_t n_curve = h.curve_mm.size();
  for (size_t k = 0; k < h.ahead_chart.size(); ++k) {
    if (k >= n_curve || k % 8 == 0 || k + 1 == n_curve) h.ahead_coarse.push_back(h.ahead_chart[k]);
  }
  h.ahead_slabs = PolygonSlabs(h.ahead_chart);
  h.ahead_coarse_slabs = PolygonSlabs(h.ahead_coarse);
  for (size_t i = 1; i < h.curve_mm.size(); ++i)
    h.max_step_mm = std::max(h.max_step_mm, (h.curve_mm[i] - h.curve_mm[i - 1]).norm());
  h.nearest = PolylineNearest(h.curve_mm);
  return h;
}

double hairline_signed_distance_mm(const Hairline& h, const ScalpChart& chart, const Vec3& p) {
  double dv = 0;
  const int i = h.nearest.nearest(p, dv);
  if (i < 0) return 1e9;
  return hairline_signed_distance_mm(h, p, chart_from_point(chart, p), i);
}

double hairline_signed_distance_mm(const Hairline& h, const Vec3& p, const Vec2& pc, int i) {
  const double d = hairline_distance_mm(h, p, i);
  return hairline_point_ahead(h, pc, i, d) ? -d : d;
}

double hairline_distance_mm(const Hairline& h, const Vec3& p, int i) {
  const auto& c = h.curve_mm;
  double d = (c[static_cast<size_t>(i)] - p).norm();
  if (i > 0)
    d = std::min(d,
                 distance_to_segment(c[static_cast<size_t>(i) - 1], c[static_cast<size_t>(i)], p));
  if (static_cast<size_t>(i) + 1 < c.size()) {
    d = std::min(d,
                 distance_to_segment(c[static_cast<size_t>(i)], c[static_cast<size_t>(i) + 1], p));
  }
  return d;
}

bool hairline_side_by_tangent(const Hairline& h, int i, double d) {
  const size_t k = static_cast<size_t>(i), n = h.curve_mm.size();
  return d < kHairlineTangentSideMm && k >= 20 && k + 20 < n;
}

bool hairline_point_ahead(const Hairline& h, const Vec2& pc, int i, double d) {
  // Near the line, from the chart tangent at the nearest point (cheap); far from it or near its
  // ends, from the closed polygon of the side ahead (exact, ~700 edges).
  const size_t k = static_cast<size_t>(i);
  static_assert(kHairlineTangentSideMm > 5, "beyond it points take the coarse polygon");
  if (hairline_side_by_tangent(h, i, d)) {
    const Vec2 t = h.ahead_chart[k + 1] - h.ahead_chart[k - 1];
    const Vec2 q = pc - h.ahead_chart[k];
    // The line runs left to right over the front, so the side ahead (the face) is on its left.
    return t.x() * q.y() - t.y() * q.x() > 0;
  }
  return (d > 5 ? h.ahead_coarse_slabs : h.ahead_slabs).contains(pc);
}

const Vec3& hairline_point(const Hairline& h, const std::string& name) {
  for (const auto& [n, p] : h.points) {
    if (n == name) return p;
  }
  throw std::out_of_range(fmt::format("hairline has no point '{}'", name));
}

}  // namespace stipple
