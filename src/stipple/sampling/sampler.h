// Variable-density blue noise on the head surface, with sessions as nested classes.
//
// Method (hand-written: no packaged library samples a variable density on a surface with
// nested classes). The union of sessions 1..k must be blue noise at its share of the density,
// for every k, and each session's own dots must spread too. A progressive tile gives that in one
// pass: points in rank order whose every prefix is blue noise (progressive_tile.h; Kopf et al.
// 2006, Ostromoukhov et al. 2004). The surface is cut into patches (blocks of field texels on
// the cube faces, 2 - 4 cm); each patch lays the tile, scaled to its densest texel and turned by
// one of eight symmetries at a random offset, in its tangent plane at the patch centre, and
// projects the points radially onto the surface. A point of rank fraction rho landing where the
// density is n enters at the density fraction lambda = rho n_tile / (n J), J the projection's
// area ratio (so the plane's distortion is corrected exactly): it belongs to the first session
// k whose cumulative share exceeds lambda, and to none if lambda >= 1. Every union is then the
// tile's prefix at its share of the local density: blue noise, nested by construction, in one
// pass over the tile and one conflict test a dot.
//
// Conflicts. A dot is laid only if no dot lies within the larger of the two conflict radii
// (kappa times the union's hex spacing, just above the 0.65 a good pattern keeps, domain.md), on
// a uniform grid (conflict_grid.h). Inside a patch where the density is even the tile never
// conflicts with itself (its prefixes keep 0.71); where two patches meet, or where the density
// changes by more than ~15 % over a spacing (the sparser dot's radius rules), a candidate can be
// turned away: a few random tries within its radius replace it, and the dots near a patch edge
// seed a Bridson growth (Bridson 2007; candidates in the tangent plane at r (1 + w u), projected
// onto the surface) that mends the seam and stays in it.
//
// Exact counts. Each session must hold its share of the field's expected count exactly (the
// nearest integer). Candidates near a union's boundary (lambda within `tail` of its share) are
// laid last, in lambda order, until the count is met, borrowing later candidates if need be;
// the tile is scaled `reserve` beyond the densest texel so the last session has some to spare.
// Since the tile's ranks are independent of position, the top-up (or, when over, the removal of
// the highest-lambda dots) is spread evenly. Should a session still fall short (a field the tile
// cannot follow, such as a narrow dense strip in a sparse zone, where the sparse side's radii
// crowd it out), Bridson growth from every dot and a texel sweep fill it, at smaller radii if
// need be down to 0.655, and the most crowded dots are eliminated down to the count (greedy
// sample elimination, Yuksel 2015).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "stipple/field/field_grid.h"
#include "stipple/geometry/radial_surface.h"

namespace stipple {

struct SamplerParams {
  std::vector<double> session_shares = {0.4, 0.35,
                                        0.25};  // each in (0, 1]; cumulative, capped at 1
  std::uint64_t seed = 1;
  // Conflict radius over the union's hex spacing, for every dot: just above the 0.65 a good
  // pattern keeps (domain.md). The tile's prefixes keep 0.71 themselves, so it only bites at
  // seams and steep gradients; there, the seam growth at 0.66 leaves the patch-edge texel rows
  // within ~1 % of the field on Norwood V, VII and Ludwig II (at 0.69 they fell 4 - 6 % short,
  // at 0.72 more).
  double kappa = 0.66;
  int candidates_per_dot = 4;  // Bridson's k for the growth (fallback, replacements x 2)
  // Bridson's k at seams, where every seam dot of every session seeds the growth each session
  // (3 mended no better at kappa 0.67 and cost ~6 % more of the sampler's instructions).
  int seam_candidates_per_dot = 2;
  double annulus_width = 0.5;  // growth candidates at r (1 + w u), u uniform in [0, 1)
  // Patch edge in field texels; 0: res / 4 (32 at res 128, 2 - 4 cm). Larger patches have less
  // seam to mend; beyond ~4 cm the tangent plane drifts from the surface (a patch whose outline
  // meets its plane at a grazing angle, or that the tile would cover more than once, is split).
  int patch_texels = 0;
  // Dots closer to a patch edge than this many full-density spacings seed the seam growth.
  double seam_band_spacings = 1.0;
  double reserve = 0.10;  // the tile reaches this far beyond the densest texel
  double tail = 0.04;     // lambda this close to a union's share is laid in order
  // Passes of relaxation over the last session's dots once it is laid: each steps 0.2 of its
  // nearest-neighbour distance straight away from that neighbour when that gains room without a
  // conflict. The final set, the one the client keeps, spreads further; the earlier unions stay
  // as laid. On the uniform benchmark field (one session): CV 0.099 -> 0.085 (1 pass), 0.080
  // (2); the seam rows' density unchanged.
  int relax_passes = 1;
  double min_density_per_cm2 = 0.5;
  // Where the baked field is thin (edges, sentinels), it can be off by a texel's worth of
  // interpolation; there the exact field, when given, decides.
  std::function<double(const Vec3&)> exact_density;
  double exact_below_per_cm2 = 12;   // below this the baked value is checked against the exact
  std::size_t max_dots = 2'000'000;  // refuse plans above this (memory, time)
  // false: SampledDot::normal is left zero, for a caller that looks each dot's normal up with its
  // other attributes (lookup_field), as the planner does.
  bool normals = true;
};

struct SampledDot {
  Vec3 position_mm;
  Vec3 normal;
  int session = 1;             // 1-based
  double density_per_cm2 = 0;  // the field's (final) target density at the dot
};

// How a run went, for tests and benchmarks (counts over all sessions).
struct SamplerStats {
  std::size_t patches = 0;        // patches the tile was laid in
  std::size_t candidates = 0;     // tile points the field wanted (lambda < 1 + reserve)
  std::size_t tile_dots = 0;      // candidates laid
  std::size_t rejected = 0;       // candidates turned away by a conflict
  std::size_t replaced = 0;       // of those, replaced by a try nearby
  std::size_t seam_dots = 0;      // dots the seam growth added
  std::size_t removed = 0;        // dots taken out to meet a count from above
  std::size_t fallback_dots = 0;  // dots the fallback growth added (0 on well-behaved fields)
  std::size_t relaxed = 0;        // moves the relaxation of the last session made
  std::size_t short_by = 0;       // dots missing from the counts after everything (0 normally)
};

// Samples the baked field on the surface it was baked on. Deterministic for a seed. Throws
// std::invalid_argument if the expected count exceeds params.max_dots, shares or parameters are
// invalid, or the field was baked about another centre.
std::vector<SampledDot> sample_dots(const RadialSurface& surface, const FieldGrid& field,
                                    const SamplerParams& params, SamplerStats* stats = nullptr);

// Hex spacing (mm) of a density (dots/cm2): the nearest-neighbour distance of a hexagonal
// lattice of that density, s = sqrt(2 / (sqrt(3) n)).
double hex_spacing_mm(double density_per_cm2);

}  // namespace stipple
