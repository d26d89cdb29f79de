#include "stipple/field/scalp_chart.h"

#include "stipple/field/surface_lookup.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace stipple {
namespace {

Vec3 direction(const ScalpChart& c, double theta, double phi) {
  return std::cos(theta) * c.axis +
         std::sin(theta) * (std::cos(phi) * c.anterior + std::sin(phi) * c.right);
}

// Fills the arc lengths of meridians ip0 and ip1 (equal for a lone last one): the chord sum
// from the vertex through the surface points at polar angles it dtheta. `points` is scratch.
void trace_meridians(ScalpChart& c, const RadialSurface& surface,
                     const std::vector<double>& cos_theta, const std::vector<double>& sin_theta,
                     const Vec3& pole, int ip0, int ip1, std::vector<Lanes>& points) {
  // Each direction is cos(theta) axis + sin(theta) across, the sum direction() forms.
  const Vec3 across0 = std::cos(ip0 * c.dphi) * c.anterior + std::sin(ip0 * c.dphi) * c.right;
  const Vec3 across1 = std::cos(ip1 * c.dphi) * c.anterior + std::sin(ip1 * c.dphi) * c.right;
  const Lanes hx(across0.x(), across1.x()), hy(across0.y(), across1.y()),
      hz(across0.z(), across1.z());
  const size_t n = static_cast<size_t>(c.n_theta);
  points.resize(3 * n);
  points[0] = Lanes::Constant(pole.x()), points[1] = Lanes::Constant(pole.y()),
  points[2] = Lanes::Constant(pole.z());
  for (size_t it = 1; it < n; ++it) {
    const double ct = cos_theta[it], st = sin_theta[it];
    const Lanes x = ct * c.axis.x() + st * hx, y = ct * c.axis.y() + st * hy,
                z = ct * c.axis.z() + st * hz;
    const Lanes r = surface_radii_mm(surface, x, y, z);
    points[3 * it] = c.centre.x() + r * x;
    points[3 * it + 1] = c.centre.y() + r * y;
    points[3 * it + 2] = c.centre.z() + r * z;
  }
  float* col0 = c.arc_mm.data() + static_cast<size_t>(ip0) * n;
  float* col1 = c.arc_mm.data() + static_cast<size_t>(ip1) * n;
  Lanes s = Lanes::Zero();
  for (size_t it = 1; it < n; ++it) {
    const Lanes dx = points[3 * it] - points[3 * it - 3],
                dy = points[3 * it + 1] - points[3 * it - 2],
                dz = points[3 * it + 2] - points[3 * it - 1];
    // Chord sum along the meridian: arc length to O(dtheta^2). Vec3::norm() sums (x^2 + y^2) + z^2.
    s += ((dx * dx + dy * dy) + dz * dz).sqrt();
    col0[it] = static_cast<float>(s[0]);
    col1[it] = static_cast<float>(s[1]);
  }
}

}  // namespace

ScalpChart build_scalp_chart(const RadialSurface& surface, const Vec3& vertex_mm,
                             const Vec3& head_right, const Vec3& head_anterior,
                             double theta_max_deg) {
  ScalpChart c;
  c.centre = surface.centre;
  c.axis = (vertex_mm - surface.centre).normalized();
  c.right = (head_right - head_right.dot(c.axis) * c.axis).normalized();
  c.anterior = c.axis.cross(c.right);
  if (c.anterior.dot(head_anterior) < 0) c.anterior = -c.anterior;  // keep u right, v anterior
  // A meridian every 2 degrees, sampled every degree: the chart point of a scalp point moves by
  // at most 0.009 mm against a table of 1 and 0.5 degrees (Norwood III and VII, 2,000 points
  // each; the designed hairline by 0.003 mm), at a quarter of the cost.
  c.n_phi = 180;
  c.dphi = 2 * std::numbers::pi / c.n_phi;
  c.dtheta = 1.0 * std::numbers::pi / 180;
  c.n_theta =
      static_cast<int>(std::min(theta_max_deg, 170.0) * std::numbers::pi / 180 / c.dtheta) + 1;
  c.arc_mm.assign(static_cast<size_t>(c.n_phi) * c.n_theta, 0.0f);
  // The meridians share their polar angles, so the sines and cosines are taken once a row
  // (and once a meridian), not once a sample.
  std::vector<double> cos_theta(static_cast<size_t>(c.n_theta)), sin_theta(cos_theta.size());
  for (int it = 0; it < c.n_theta; ++it) {
    cos_theta[static_cast<size_t>(it)] = std::cos(it * c.dtheta);
    sin_theta[static_cast<size_t>(it)] = std::sin(it * c.dtheta);
  }
  const Vec3 pole = c.centre + surface_radius_mm(surface, c.axis) * c.axis;
  std::vector<Lanes> points;
  for (int ip = 0; ip < c.n_phi; ip += 2) {
    trace_meridians(c, surface, cos_theta, sin_theta, pole, ip, std::min(ip + 1, c.n_phi - 1),
                    points);
  }
  return c;
}

Vec2 chart_from_point(const ScalpChart& c, const Vec3& p) {
  const Vec3 d = p - c.centre;
  const double z = d.dot(c.axis);
  const double x = d.dot(c.right), y = d.dot(c.anterior);
  const double rho = std::hypot(x, y);
  const double theta = std::atan2(rho, z);
  if (rho <= 0) return Vec2(0, 0);
  double phi = std::atan2(x, y);
  if (phi < 0) phi += 2 * std::numbers::pi;
  const double tp = phi / c.dphi, tt = std::min(theta / c.dtheta, c.n_theta - 1.0);
  const int ip = static_cast<int>(tp) % c.n_phi, ip1 = (ip + 1) % c.n_phi;
  const int it = std::min(static_cast<int>(tt), c.n_theta - 2);
  const double fp = tp - std::floor(tp), ft = tt - it;
  auto at = [&](int a, int b) {
    return static_cast<double>(c.arc_mm[static_cast<size_t>(a) * c.n_theta + b]);
  };
  const double s = (1 - fp) * ((1 - ft) * at(ip, it) + ft * at(ip, it + 1)) +
                   fp * ((1 - ft) * at(ip1, it) + ft * at(ip1, it + 1));
  return Vec2(s * x / rho, s * y / rho);
}

Vec3 point_from_chart(const ScalpChart& c, const RadialSurface& surface, const Vec2& uv) {
  const double s = uv.norm();
  if (s <= 0) return c.centre + surface_radius_mm(surface, c.axis) * c.axis;
  double phi = std::atan2(uv.x(), uv.y());
  if (phi < 0) phi += 2 * std::numbers::pi;
  const double tp = phi / c.dphi;
  const int ip = static_cast<int>(tp) % c.n_phi, ip1 = (ip + 1) % c.n_phi;
  const double fp = tp - std::floor(tp);
  auto arc = [&](int t) {
    return (1 - fp) * c.arc_mm[static_cast<size_t>(ip) * c.n_theta + t] +
           fp * c.arc_mm[static_cast<size_t>(ip1) * c.n_theta + t];
  };
  // arc(t) never falls with t: the bracket holding s is the last t with arc(t) <= s (arc(0) = 0),
  // one and the same however it is searched for. Halving a range known to hold it, without
  // branches on the data (the halves are taken about equally often).
  int lo = 0;
  if (s >= arc(c.n_theta - 1)) {
    lo = c.n_theta - 2;
  } else {
    for (int len = c.n_theta - 1; len > 1;) {
      const int half = len / 2;
      lo = arc(lo + half) <= s ? lo + half : lo;
      len -= half;
    }
  }
  const double a0 = arc(lo), a1 = arc(lo + 1);
  const double f = std::clamp(a1 > a0 ? (s - a0) / (a1 - a0) : 0.0, 0.0, 1.0);
  const Vec3 d = direction(c, (lo + f) * c.dtheta, phi);
  return c.centre + surface_radius_inline_mm(surface, d) * d;
}

ChartStretch chart_stretch(const ScalpChart& c, const std::vector<double>& windows_rad) {
  ChartStretch st;
  st.dtheta = c.dtheta, st.windows_rad = windows_rad;
  const double pi = std::numbers::pi;
  const int n_t = c.n_theta, n_p = c.n_phi;
  auto arc = [&](int ip, int it) {
    return static_cast<double>(c.arc_mm[static_cast<size_t>(ip % n_p) * n_t + it]);
  };
  // Rows of polar angle [k dtheta, (k + 1) dtheta] to the antipode; rows from n_theta - 1 on lie
  // beyond the chart's reach, where s is the last column's, interpolated in phi alone.
  const int rows = static_cast<int>(std::ceil(pi / c.dtheta));
  std::vector<double> row(static_cast<size_t>(rows), std::numeric_limits<double>::infinity());
  for (int k = 0; k < rows; ++k) {
    const int a = std::min(k, n_t - 1), b = std::min(k + 1, n_t - 1);  // the cell's two columns
    double ds_dtheta = 0, ds_dphi = 0, s_max = 0;
    for (int ip = 0; ip < n_p; ++ip) {
      ds_dtheta = std::max(ds_dtheta, arc(ip, b) - arc(ip, a));
      ds_dphi = std::max(
          {ds_dphi, std::abs(arc(ip + 1, a) - arc(ip, a)), std::abs(arc(ip + 1, b) - arc(ip, b))});
      s_max = std::max({s_max, arc(ip, a), arc(ip, b)});
    }
    ds_dtheta /= c.dtheta, ds_dphi /= c.dphi;
    const double lo = k * c.dtheta, hi = std::min(pi, (k + 1) * c.dtheta);
    const double sin_min = std::min(std::sin(lo), std::sin(hi));
    if (k == 0) {
      row[0] = ds_dtheta + (ds_dphi + s_max) * pi / (2 * c.dtheta);
    } else if (sin_min > 0) {
      row[static_cast<size_t>(k)] = ds_dtheta + (ds_dphi + s_max) / sin_min;
    }
  }
  for (int k = 0; k <= rows; ++k) st.row_cos.push_back(std::cos(k * c.dtheta));
  // A margin of 1 % over rounding (sines, the table's floats) and the row of theta itself.
  for (double window_rad : windows_rad) {
    const int reach = static_cast<int>(std::ceil(window_rad / c.dtheta)) + 1;
    std::vector<double>& w = st.window_max.emplace_back(static_cast<size_t>(rows), 0.0);
    for (int k = 0; k < rows; ++k) {
      double m = 0;
      for (int q = std::max(0, k - reach); q <= std::min(rows - 1, k + reach); ++q)
        m = std::max(m, row[static_cast<size_t>(q)]);
      w[static_cast<size_t>(k)] = 1.01 * m;
    }
  }
  return st;
}

size_t ChartStretch::row_of_cos(double cos_theta) const {
  // The last k with cos(k dtheta) >= cos_theta (the cosines fall with k).
  const auto it = std::upper_bound(row_cos.begin(), row_cos.end(), cos_theta,
                                   [](double c, double row) { return c > row; });
  return it == row_cos.begin() ? 0 : static_cast<size_t>(it - row_cos.begin()) - 1;
}

double ChartStretch::mm_per_rad(double theta, size_t window) const {
  if (window >= window_max.size() || window_max[window].empty() || !(theta >= 0))
    return std::numeric_limits<double>::infinity();
  const std::vector<double>& w = window_max[window];
  return w[std::min(w.size() - 1, static_cast<size_t>(theta / dtheta))];
}

}  // namespace stipple
