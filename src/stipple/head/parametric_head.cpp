#include "stipple/head/parametric_head.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include <tbb/parallel_for.h>
#include <Eigen/Geometry>

#include "stipple/geometry/icosphere.h"
#include "stipple/head/scanned_head.h"

namespace stipple {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;

// ---------------------------------------------------------------------------------------------
// The design: an adult male head of about the ANSUR II male means (head.h), in the head frame
// (mm, origin at the tragion midpoint), before the final scaling to the asked measurements.
//
// Where the numbers come from (all soft tissue, adult male):
//  - cranium: length 199.5, breadth 154.3, tragion to vertex 131.1 (ANSUR II male means,
//    Gordon et al. 2014); the widest point (eurion) ~60 mm above the tragion, the vertex about
//    above the tragion, opisthocranion about level with the glabella.
//  - face: nasion-menton 120 mm (ANSUR II menton-sellion length, male mean 122.6); glabella
//    ~13 mm above the nasion; tragion-nasion depth ~98 mm; nasion-subnasale ~55 mm, nasal tip
//    protrusion ~20 mm, upper lip ~20 mm, lower face ~40 mm (Farkas, Anthropometry of the Head
//    and Face, 1994, adult male norms: n-sn 53-55, sn-prn ~20, sn-sto ~22, sto-gn ~50);
//    lateral canthi ~95 mm apart (Farkas ex-ex ~91-96), eye level ~20 mm above the tragion
//    (the Frankfort plane runs through tragion and orbitale, the eye sits ~15-25 mm above it).
//  - face width: bizygomatic 142.6 (ANSUR II male mean) at the arches; the face in front of them
//    narrows to ~110 mm; bigonial ~120 mm.
//  - neck: ~380 - 400 mm around (ANSUR II neck circumference), a stub to 135 mm below the tragion.
// Profiles are lists of surface points (y, z) or (x, z); the model converts them to radii about
// the centre and interpolates them with a monotone cubic, so a point list is the whole design.

// The centre before scaling: on the z axis, inside the cranium, low enough that the chin and the
// underside of the nose still face away from it (the surface is a radial graph about it).
const Vec3 kCentre(0.0, 0.0, 32.0);

// Midsagittal outline (y, z), counter-clockwise seen from the subject's right: from under the
// neck, up the throat, chin, lips, nose, forehead, over the vertex, down the occiput and nape.
constexpr double kSagittal[][2] = {
    {18, -135},    {38, -135},     {53, -132},   {60.5, -124}, {62, -108},  {61, -94},
    {60, -87},     {67, -86.5},    {78, -89},    {88, -92},    {95.5, -87}, {99.5, -78},
    {98.5, -69},   {95.5, -62.5},                               // mentolabial sulcus
    {97.5, -55},   {101, -49.5},                                // labrale inferius
    {99.5, -44.5},                                              // stomion
    {103, -39.5},  {102, -33},                                  // labrale superius, philtrum
    {101, -27},                                                 // subnasale
    {109.5, -24},  {117.5, -20.5}, {121, -15},                  // columella, pronasale
    {119.5, -8.5}, {114, 3},       {106.5, 16},  {97.5, 27.5},  // nasion
    {99.5, 33},    {103, 37.5},    {104, 41},                   // glabella
    {103.5, 46},   {102, 53},      {99, 65},     {93, 80},     {84, 95},    {71, 108},
    {54, 119},     {34, 126.5},    {15, 130.3},  {-3, 131.1},  // vertex
    {-20, 130},    {-38, 126},     {-56, 118.5}, {-72, 107},   {-84.5, 92}, {-92.5, 74},
    {-95.5, 50},  // opisthocranion
    {-94.5, 30},   {-90.5, 10},    {-82.5, -10}, {-70, -30},   {-60, -48},  {-56.5, -68},
    {-56, -92},    {-55.5, -115},  {-51, -128},  {-38, -134},  {-18, -135}, {0, -135}};

// The front of the same outline smoothed: the face as a broad mask without brow ridge, nasal
// root, nose, lips and chin (they differ from it only near the midline). The superellipse below
// spreads this outline around the head, so it must carry nothing narrow; the difference between
// the two outlines is laid back on the face under a lateral window whose width suits each feature.
constexpr double kSagittalSmoothFace[][2] = {{87, -91.5}, {92, -85}, {94, -72},   {94, -58},
                                             {94.5, -45}, {95, -30}, {95.5, -15}, {96, 0},
                                             {97, 15},    {99, 30},  {100.8, 42}, {101.3, 50}};
// The smooth outline replaces the full one between these two full-outline points.
constexpr double kSmoothFrom[2] = {78, -89};  // behind the menton
constexpr double kSmoothTo[2] = {99, 65};     // the upper forehead

// Coronal outline through the centre (x, z), right side, top to bottom; the tragion is the point
// at z = 0, the widest point (eurion) at z ~ 62.
constexpr double kCoronal[][2] = {{30, 126.5},  {52, 114.5}, {66, 99.5}, {74, 82.5}, {77.15, 62},
                                  {76.6, 45},   {74.8, 24},  {72.5, 0},  {70, -20},  {66, -40},
                                  {61.5, -60},  {59, -80},   {58, -100}, {57, -118}, {52, -130},
                                  {38, -134.5}, {20, -135},  {8, -135}};

// Lateral extent (mm, one standard deviation) of the window that lays the midline detail on the
// face, by elevation angle from the centre (degrees): the chin and lips are ~50 mm wide, the
// nose ~35 mm at the alae and ~12 mm along the dorsum, the brow ridges span the forehead.
constexpr double kDetailWindow[][2] = {{-60, 22},   {-52, 18},  {-44, 17}, {-40, 15},  {-33, 14},
                                       {-30.5, 11}, {-26, 9.5}, {-21, 8},  {-14, 6.5}, {-5, 5.5},
                                       {-2.5, 6},   {0.5, 22},  {8, 30},   {20, 34}};

struct BumpDesign {
  Vec3 centre;        // on the right side (x >= 0); mirrored to the left unless x == 0
  double amp_mm;      // radial, + out, - in
  double sigma_h_mm;  // horizontal extent (one standard deviation)
  double sigma_v_mm;  // vertical extent
};

// Local relief: orbits under the brow, the eyeball in the orbit, the brow ridge, cheekbones
// (malar eminences), temporal hollows, mouth corners, the chin.
const std::array<BumpDesign, 8> kBumps = {{
    {{33, 88, 21}, -5.0, 11, 8},    // orbit (eye socket)
    {{33, 88, 20}, 2.5, 6.5, 4.5},  // eyeball and lids inside it
    {{30, 96, 36}, 1.5, 14, 5},     // brow ridge
    {{47, 78, 2}, 3.5, 14, 12},     // cheekbone
    {{60, 55, 47}, -3.0, 16, 16},   // temporal hollow
    {{26, 93, -45}, -2.5, 5, 5},    // mouth corner
    {{0, 99, -75}, 1.5, 12, 8},     // chin prominence
    {{40, 86, -35}, 1.5, 12, 10},   // cheek fullness beside the mouth
}};

// Lateral canthus (outer eye corner), right side: ~47.5 mm from the midline (Farkas ex-ex ~95),
// ~16 mm behind the nasion, at eye level.
const Vec3 kRightCanthusDesign(47.5, 81.0, 19.0);

// ---------------------------------------------------------------------------------------------
// Periodic monotone cubic (PCHIP, Fritsch & Carlson 1980) through (angle, value) knots: C1,
// and no overshoot between knots, so an outline never bulges past its design points.
class PeriodicCurve {
 public:
  PeriodicCurve() = default;
  PeriodicCurve(std::vector<double> t, std::vector<double> v) : t_(std::move(t)), v_(std::move(v)) {
    const std::size_t n = t_.size();
    for (std::size_t i = 0; i + 1 < n; ++i) {
      if (!(t_[i + 1] > t_[i])) throw std::logic_error("parametric head: outline not monotone");
    }
    if (!(t_.back() - t_.front() < 2 * kPi))
      throw std::logic_error("parametric head: outline wraps");
    std::vector<double> h(n), delta(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double t1 = i + 1 < n ? t_[i + 1] : t_[0] + 2 * kPi;
      h[i] = t1 - t_[i];
      delta[i] = (v_[(i + 1) % n] - v_[i]) / h[i];
    }
    d_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t p = (i + n - 1) % n;
      if (delta[p] * delta[i] <= 0) {
        d_[i] = 0;
      } else {
        const double w1 = 2 * h[i] + h[p], w2 = h[i] + 2 * h[p];
        d_[i] = (w1 + w2) / (w1 / delta[p] + w2 / delta[i]);
      }
    }
  }

  double operator()(double t) const {
    const std::size_t n = t_.size();
    double u = std::fmod(t - t_[0], 2 * kPi);
    if (u < 0) u += 2 * kPi;
    u += t_[0];
    std::size_t i =
        static_cast<std::size_t>(std::upper_bound(t_.begin(), t_.end(), u) - t_.begin());
    i = i == 0 ? 0 : i - 1;
    const double t0 = t_[i];
    const double t1 = i + 1 < n ? t_[i + 1] : t_[0] + 2 * kPi;
    const double h = t1 - t0;
    const double s = (u - t0) / h;
    const double s2 = s * s, s3 = s2 * s;
    return (2 * s3 - 3 * s2 + 1) * v_[i] + (s3 - 2 * s2 + s) * h * d_[i] +
           (-2 * s3 + 3 * s2) * v_[(i + 1) % n] + (s3 - s2) * h * d_[(i + 1) % n];
  }

 private:
  std::vector<double> t_, v_, d_;
};

// An outline sampled every 0.25 degrees after Gaussian smoothing in angle, read back with a
// Catmull-Rom cubic. The monotone cubic through the design points is only C1: its curvature
// jumps at every knot, and on the broad flat sides of the vault that shows as bands in shaded
// views. Smoothing by a few degrees spreads those jumps out (and rounds the nose tip a little).
class AngleTable {
 public:
  AngleTable() = default;
  AngleTable(const PeriodicCurve& curve, double sigma_deg) : v_(kSamples + 3) {
    std::vector<double> raw(kSamples);
    for (int i = 0; i < kSamples; ++i) raw[static_cast<std::size_t>(i)] = curve(i * kStep);
    const double sigma = sigma_deg * kDeg / kStep;  // in samples
    const int half = static_cast<int>(std::ceil(4 * sigma));
    std::vector<double> w(static_cast<std::size_t>(2 * half + 1));
    double sum = 0;
    for (int k = -half; k <= half; ++k) {
      const double x = sigma > 0 ? k / sigma : (k == 0 ? 0.0 : 1e9);
      sum += w[static_cast<std::size_t>(k + half)] = std::exp(-0.5 * x * x);
    }
    // The samples wrapped around on both sides, so the kernel's taps need no modulo.
    std::vector<double> wrapped(static_cast<std::size_t>(kSamples + 2 * half));
    for (int i = -half; i < kSamples + half; ++i) {
      wrapped[static_cast<std::size_t>(i + half)] =
          raw[static_cast<std::size_t>((i % kSamples + kSamples) % kSamples)];
    }
    for (int i = 0; i < kSamples; ++i) {
      const double* x = wrapped.data() + i;  // x[k + half] is sample i + k
      double acc = 0;
      for (int k = 0; k <= 2 * half; ++k) acc += w[static_cast<std::size_t>(k)] * x[k];
      v_[static_cast<std::size_t>(i + 1)] = acc / sum;
    }
    // v_[i + 1] is sample i; one sample before the first and two after the last, wrapped, so
    // the cubic's four neighbours are always in range.
    v_[0] = v_[kSamples];
    v_[kSamples + 1] = v_[1];
    v_[kSamples + 2] = v_[2];
  }

  // The same values as reading the ring of samples with modular indices, without fmod and
  // modulo: for |t| < 2 pi (every caller), fmod(t, 2 pi) = t exactly.
  double operator()(double t) const {
    double u = (std::abs(t) < 2 * kPi ? t : std::fmod(t, 2 * kPi)) / kStep;
    if (u < 0) u += kSamples;
    int i = static_cast<int>(u);  // u >= 0: truncation is the floor
    const double s = u - i;
    if (i >= kSamples) i -= kSamples;  // u rounded up to kSamples
    const double* p = v_.data() + i;   // p[0 .. 3]: samples i - 1 .. i + 2
    const double p0 = p[0], p1 = p[1], p2 = p[2], p3 = p[3];
    return p1 + 0.5 * s *
                    (p2 - p0 + s * (2 * p0 - 5 * p1 + 4 * p2 - p3 + s * (3 * (p1 - p2) + p3 - p0)));
  }

 private:
  static constexpr int kSamples = 1440;
  static constexpr double kStep = 2 * kPi / kSamples;
  std::vector<double> v_;
};

double smoothstep(double e0, double e1, double x) {
  const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

double table(const double (*rows)[2], std::size_t n, double x) {
  if (x <= rows[0][0]) return rows[0][1];
  for (std::size_t i = 1; i < n; ++i) {
    if (x <= rows[i][0]) {
      const double s = (x - rows[i - 1][0]) / (rows[i][0] - rows[i - 1][0]);
      return rows[i - 1][1] + s * (rows[i][1] - rows[i - 1][1]);
    }
  }
  return rows[n - 1][1];
}

// A bump in angles about the centre, with the constants its Gaussians need.
struct Bump {
  double theta, phi;    // elevation and |azimuth| of its centre
  double r;             // distance of its centre from the head's centre
  double amp, sigma_v;  // mm
  double scale;         // r cos(theta): mm per radian of azimuth at the bump
  double inv_2sv2;      // 1 / (2 sigma_v^2)
  double inv_2sh2;      // 1 / (2 sigma_h^2)
  double cut_v;         // 5 sigma_v: the bump ends there vertically (part of the design)
};

// exp(-x) for x >= 0, taken as 0 beyond x = 40 (< 5e-18: a bump of a few mm contributes
// < 1e-16 mm there, below the rounding of the radius itself), where most of the head lies for
// most bumps and the exp would be spent on nothing.
double gaussian_of(double x) {
  return x > 40 ? 0.0 : std::exp(-x);
}

// r(d): the distance from the centre to the surface along the unit direction d (unscaled).
class Shape {
 public:
  Shape() {
    c0_ = kCentre;
    // Midsagittal outlines as radius by angle psi about the centre (0 = anterior, 90 = up).
    std::vector<double> tf, vf, tb, vb;
    auto add = [&](std::vector<double>& t, std::vector<double>& v, double y, double z) {
      double psi = std::atan2(z - c0_.z(), y - c0_.y());
      if (psi <= -kPi / 2) psi += 2 * kPi;  // psi runs from -90 (down) to 270 degrees
      t.push_back(psi);
      v.push_back(std::hypot(y - c0_.y(), z - c0_.z()));
    };
    for (const auto& p : kSagittal) add(tf, vf, p[0], p[1]);
    // The smooth outline: the full one with the knots between kSmoothFrom and kSmoothTo replaced.
    const double psi_lo = std::atan2(kSmoothFrom[1] - c0_.z(), kSmoothFrom[0] - c0_.y());
    const double psi_hi = std::atan2(kSmoothTo[1] - c0_.z(), kSmoothTo[0] - c0_.y());
    for (std::size_t i = 0; i < tf.size(); ++i) {
      if (tf[i] <= psi_lo || tf[i] >= psi_hi) {
        tb.push_back(tf[i]);
        vb.push_back(vf[i]);
      }
      if (i + 1 < tf.size() && tf[i] <= psi_lo && tf[i + 1] > psi_lo) {
        for (const auto& p : kSagittalSmoothFace) add(tb, vb, p[0], p[1]);
      }
    }
    const PeriodicCurve full(tf, vf);
    sag_full_ = AngleTable(full, 0.8);
    sag_back_ = AngleTable(full, 2.5);
    sag_base_ = AngleTable(PeriodicCurve(tb, vb), 2.5);
    // Coronal outline: right side, mirrored to the left; top and bottom taken from the
    // midsagittal outline so the two meet at the poles.
    std::vector<double> tc, vc;
    auto addc = [&](double psi, double r) {
      tc.push_back(psi);
      vc.push_back(r);
    };
    addc(-kPi / 2, full(-kPi / 2));
    for (std::size_t i = std::size(kCoronal); i-- > 0;) {
      const auto& p = kCoronal[i];
      addc(std::atan2(p[1] - c0_.z(), p[0]), std::hypot(p[0], p[1] - c0_.z()));
    }
    addc(kPi / 2, full(kPi / 2));
    for (const auto& p : kCoronal) {
      addc(kPi - std::atan2(p[1] - c0_.z(), p[0]), std::hypot(p[0], p[1] - c0_.z()));
    }
    coronal_ = AngleTable(PeriodicCurve(tc, vc), 3.0);
    for (const BumpDesign& b : kBumps) {
      const Vec3 v = b.centre - c0_;
      const double r = v.norm();
      Bump bp;
      bp.theta = std::asin(v.z() / r);
      bp.phi = std::atan2(std::abs(v.x()), v.y());
      bp.r = r;
      bp.amp = b.amp_mm;
      bp.sigma_v = b.sigma_v_mm;
      bp.scale = r * std::cos(bp.theta);
      bp.inv_2sv2 = 1 / (2 * b.sigma_v_mm * b.sigma_v_mm);
      bp.inv_2sh2 = 1 / (2 * b.sigma_h_mm * b.sigma_h_mm);
      bp.cut_v = 5 * b.sigma_v_mm;
      bumps_.push_back(bp);
    }
    // Which bumps each band of elevation may see (a margin of a band either side, for rounding):
    // the exact vertical test still decides, this only skips the bumps that would fail it.
    for (std::size_t k = 0; k < bumps_.size(); ++k) {
      const Bump& bp = bumps_[k];
      const double reach = bp.cut_v / bp.r;
      const int lo = band(bp.theta - reach) - 1, hi = band(bp.theta + reach) + 1;
      for (int i = std::max(lo, 0); i <= std::min(hi, kBands - 1); ++i) near_[i] |= 1u << k;
    }
  }

  const Vec3& centre() const { return c0_; }
  void set_cranium_exponent(double n) { n_cranium_ = n; }

  double radius(const Vec3& d) const {
    const double th = std::asin(std::clamp(d.z(), -1.0, 1.0));
    // |d| = 1, so h is also cos(th).
    const double h = std::sqrt(d.x() * d.x() + d.y() * d.y());
    if (h < 1e-12) return sag_back_(th > 0 ? kPi / 2 : -kPi / 2);
    const double c = d.y() / h;
    const double s = std::abs(d.x()) / h;
    const bool front = c >= 0;
    // Superellipse on the cone of elevation th: |x/a|^n + |y/b|^n = 1 in horizontal projection,
    // a the coronal radius, b the midsagittal radius in front or behind. n > 2 squares the
    // cranium's horizontal section (flat parietal sides); elsewhere n = 2.
    const double b = front ? sag_base_(th) : sag_back_(kPi - th);
    const double a = coronal_(th);
    const double thd = th / kDeg;
    double r = superellipse_radius(c, s, a, b, exponent(thd, c));
    if (front && thd > -70 && thd < 35) {
      // Brow, nose, lips, chin: the midline difference between the outlines, under a window,
      // faded out at both ends so that nothing jumps where it stops.
      const double fade = smoothstep(-70, -62, thd) * (1 - smoothstep(25, 35, thd));
      const double diff = (sag_full_(th) - b) * fade;
      const double sigma = table(kDetailWindow, std::size(kDetailWindow), thd);
      const double x = r * h * s;
      r += diff * gaussian_of(x * x / (2 * sigma * sigma));
    }
    return r + relief(th, d);
  }

  // The midsagittal point at angle psi (0 = anterior, 90 = up, 180 = posterior).
  Vec3 midline(double psi) const {
    const Vec3 d(0, std::cos(psi), std::sin(psi));
    return c0_ + radius(d) * d;
  }

 private:
  // The superellipse's exponent at elevation thd (degrees) and azimuth cosine c.
  double exponent(double thd, double c) const {
    // The squared-off section belongs to the vault's sides; the dome above stays round.
    const double w_cr = smoothstep(-28, -10, thd) * (1 - smoothstep(30, 60, thd));
    const double w_back = smoothstep(-35, -15, thd) * (1 - smoothstep(30, 60, thd));
    // The forehead is narrower than the parietal region behind it: a rounder section in front.
    // The exponent changes smoothly with azimuth, so no crease runs down the side of the head.
    const double n_front = 2 + (n_cranium_ - 2.35) * w_cr;
    const double n_back = 2 + (n_cranium_ - 1.85) * w_back;
    return n_back + (n_front - n_back) * 0.5 * (1 + c);
  }

  // (|c / b|^n + |s / a|^n)^(-1/n) = (1 / M) (1 + q^n)^(-1/n), M and q M the larger and the
  // smaller of the two ratios: two exps and two logs instead of three pows (each about an exp and
  // a log of extra precision), and for n = 2 (above and below the vault, ~30 % of the
  // directions) a square root; the same to a few ulps. But on the midline (s = 0), where
  // landmarks are found by maximising over a flat top (the vertex), and an ulp of radius moves
  // them by ~1e-6 mm, the pows stay, bit for bit as they were.
  static double superellipse_radius(double c, double s, double a, double b, double n) {
    const double x = std::abs(c) / b, y = s / a;
    if (!(s > 0) || !(x > 0)) return std::pow(std::pow(x, n) + std::pow(y, n), -1.0 / n);
    if (n == 2) return 1 / std::sqrt(x * x + y * y);
    const double big = std::max(x, y), q = std::min(x, y) / big;
    return std::exp(-std::log1p(std::exp(n * std::log(q))) / n) / big;
  }

  // The bumps and hollows at elevation th along unit direction d. Each is cut off vertically at
  // 5 sigma (part of the design); laterally its Gaussian is skipped where it is < e^-40.
  // The band of elevation th (radians): kBands of equal width from -90 to 90 degrees.
  static constexpr int kBands = 180;
  static int band(double th) {
    return std::clamp(static_cast<int>((th + kPi / 2) * (kBands / kPi)), 0, kBands - 1);
  }

  double relief(double th, const Vec3& d) const {
    double phi = -1;  // |azimuth|, computed when a bump is near in elevation
    double sum = 0;
    // In order, the bumps whose vertical reach covers th's band (fewer tests, and fewer of the
    // branches on them that the predictor misses).
    for (unsigned near = near_[band(th)]; near; near &= near - 1) {
      const Bump& bp = bumps_[static_cast<std::size_t>(std::countr_zero(near))];
      const double dv = (th - bp.theta) * bp.r;
      if (std::abs(dv) > bp.cut_v) continue;
      if (phi < 0) phi = std::atan2(std::abs(d.x()), d.y());
      // One exp per side: exp(-x_v) exp(-x_h) = exp(-(x_v + x_h)).
      const double x_v = dv * dv * bp.inv_2sv2;
      const double dh1 = (phi - bp.phi) * bp.scale;
      double g = gaussian_of(x_v + dh1 * dh1 * bp.inv_2sh2);
      if (bp.phi > 0) {  // the mirror twin on the left (phi is |azimuth| here)
        const double dh2 = (phi + bp.phi) * bp.scale;
        g += gaussian_of(x_v + dh2 * dh2 * bp.inv_2sh2);
      }
      sum += bp.amp * g;
    }
    return sum;
  }

  Vec3 c0_;
  AngleTable sag_full_, sag_back_, sag_base_, coronal_;
  std::vector<Bump> bumps_;
  std::array<unsigned, kBands> near_{};  // bit k: bump k may reach the band
  double n_cranium_ = 2.5;
};

// Maximises f over [a, b]: a grid, then golden-section search around the best grid point.
template <typename F>
double argmax(F f, double a, double b, int steps = 200) {
  double best_t = a, best = f(a);
  const double h = (b - a) / steps;
  for (int i = 1; i <= steps; ++i) {
    const double t = a + i * h;
    const double v = f(t);
    if (v > best) {
      best = v;
      best_t = t;
    }
  }
  double lo = std::max(a, best_t - h), hi = std::min(b, best_t + h);
  const double g = (std::sqrt(5.0) - 1) / 2;
  double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
  double f1 = f(x1), f2 = f(x2);
  for (int it = 0; it < 60 && hi - lo > 1e-10; ++it) {
    if (f1 < f2) {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = f(x2);
    } else {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = f(x1);
    }
  }
  const double t = (lo + hi) / 2;
  return f(t) >= best ? t : best_t;
}

// Root of a function increasing through zero on [lo, hi] (Illinois false position).
template <typename F>
double increasing_root(F f, double lo, double hi, double f_lo, double f_hi, double tol) {
  int side = 0;
  double x = lo;
  for (int it = 0; it < 100; ++it) {
    x = (lo * f_hi - hi * f_lo) / (f_hi - f_lo);
    const double fx = f(x);
    if (std::abs(fx) < tol || hi - lo < 1e-12) return x;
    if (fx < 0) {
      lo = x;
      f_lo = fx;
      if (side == -1) f_hi /= 2;
      side = -1;
    } else {
      hi = x;
      f_hi = fx;
      if (side == 1) f_lo /= 2;
      side = 1;
    }
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Landmarks on the mesh. The mesh is a radial graph of the icosphere mapped by a linear map:
// vertex i = centre + M (r_i d_i), M the frame's rotation and scaling, d_i the icosphere's
// directions. So the cone from the centre over a face of any subdivision level is the image of
// that face's spherical triangle, and the four children of a face tile their parent's cone
// exactly (a midpoint's direction lies in the plane of its edge and the centre). The face that a
// ray from the centre crosses is found by descending the levels (icosphere.h: 20 + 4 per level
// cone tests, ~2 k instructions) rather than by testing all 81,920 faces (ray_hit: ~5.6 M
// instructions a landmark, ~57 M for the twelve).

// Corner k of face t of subdivision level `level` of an icosphere mesh with faces F of `levels`
// subdivisions: corner child k of t (face 4t + k of the next level) keeps that corner first, and
// so do its first children down to the last level.
int corner(const MatF& F, int levels, int level, int t, int k) {
  if (level == levels) return F(t, k);
  return F(static_cast<Eigen::Index>(4 * t + k) << (2 * (levels - level - 1)), 0);
}

// How far inside the cone from `centre` over triangle (a, b, c) (counter-clockwise seen from
// outside) the direction dir points: the least of its three edge planes' signed volumes.
double cone_margin(const TriMesh& mesh, const Vec3& centre, const Vec3& dir, int a, int b, int c) {
  const Vec3 pa = mesh.V.row(a).transpose() - centre, pb = mesh.V.row(b).transpose() - centre,
             pc = mesh.V.row(c).transpose() - centre;
  return std::min({dir.dot(pa.cross(pb)), dir.dot(pb.cross(pc)), dir.dot(pc.cross(pa))});
}

// The face (of the last level) whose cone from the centre holds dir: at each level the child
// that holds it most (at an edge, rounding may leave it a hair outside both neighbours).
int face_towards(const TriMesh& mesh, int levels, const Vec3& centre, const Vec3& dir) {
  int best = 0;
  for (int level = 0; level <= levels; ++level) {
    const int first = level == 0 ? 0 : 4 * best, count = level == 0 ? 20 : 4;
    double best_margin = -std::numeric_limits<double>::infinity();
    for (int t = first; t < first + count; ++t) {
      const double m =
          cone_margin(mesh, centre, dir, corner(mesh.F, levels, level, t, 0),
                      corner(mesh.F, levels, level, t, 1), corner(mesh.F, levels, level, t, 2));
      if (m > best_margin) {
        best_margin = m;
        best = t;
      }
    }
  }
  return best;
}

// ray_hit(mesh, origin, dir) for the parametric mesh (`levels` subdivisions, star-shaped about
// `centre`), found through the icosphere's levels: the face towards the ray's hit is sought from
// the centre (first along the ray's own direction) and, for a ray from elsewhere, re-aimed where
// the ray meets that face's plane until the ray meets the face (a few steps on a smooth surface).
// The face's own ray-triangle test gives the point, so it is ray_hit's. When that does not settle,
// or the mesh is not such an icosphere, the brute-force search answers.
std::optional<Vec3> radial_ray_hit(const TriMesh& mesh, int levels, const Vec3& centre,
                                   const Vec3& origin, const Vec3& dir) {
  if (mesh.F.rows() == Eigen::Index(20) << (2 * levels)) {
    Vec3 towards = dir;  // exact for a ray from the centre; else the parallel ray's face
    int face = -1;
    for (int step = 0; step < 8; ++step) {
      const int f = face_towards(mesh, levels, centre, towards);
      if (f == face) break;
      face = f;
      const Vec3 a = mesh.V.row(mesh.F(f, 0)).transpose(), b = mesh.V.row(mesh.F(f, 1)).transpose(),
                 c = mesh.V.row(mesh.F(f, 2)).transpose();
      if (const auto t = ray_triangle_t(origin, dir, a, b, c)) return origin + *t * dir;
      const Vec3 n = (b - a).cross(c - a);
      const double t = n.dot(a - origin) / n.dot(dir);
      if (!(t > 0)) break;  // the plane is behind the origin (or parallel to the ray)
      towards = origin + t * dir - centre;
    }
  }
  return ray_hit(mesh, origin, dir);
}

// The root of f (increasing through zero) by secant steps from `guess`, the first along `slope`
// (f's slope near the root, from an earlier solve; updated), accepted when |f| < tol as in
// increasing_root. Nothing when a step leaves (lo, hi), f stops increasing or 8 steps do not do,
// for the caller to bracket the root instead.
template <typename F>
std::optional<double> secant_root(F f, double guess, double& slope, double lo, double hi,
                                  double tol) {
  double x0 = guess, f0 = f(x0);
  if (std::abs(f0) < tol) return x0;
  double x1 = x0 - f0 / (slope > 0 ? slope : 1.0);
  for (int step = 0; step < 8; ++step) {
    if (!(x1 > lo && x1 < hi)) return std::nullopt;
    const double f1 = f(x1);
    const double s = (f1 - f0) / (x1 - x0);
    if (!(s > 0)) return std::nullopt;
    if (std::abs(f1) < tol) {
      slope = s;
      return x1;
    }
    x0 = x1;
    f0 = f1;
    x1 -= f1 / s;
  }
  return std::nullopt;
}

void check_range(const char* field, double value, double lo, double hi) {
  if (!std::isfinite(value) || value < lo || value > hi) {
    throw std::invalid_argument(fmt::format(
        "head measurements: {} = {} is out of range: allowed {} - {}", field, value, lo, hi));
  }
}

}  // namespace

void validate_head_measurements(const HeadMeasurements& m) {
  check_range("circumference_mm", m.circumference_mm, 480, 660);
  check_range("length_mm", m.length_mm, 165, 225);
  check_range("width_mm", m.width_mm, 130, 175);
  check_range("vertex_height_mm", m.vertex_height_mm, 105, 160);
}

Head make_parametric_head(const HeadMeasurements& m, int subdivisions) {
  validate_head_measurements(m);
  if (subdivisions < 3 || subdivisions > 8) {
    throw std::invalid_argument(fmt::format(
        "parametric head: subdivisions = {} is out of range: allowed 3 - 8", subdivisions));
  }
  Shape shape;
  const Vec3 c0 = shape.centre();

  // Landmarks on the midline of the design, which stands in the Frankfort horizontal (the
  // orientation anthropometry measures in). None depends on the cranium exponent: the
  // superellipse has the same radius at azimuth 0, 90 and 180 degrees whatever its exponent.
  auto y_at = [&](double psi) { return shape.midline(psi).y(); };
  auto z_at = [&](double psi) { return shape.midline(psi).z(); };
  const double psi_glabella = argmax(y_at, -2 * kDeg, 25 * kDeg);
  const double psi_opisthocranion =
      argmax([&](double p) { return -y_at(p); }, 120 * kDeg, 240 * kDeg);
  const double psi_pronasale = argmax(y_at, -40 * kDeg, psi_glabella);
  const double psi_nasion = argmax([&](double p) { return -y_at(p); }, psi_pronasale, psi_glabella);
  const double psi_subnasale =
      argmax([&](double p) { return -y_at(p); }, psi_pronasale - 12 * kDeg, psi_pronasale);
  const double psi_menton = argmax([&](double p) { return -z_at(p); }, -60 * kDeg, -48 * kDeg);

  // The head frame puts the nasion on the y axis (head.h), so the design is pitched forward
  // about the x axis by the nasion's elevation above the tragion line (~16 degrees): the frame's
  // y' = y cos a + z sin a, z' = -y sin a + z cos a.
  const Vec3 nasion0 = shape.midline(psi_nasion);
  const double pitch = std::atan2(nasion0.z(), nasion0.y());
  Eigen::Matrix3d rot = Eigen::Matrix3d::Identity();
  rot(1, 1) = std::cos(pitch);
  rot(1, 2) = std::sin(pitch);
  rot(2, 1) = -std::sin(pitch);
  rot(2, 2) = std::cos(pitch);
  // The vertex: the highest point in the head frame.
  const double psi_vertex =
      argmax([&](double p) { return (rot * shape.midline(p)).z(); }, 45 * kDeg, 150 * kDeg);
  // Half the width: the lateral outline at azimuth 90 degrees (x is the same in both frames).
  const double half_width = [&] {
    auto x_at = [&](double th) {
      const Vec3 d(std::cos(th), 0, std::sin(th));
      return shape.radius(d) * d.x();
    };
    return x_at(argmax(x_at, -30 * kDeg, 80 * kDeg));
  }();

  const Vec3 g0 = rot * shape.midline(psi_glabella);
  const Vec3 o0 = rot * shape.midline(psi_opisthocranion);
  const double sz = m.vertex_height_mm / (rot * shape.midline(psi_vertex)).z();
  const double sx = m.width_mm / (2 * half_width);
  const double dy = g0.y() - o0.y(), dz = g0.z() - o0.z();
  const double sy = std::sqrt(m.length_mm * m.length_mm - sz * sz * dz * dz) / dy;
  const Vec3 scale(sx, sy, sz);
  // Design point -> head frame, and back.
  auto to_frame = [&](const Vec3& p) -> Vec3 { return (rot * p).cwiseProduct(scale); };
  auto to_design = [&](const Vec3& p) -> Vec3 { return rot.transpose() * p.cwiseQuotient(scale); };

  // Circumference of the scaled shape in the tape's plane, for a cranium exponent n.
  const Vec3 g = g0.cwiseProduct(scale), o = o0.cwiseProduct(scale);  // in the head frame
  const Vec3 mid = (g + o) / 2;
  const Vec3 e1 = (g - o).normalized(), e2 = Vec3::UnitX();
  // Each of the tape plane's 180 rays meets the surface at the root of inside(t). The roots move
  // little from one exponent to the next, so each is sought from a guess extrapolated from its
  // last two roots, by secant steps (2 - 3 evaluations of r instead of the ~7 of the bracket
  // [0, 300], whose two ends cost two more); the first time from an ellipse of the head's length
  // and width. The bracket stays the fallback; the acceptance test (|inside| < 1e-7 mm) is the
  // same, so the circumference is the same to ~1e-7 mm.
  constexpr int kRays = 180;
  struct Ray {
    Vec3 u;               // direction in the head frame
    double cos_b, sin_b;  // of its angle in the plane
    double t_prev = 0, t_last = 0;
    double slope = 1;  // of inside(t) at the root
  };
  std::vector<Ray> rays(kRays);
  for (int i = 0; i < kRays; ++i) {
    const double beta = 2 * kPi * i / kRays;
    rays[i].cos_b = std::cos(beta);
    rays[i].sin_b = std::sin(beta);
    rays[i].u = rays[i].cos_b * e1 + rays[i].sin_b * e2;
  }
  double n_prev = 0, n_last = 0;
  int solved = 0;
  auto circumference = [&](double n) {
    shape.set_cranium_exponent(n);
    std::vector<Vec2> pts;
    pts.reserve(kRays);
    for (Ray& ray : rays) {
      auto inside = [&](double t) {  // < 0 inside the surface, > 0 outside
        const Vec3 q = to_design(mid + t * ray.u) - c0;
        const double len = q.norm();
        return len - shape.radius(q / len);
      };
      double guess = ray.t_last;
      if (solved == 0) {
        const double a = m.length_mm / 2, b = m.width_mm / 2;
        guess = 1 / std::hypot(ray.cos_b / a, ray.sin_b / b);
      } else if (solved >= 2 && n_last != n_prev) {
        guess += (n - n_last) * (ray.t_last - ray.t_prev) / (n_last - n_prev);
      }
      const std::optional<double> near = secant_root(inside, guess, ray.slope, 0.0, 300.0, 1e-7);
      const double t =
          near ? *near : increasing_root(inside, 0.0, 300.0, inside(0.0), inside(300.0), 1e-7);
      ray.t_prev = ray.t_last;
      ray.t_last = t;
      pts.emplace_back(t * ray.cos_b, t * ray.sin_b);
    }
    n_prev = n_last;
    n_last = n;
    ++solved;
    // Convex hull perimeter, as the tape lies (the section is convex; this guards the brow).
    std::sort(pts.begin(), pts.end(), [](const Vec2& a, const Vec2& b) {
      return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y());
    });
    auto cross = [](const Vec2& oo, const Vec2& a, const Vec2& b) {
      return (a.x() - oo.x()) * (b.y() - oo.y()) - (a.y() - oo.y()) * (b.x() - oo.x());
    };
    std::vector<Vec2> hull(2 * pts.size());
    std::size_t k = 0;
    for (std::size_t i = 0; i < pts.size(); ++i) {
      while (k >= 2 && cross(hull[k - 2], hull[k - 1], pts[i]) <= 0) --k;
      hull[k++] = pts[i];
    }
    for (std::size_t i = pts.size() - 1, t = k + 1; i > 0; --i) {
      while (k >= t && cross(hull[k - 2], hull[k - 1], pts[i - 1]) <= 0) --k;
      hull[k++] = pts[i - 1];
    }
    hull.resize(k - 1);
    double perimeter = 0;
    for (std::size_t i = 0; i < hull.size(); ++i) {
      perimeter += (hull[(i + 1) % hull.size()] - hull[i]).norm();
    }
    return perimeter;
  };

  // The exponent that gives the circumference: from an ellipse-like section (1.8) to a rounded
  // box (4.5); heads sit around 2.3 - 2.8.
  constexpr double kNLo = 1.8, kNHi = 4.5;
  const double c_lo = circumference(kNLo), c_hi = circumference(kNHi);
  if (m.circumference_mm < c_lo || m.circumference_mm > c_hi) {
    throw std::invalid_argument(fmt::format(
        "head measurements: circumference_mm = {} does not fit length_mm = {} and width_mm = {}: "
        "a head of that length and width measures {:.0f} - {:.0f} mm around",
        m.circumference_mm, m.length_mm, m.width_mm, std::ceil(c_lo), std::floor(c_hi)));
  }
  const double n =
      increasing_root([&](double x) { return circumference(x) - m.circumference_mm; }, kNLo, kNHi,
                      c_lo - m.circumference_mm, c_hi - m.circumference_mm, 1e-3);
  shape.set_cranium_exponent(n);

  // The mesh: icosphere directions pushed to the surface, then scaled.
  Head head;
  head.mesh = make_icosphere(subdivisions);
  // r(d) depends on |x| only, the icosphere is exactly mirror-symmetric across x = 0 and to_frame
  // turns about the x axis: so a vertex with x < 0 is its mirror twin's with x negated, bit for
  // bit, and the radius is evaluated for half of the vertices (it was ~90 % of the time).
  // Each vertex on its own, so the parallel loops give the same mesh as serial ones.
  const std::vector<int> mirror = icosphere_mirror_x(head.mesh);
  MatV& V = head.mesh.V;
  tbb::parallel_for(Eigen::Index(0), V.rows(), [&](Eigen::Index i) {
    if (V(i, 0) < 0) return;
    const Vec3 d = V.row(i).transpose();
    V.row(i) = to_frame(c0 + shape.radius(d) * d).transpose();
  });
  tbb::parallel_for(Eigen::Index(0), V.rows(), [&](Eigen::Index i) {
    if (!(V(i, 0) < 0)) return;
    const int m = mirror[static_cast<std::size_t>(i)];
    V.row(i) << -V(m, 0), V(m, 1), V(m, 2);
  });
  head.centre = to_frame(c0);

  // Landmarks, put on the mesh along the ray from the centre.
  auto on_mesh = [&](const Vec3& design) {
    const Vec3 p = to_frame(design);
    const auto hit =
        radial_ray_hit(head.mesh, subdivisions, head.centre, head.centre, p - head.centre);
    return hit ? *hit : p;
  };
  head.landmarks["vertex"] = on_mesh(shape.midline(psi_vertex));
  head.landmarks["glabella"] = on_mesh(shape.midline(psi_glabella));
  head.landmarks["opisthocranion"] = on_mesh(shape.midline(psi_opisthocranion));
  head.landmarks["nasion"] = on_mesh(shape.midline(psi_nasion));
  head.landmarks["subnasale"] = on_mesh(shape.midline(psi_subnasale));
  head.landmarks["menton"] = on_mesh(shape.midline(psi_menton));
  for (double side : {1.0, -1.0}) {
    const Vec3 d =
        (Vec3(side * kRightCanthusDesign.x(), kRightCanthusDesign.y(), kRightCanthusDesign.z()) -
         c0)
            .normalized();
    head.landmarks[side > 0 ? "right_canthus" : "left_canthus"] = on_mesh(c0 + shape.radius(d) * d);
  }
  // The tragia define the frame: where the x axis leaves the head.
  for (double side : {1.0, -1.0}) {
    const auto hit =
        radial_ray_hit(head.mesh, subdivisions, head.centre, Vec3::Zero(), Vec3(side, 0, 0));
    if (!hit) throw std::logic_error("parametric head: the x axis does not meet the mesh");
    head.landmarks[side > 0 ? "right_tragion" : "left_tragion"] = *hit;
  }
  // The nasion defines the y axis (head.h). On the mesh it sits a hair off the design's axis
  // (the mesh is a chord of the surface), so turn everything about the x axis to put it exactly
  // there; the tragia, on the x axis, do not move.
  const Vec3 nasion = head.landmarks.at("nasion");
  const double tilt = std::atan2(nasion.z(), nasion.y());
  const Eigen::Matrix3d fix = Eigen::AngleAxisd(-tilt, Vec3::UnitX()).toRotationMatrix();
  // In place, row by row: the product as a whole would allocate a second vertex matrix (~1 MB,
  // whose first touch costs more than the rotation).
  for (Eigen::Index i = 0; i < V.rows(); ++i) {
    V.row(i) = (fix * Vec3(V.row(i).transpose())).transpose();
  }
  for (auto& [name, p] : head.landmarks) p = fix * p;
  head.landmarks.at("nasion").z() = 0;  // exactly, not to rounding
  head.centre = fix * head.centre;
  head.measurements = m;
  head.source = "parametric";
  return head;
}

}  // namespace stipple
