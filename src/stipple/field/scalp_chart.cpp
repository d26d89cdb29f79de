#include "stipple/field/scalp_chart.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace stipple {
namespace {

Vec3 direction(const ScalpChart& c, double theta, double phi) {
  return std::cos(theta) * c.axis +
         std::sin(theta) * (std::cos(phi) * c.anterior + std::sin(phi) * c.right);
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
  c.n_phi = 360;
  c.dphi = 2 * std::numbers::pi / c.n_phi;
  c.dtheta = 0.5 * std::numbers::pi / 180;
  c.n_theta =
      static_cast<int>(std::min(theta_max_deg, 170.0) * std::numbers::pi / 180 / c.dtheta) + 1;
  c.arc_mm.assign(static_cast<size_t>(c.n_phi) * c.n_theta, 0.0f);
  for (int ip = 0; ip < c.n_phi; ++ip) {
    const double phi = ip * c.dphi;
    float* col = c.arc_mm.data() + static_cast<size_t>(ip) * c.n_theta;
    Vec3 prev = c.centre + surface_radius_mm(surface, c.axis) * c.axis;
    double s = 0;
    for (int it = 1; it < c.n_theta; ++it) {
      const Vec3 d = direction(c, it * c.dtheta, phi);
      const Vec3 p = c.centre + surface_radius_mm(surface, d) * d;
      s += (p - prev).norm();  // chord sum along the meridian: arc length to O(dtheta^2)
      col[it] = static_cast<float>(s);
      prev = p;
    }
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
  // arc(t) increases with t: binary search for the bracket holding s.
  int lo = 0, hi = c.n_theta - 1;
  if (s >= arc(hi)) {
    lo = hi - 1;
  } else {
    while (hi - lo > 1) {
      const int mid = (lo + hi) / 2;
      (arc(mid) <= s ? lo : hi) = mid;
    }
  }
  const double a0 = arc(lo), a1 = arc(lo + 1);
  const double f = std::clamp(a1 > a0 ? (s - a0) / (a1 - a0) : 0.0, 0.0, 1.0);
  const Vec3 d = direction(c, (lo + f) * c.dtheta, phi);
  return c.centre + surface_radius_mm(surface, d) * d;
}

}  // namespace stipple
