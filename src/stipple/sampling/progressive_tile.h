// A progressive blue-noise tile: a periodic square of points in rank order, such that every
// prefix (the first fraction f of the points, for any f) is itself an even, blue-noise pattern
// at density f times the tile's. Thresholding the rank against a local density then lays a
// variable-density pattern in one pass, and nested sessions come from nested thresholds
// (Kopf et al. 2006, "Recursive Wang tiles for real-time blue noise", SIGGRAPH; Ostromoukhov
// et al. 2004, "Fast hierarchical importance sampling with blue noise properties": a ranked,
// precomputed point set thresholded by density, there in tiles, here in a torus per patch).
//
// How the ranks are made (make_progressive_tile): levels of density f_0 < f_1 < ... < 1, a
// factor `level_ratio` apart; level l is a maximal Poisson-disk fill at the radius
// kappa s(f_l), s(f) = 1 / sqrt(f) the hex spacing in tile units at that density, grown
// (Bridson 2007) from all the points of the levels before it, on the torus. The points of a
// level come after every point of the levels before it and in a random order among themselves,
// so a prefix between two levels is the lower level plus a random part of the next: its nearest
// neighbour distances are at least kappa s(f_{l+1}), i.e. kappa / sqrt(level_ratio) of its own
// hex spacing (0.73 for the built-in tile's 0.75 and 1.05; measured min >= 0.71, CV <= 0.10 at
// every fraction from 1 % to 100 %, progressive_tile_test.cpp).
//
// The built-in tile is generated once by `stipple_make_tile` (src/tools/make_tile.cpp) with
// builtin_tile_params() and committed as data (progressive_tile_data.cpp); a test regenerates it
// and checks that it matches, so the data and its generator cannot drift apart.
#pragma once

#include <cstdint>
#include <vector>

namespace stipple {

struct ProgressiveTileParams {
  int side = 96;                // torus side in tile units (the hex spacing at full density is ~1)
  double min_fraction = 0.005;  // density of the sparsest level, as a fraction of the full one
  double level_ratio = 1.05;    // density ratio of consecutive levels
  double kappa = 0.75;          // each level's conflict radius over its hex spacing
  int tries = 30;               // Bridson's k (offline, so generous)
  std::uint64_t seed = 0x53544950504c45ULL;  // "STIPPLE"
};

struct ProgressiveTile {
  int side = 0;             // torus side in tile units
  std::vector<float> x, y;  // positions in [0, side), rank order (index = rank)
  // The points of each unit cell (cell (i, j) is [i, i + 1) x [j, j + 1)), as indices into x and
  // y: cell_points[cell_start[j * side + i] .. cell_start[j * side + i + 1]).
  std::vector<int> cell_start, cell_points;
  double density = 0;  // points per square tile unit, all ranks

  std::size_t size() const { return x.size(); }
};

// Generates a tile (deterministic for the parameters: only arithmetic and square roots, no
// library trigonometry, so it is the same on every platform). Takes ~1 s at the built-in size.
// Throws std::invalid_argument for parameters out of range (side 8 - 256, min_fraction
// (0, 1), level_ratio (1, 2], kappa (0, 1], tries 1 - 1000).
ProgressiveTile make_progressive_tile(const ProgressiveTileParams& params);

// The parameters the built-in tile was generated with.
ProgressiveTileParams builtin_tile_params();

// The built-in tile (from the committed data; positions quantised to side / 65536).
const ProgressiveTile& builtin_progressive_tile();

// The tile's positions quantised as they are stored (x, y in units of side / 65536), in rank
// order: what `stipple_make_tile` writes and what builtin_progressive_tile() is built from.
std::vector<std::uint16_t> quantised_coordinates(const std::vector<float>& v, int side);

}  // namespace stipple
