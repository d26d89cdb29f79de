#include "stipple/field/scalp_chart.h"

#include "stipple/field/surface_lookup.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace stipple {
namespace {

Vec3 direction(const ScalpChart& c, double theta, double phi) {
  return std::cos(theta) * c.axis +
         std::sin(theta) * (std::cos(phi) * c.anterior + std::sin(phi) * c.right);
}

// Two meridians traced side by side, one in each lane (on x86-64 one SSE2 register, elsewhere two
// scalars: Eigen picks). Each lane does the scalar path's operations in the scalar path's order,
// so each value is the one the scalar path computes, bit for bit.
using Lanes = Eigen::Array2d;

// surface_radius_inline_mm in both lanes, for directions (x, y, z) whose major face is `face`
// in both: the same component quotients (cube_face_point), texel coordinates and weights.
Lanes radii_on_face(const RadialSurface& s, int face, const Lanes& x, const Lanes& y,
                    const Lanes& z) {
  Lanes a, b;
  switch (face) {
    case 0:
      a = y / x, b = z / x;
      break;
    case 1:
      a = -y / -x, b = z / -x;
      break;
    case 2:
      a = -x / y, b = z / y;
      break;
    case 3:
      a = x / -y, b = z / -y;
      break;
    case 4:
      a = x / z, b = y / z;
      break;
    default:
      a = x / -z, b = -y / -z;
      break;
  }
  const double res = s.res;
  const Lanes tu = (a + 1.0) * 0.5 * res + 0.5, tv = (b + 1.0) * 0.5 * res + 0.5;
  const int w = s.res + 2;
  const int i0 = static_cast<int>(tu[0]), i1 = static_cast<int>(tu[1]);
  const int j0 = static_cast<int>(tv[0]), j1 = static_cast<int>(tv[1]);
  const Lanes fu = tu - Lanes(i0, i1), fv = tv - Lanes(j0, j1);
  const float* r0 = s.radius_mm.data() + (face * w + j0) * w + i0;
  const float* r1 = s.radius_mm.data() + (face * w + j1) * w + i1;
  const Lanes r00(r0[0], r1[0]), r10(r0[1], r1[1]), r01(r0[w], r1[w]), r11(r0[w + 1], r1[w + 1]);
  return (1 - fv) * ((1 - fu) * r00 + fu * r10) + fv * ((1 - fu) * r01 + fu * r11);
}

Lanes radii(const RadialSurface& s, const Lanes& x, const Lanes& y, const Lanes& z) {
  const Vec3 d0(x[0], y[0], z[0]), d1(x[1], y[1], z[1]);
  const int f0 = cube_major_face(d0);
  if (f0 == cube_major_face(d1)) return radii_on_face(s, f0, x, y, z);
  return Lanes(surface_radius_inline_mm(s, d0), surface_radius_inline_mm(s, d1));
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
    const Lanes r = radii(surface, x, y, z);
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
  c.n_phi = 360;
  c.dphi = 2 * std::numbers::pi / c.n_phi;
  c.dtheta = 0.5 * std::numbers::pi / 180;
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
