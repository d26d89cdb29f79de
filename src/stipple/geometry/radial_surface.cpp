#include "stipple/geometry/radial_surface.h"

#include "stipple/geometry/cube_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace stipple {
namespace {

// Building the map casts one ray per texel and keeps the farthest hit, as it always did; only the
// arrangement is new. Testing every triangle against every face, with a Moller-Trumbore test per
// texel of its projected box, took ~180 M instructions (~21 ms) for the default head at 256:
//  - each vertex is classified and projected once: for each axis, onto the cube face of that
//    axis it is in front of (texel coordinates and 1 / depth), with its outcodes against the
//    face's square (in front? beyond which side? Cohen-Sutherland), so a triangle finds the face
//    or two it can touch with a few bit operations, and its corners' projections are loaded, not
//    recomputed for each of the ~6 triangles around a vertex;
//  - on a face, a triangle all in front of it projects (from the centre onto the face's plane) to
//    a triangle in texel coordinates, lines to lines: a texel's ray meets the triangle if its
//    centre lies in the projection, and 1 / distance along the texel's direction is affine
//    there (the perspective-correct interpolation of 1 / z, z the vertices' depths along the
//    face's axis). The inside test keeps the 1e-9 barycentric tolerance of the ray-triangle test
//    it replaces, so rays through shared edges still meet a triangle. So per triangle and face:
//    three edge functions and one depth function, then a few additions per texel (raster).
// Tried and not kept (default head, res 256, one thread): cutting each row of the box to the
// span inside the three edges and casting only that span, one texel at a time, took the build
// from ~62 M to ~54 M instructions but ~30 % more time, as the loop over a span of 0 - 4 texels
// ends at a branch the predictor misses about once a row (~200 k more misses); the same spans
// cast four texels at a time (masked) cost more instructions than the box in pairs; and a
// four-lane AVX version of raster (chosen at run time) was ~1.8x slower on the Xeon it was
// measured on. The per-texel work is bounded by the division per texel; what is left is mostly
// the per-triangle setup.

// Every cube face's axis, u and v (cube_map.h) is a signed coordinate axis.
struct SignedAxis {
  int index;
  double sign;
};
struct FaceAxes {
  SignedAxis axis, u, v;
};
constexpr FaceAxes kFaceAxes[6] = {{{0, 1}, {1, 1}, {2, 1}},  {{0, -1}, {1, -1}, {2, 1}},
                                   {{1, 1}, {0, -1}, {2, 1}}, {{1, -1}, {0, 1}, {2, 1}},
                                   {{2, 1}, {0, 1}, {1, 1}},  {{2, -1}, {0, 1}, {1, -1}}};

// A vertex against one cube face, as 5 bits: bit 0, not in front of the face (a triangle is cast
// against a face only with all three vertices in front of it, as before); bits 1 - 4, beyond the
// left, right, lower, upper edge of the face's square of texel centres (border included, plus a
// margin). A triangle with all three vertices beyond the same edge contains no texel centre.
constexpr int kBitsPerFace = 5;
constexpr std::uint32_t kNotInFront = 1;
constexpr std::uint32_t kEachFace = 1 | 1 << 5 | 1 << 10 | 1 << 15 | 1 << 20 | 1 << 25;

// Wider than the 1e-6 texel slack of the texel box, so this cull drops no triangle the box keeps.
constexpr double kCullMarginTexels = 1e-3;
// A vertex this close (mm) to a face's plane through the centre, or behind it, is not in front.
constexpr double kInFrontMm = 1e-9;

// A vertex projected from the centre onto the face of one axis pair that it is in front of:
// texel coordinates (texel (i, j)'s centre is at (i, j)) and 1 / its depth along the face's axis.
struct Projection {
  double x, y, iz;
};

// Projects p (relative to the centre) onto the face of each axis pair it is in front of,
// proj[a] for axis a (a = 0 .. 2), and returns its codes for all six faces.
std::uint32_t project_vertex(const Vec3& p, int res, Projection* proj) {
  const double half = 0.5 * res, offset = 0.5 * res + 0.5;  // cube_texel_coord(a) = a half + offset
  const double lo = -kCullMarginTexels, hi = res + 1 + kCullMarginTexels;
  std::uint32_t code = 0;
  for (int a = 0; a < 3; ++a) {
    const double z = p(a);
    const int f = z > kInFrontMm ? 2 * a : -z > kInFrontMm ? 2 * a + 1 : -1;
    if (f < 0) {
      code |=
          (kNotInFront << (kBitsPerFace * 2 * a)) | (kNotInFront << (kBitsPerFace * (2 * a + 1)));
      proj[a] = {0, 0, 0};
      continue;
    }
    const int other = f ^ 1;  // the opposite face: p is behind it
    const FaceAxes& A = kFaceAxes[f];
    const double iz = 1 / (A.axis.sign * z);
    const double x = A.u.sign * p(A.u.index) * iz * half + offset;
    const double y = A.v.sign * p(A.v.index) * iz * half + offset;
    const std::uint32_t c =
        (x < lo ? 2u : 0u) | (x > hi ? 4u : 0u) | (y < lo ? 8u : 0u) | (y > hi ? 16u : 0u);
    code |= (c << (kBitsPerFace * f)) | (kNotInFront << (kBitsPerFace * other));
    proj[a] = {x, y, iz};
  }
  return code;
}

// The faces a triangle with vertex codes c0, c1, c2 may meet, as bit kBitsPerFace f for face f.
std::uint32_t faces_to_cast(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2) {
  const std::uint32_t any = c0 | c1 | c2, all = c0 & c1 & c2;
  const std::uint32_t beyond = (all >> 1) | (all >> 2) | (all >> 3) | (all >> 4);
  return ~(any | beyond) & kEachFace;
}

// sqrt(1 + a^2 + b^2), the length of texel (i, j)'s direction: the same on every face, and
// symmetric under j -> w - 1 - j (and i -> w - 1 - i), so half the rows are stored.
class TexelLengths {
 public:
  explicit TexelLengths(const std::vector<double>& coord)
      : w_(static_cast<int>(coord.size())), h_((w_ + 1) / 2) {
    len_.resize(static_cast<std::size_t>(h_) * w_);
    for (int j = 0; j < h_; ++j) {
      for (int i = 0; i < w_; ++i) {
        const double a = coord[std::min(i, w_ - 1 - i)], b = coord[j];
        len_[static_cast<std::size_t>(j) * w_ + i] = std::sqrt(1 + a * a + b * b);
      }
    }
  }
  // Row j's lengths, by column.
  const double* row(int j) const {
    return len_.data() + static_cast<std::size_t>(std::min(j, w_ - 1 - j)) * w_;
  }

 private:
  int w_, h_;
  std::vector<double> len_;
};

// max(0, ceil(t)) and min(w - 1, floor(t)) for a texel coordinate t (clamped before the
// conversion to int, which truncates; std::ceil and std::floor are calls without SSE4.1).
int first_texel(double t, int w) {
  if (!(t > 0)) return 0;
  if (t > w) return w;
  const int i = static_cast<int>(t);
  return i < t ? i + 1 : i;
}
int last_texel(double t, int w) {
  if (!(t >= 0)) return -1;
  if (t > w - 1) return w - 1;
  return static_cast<int>(t);
}

// A triangle's box of texels on a face, and its functions there: the edge functions g_k =
// ga[k] X + gb[k] Y + gc[k] (>= 0 inside, with the tolerance) and the depth function
// |D| / t = wa X + wb Y + wc, t the distance along the texel's direction (not unit).
struct Raster {
  int i0, i1, j0, j1;
  double ga[3], gb[3], gc[3];
  double wa, wb, wc, d;
};

// Casts the box's rays (radii `face`, w x w; `len`, the directions' lengths): where all three
// edge functions are >= 0 the ray meets the triangle, at l D / (D / t) along the unit direction,
// kept if farther. Two texels at a time in SSE2 (the x86-64 baseline) and without branches
// within a row: whether a texel is inside is a coin toss along a row of three or four, which the
// branch predictor lost ~300 k times for the default head (a third of the time).
void raster(const Raster& T, int w, const TexelLengths& len, float* face) {
  float* radius = face + T.j0 * w;
#if defined(__SSE2__)
  const __m128d zero = _mm_setzero_pd(), two = _mm_set1_pd(2.0);
  const __m128d wa = _mm_set1_pd(T.wa), d = _mm_set1_pd(T.d);
  // Lanes: texels i and i + 1.
  const __m128d x0 = _mm_set_pd(T.i0 + 1, T.i0);
  __m128d row_g[3], step_i[3], step_j[3];
  for (int k = 0; k < 3; ++k) {
    row_g[k] =
        _mm_add_pd(_mm_set1_pd(T.gc[k] + T.j0 * T.gb[k]), _mm_mul_pd(x0, _mm_set1_pd(T.ga[k])));
    step_i[k] = _mm_set1_pd(2 * T.ga[k]);
    step_j[k] = _mm_set1_pd(T.gb[k]);
  }
  double w_row = T.wc + T.j0 * T.wb;
  for (int j = T.j0; j <= T.j1; ++j, radius += w, w_row += T.wb) {
    const double* l = len.row(j);
    const __m128d w_j = _mm_set1_pd(w_row);
    __m128d g0 = row_g[0], g1 = row_g[1], g2 = row_g[2], x = x0;
    // The two texels' new radii (floats, low half), from their lengths and present radii.
    auto step = [&](__m128d lv, __m128d r) {
      const __m128d in = _mm_cmpge_pd(_mm_min_pd(_mm_min_pd(g0, g1), g2), zero);
      const __m128d dw = _mm_add_pd(w_j, _mm_mul_pd(x, wa));
      const __m128d hit = _mm_mul_pd(_mm_div_pd(d, dw), lv);
      const __m128d take = _mm_and_pd(_mm_and_pd(in, _mm_cmpgt_pd(dw, zero)), _mm_cmpgt_pd(hit, r));
      return _mm_cvtpd_ps(_mm_or_pd(_mm_and_pd(take, hit), _mm_andnot_pd(take, r)));
    };
    int i = T.i0;
    for (; i < T.i1; i += 2) {
      const __m128 r =
          _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(radius + i)));
      const __m128 out = step(_mm_loadu_pd(l + i), _mm_cvtps_pd(r));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(radius + i), _mm_castps_si128(out));
      g0 = _mm_add_pd(g0, step_i[0]);
      g1 = _mm_add_pd(g1, step_i[1]);
      g2 = _mm_add_pd(g2, step_i[2]);
      x = _mm_add_pd(x, two);
    }
    if (i == T.i1) {  // the last of an odd number: the low lanes only
      _mm_store_ss(radius + i, step(_mm_load_sd(l + i), _mm_cvtps_pd(_mm_load_ss(radius + i))));
    }
    for (int k = 0; k < 3; ++k) row_g[k] = _mm_add_pd(row_g[k], step_j[k]);
  }
#else
  for (int j = T.j0; j <= T.j1; ++j, radius += w) {
    const double* l = len.row(j);
    for (int i = T.i0; i <= T.i1; ++i) {
      double g = 1;
      for (int k = 0; k < 3; ++k) g = std::min(g, T.gc[k] + j * T.gb[k] + i * T.ga[k]);
      if (g < 0) continue;
      const double dw = T.wc + j * T.wb + i * T.wa;
      if (!(dw > 0)) continue;
      const double hit = T.d / dw * l[i];
      if (hit > radius[i]) radius[i] = static_cast<float>(hit);
    }
  }
#endif
}

// Casts the rays of a face's texels (radii `face`, w x w, farthest hit kept) at the triangle
// whose corners project to q[0..2] on that face (all three in front of it).
void cast_triangle(const Projection* const (&q)[3], int w, const TexelLengths& len, float* face) {
  const double x[3] = {q[0]->x, q[1]->x, q[2]->x}, y[3] = {q[0]->y, q[1]->y, q[2]->y};
  // Only texel centres inside the projection's bounding box can hit it (a slack of 1e-6 texel
  // keeps the rays the 1e-9 edge tolerance admits).
  constexpr double kSlack = 1e-6;
  const int j0 = first_texel(std::min({y[0], y[1], y[2]}) - kSlack, w);
  const int j1 = last_texel(std::max({y[0], y[1], y[2]}) + kSlack, w);
  if (j0 > j1) return;
  const int i0 = first_texel(std::min({x[0], x[1], x[2]}) - kSlack, w);
  const int i1 = last_texel(std::max({x[0], x[1], x[2]}) + kSlack, w);
  if (i0 > i1) return;
  // Edge function k, across the edge opposite vertex k: e_k(X, Y) = ea[k] X + eb[k] Y + ec[k],
  // twice the area of (X, Y) and that edge; e_0 + e_1 + e_2 = D, twice the triangle's area.
  double ea[3], eb[3], ec[3];
  for (int k = 0; k < 3; ++k) {
    const int k1 = k == 2 ? 0 : k + 1, k2 = k == 0 ? 2 : k - 1;
    ea[k] = y[k1] - y[k2];
    eb[k] = x[k2] - x[k1];
    ec[k] = x[k1] * y[k2] - x[k2] * y[k1];
  }
  const double area2 = ec[0] + ec[1] + ec[2];  // D, signed: the triangle may face either way
  if (area2 == 0) return;                      // seen edge-on: its rays graze it
  const double sigma = area2 > 0 ? 1.0 : -1.0, d = sigma * area2;
  // Barycentric coordinate k is e_k / D, admitted down to -kEps: g_k = sigma e_k + kEps |D| >= 0.
  // The depth function: 1 / t = sum_k (e_k / D) / z_k along the texel's (not unit) direction,
  // as |D| / t = wa X + wb Y + wc.
  constexpr double kEps = 1e-9;
  double ga[3], gb[3], gc[3];
  double wa = 0, wb = 0, wc = 0;
  for (int k = 0; k < 3; ++k) {
    const double iz = q[k]->iz;
    ga[k] = sigma * ea[k];
    gb[k] = sigma * eb[k];
    gc[k] = sigma * ec[k];
    wa += ga[k] * iz;
    wb += gb[k] * iz;
    wc += gc[k] * iz;
    gc[k] += kEps * d;
  }
  Raster T{i0, i1, j0, j1, {}, {}, {}, wa, wb, wc, d};
  for (int k = 0; k < 3; ++k) {
    T.ga[k] = ga[k];
    T.gb[k] = gb[k];
    T.gc[k] = gc[k];
  }
  raster(T, w, len, face);
}

// True if some texel's ray met nothing (its radius is still <= 0). A branch-free pass that the
// compiler vectorises; the error then looks for the first such texel.
bool any_missed(const std::vector<float>& radius_mm) {
  int missed = 0;
  for (float r : radius_mm) missed |= r <= 0;
  return missed != 0;
}

}  // namespace

RadialSurface build_radial_surface(const TriMesh& mesh, const Vec3& centre, int res) {
  if (res < 16 || res > 2048) {
    throw std::invalid_argument(
        fmt::format("radial surface: res = {} is out of range, allowed 16 to 2048", res));
  }
  validate_mesh(mesh, "radial surface");
  RadialSurface s;
  s.centre = centre;
  s.res = res;
  const int w = res + 2;
  s.radius_mm.assign(6 * w * w, -1.0f);

  std::vector<double> coord(w);
  for (int i = 0; i < w; ++i) coord[i] = cube_face_coord(i, res);
  const TexelLengths len(coord);
  const auto nv = static_cast<std::size_t>(mesh.V.rows());
  std::vector<std::uint32_t> code(nv);
  std::vector<Projection> proj(3 * nv);  // proj[3 v + a]: vertex v on its face of axis a
  for (std::size_t i = 0; i < nv; ++i) {
    code[i] = project_vertex(Vec3(mesh.V.row(static_cast<Eigen::Index>(i)).transpose()) - centre,
                             res, &proj[3 * i]);
  }
  for (Eigen::Index t = 0; t < mesh.F.rows(); ++t) {
    const int v[3] = {mesh.F(t, 0), mesh.F(t, 1), mesh.F(t, 2)};
    std::uint32_t faces = faces_to_cast(code[v[0]], code[v[1]], code[v[2]]);
    for (; faces; faces &= faces - 1) {
      const int f = std::countr_zero(faces) / kBitsPerFace, a = f / 2;
      const Projection* const q[3] = {&proj[3 * v[0] + a], &proj[3 * v[1] + a],
                                      &proj[3 * v[2] + a]};
      cast_triangle(q, w, len, s.radius_mm.data() + f * w * w);
    }
  }
  if (!any_missed(s.radius_mm)) return s;
  for (int f = 0; f < 6; ++f) {
    for (int k = 0; k < w * w; ++k) {
      if (s.radius_mm[f * w * w + k] <= 0) {
        throw std::invalid_argument(
            fmt::format("radial surface: a ray from the centre ({:.1f}, {:.1f}, {:.1f}) mm misses "
                        "the mesh (cube face {}, "
                        "texel {}): the centre must be inside a closed head surface",
                        centre.x(), centre.y(), centre.z(), f, k));
      }
    }
  }
  return s;
}

double surface_radius_mm(const RadialSurface& s, const Vec3& d) {
  return cube_bilinear(s.radius_mm.data(), cube_stencil(d, s.res), s.res);
}

Vec3 project_to_surface(const RadialSurface& s, const Vec3& p) {
  const Vec3 d = p - s.centre;
  const double len = d.norm();
  if (!(len > 0)) return s.centre + Vec3(0, 0, surface_radius_mm(s, Vec3(0, 0, 1)));
  return s.centre + d * (surface_radius_mm(s, d) / len);
}

Vec3 surface_normal(const RadialSurface& s, const Vec3& p) {
  // On p's cube face the surface is P(a, b) = centre + r(a, b) D / |D|, D = axis + a u + b v;
  // its tangents dP/da = r_a D^ + r (u - D^ (D^ . u)) / |D| (and so for b), with r's derivatives
  // by central differences over half a texel either side: smooth over the bilinear kinks, far
  // below the dot spacing, and five lookups on one face (no direction normalised per lookup).
  const Vec3 d = p - s.centre;
  if (!(d.squaredNorm() > 0)) return Vec3::UnitZ();
  const CubeFacePoint q = cube_face_point(d);
  const CubeFace& F = cube_face(q.face);
  auto radius = [&](double a, double b) {
    return cube_bilinear(s.radius_mm.data(), cube_stencil_on_face(q.face, a, b, s.res), s.res);
  };
  const double h = 1.0 / s.res;  // half a texel (a texel spans 2 / res of the face)
  const double r0 = radius(q.a, q.b);
  const double ra = (radius(q.a + h, q.b) - radius(q.a - h, q.b)) / (2 * h);
  const double rb = (radius(q.a, q.b + h) - radius(q.a, q.b - h)) / (2 * h);
  const Vec3 D = F.axis + q.a * F.u + q.b * F.v;
  const double len = D.norm();
  const Vec3 u = D / len;
  const Vec3 pa = ra * u + (r0 / len) * (F.u - u * u.dot(F.u));
  const Vec3 pb = rb * u + (r0 / len) * (F.v - u * u.dot(F.v));
  Vec3 n = pa.cross(pb);
  if (n.dot(u) < 0) n = -n;
  const double nl = n.norm();
  return nl > 0 ? Vec3(n / nl) : u;
}

}  // namespace stipple
