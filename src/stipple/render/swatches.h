// The optics at a glance: a grid of skin patches, one row per Fitzpatrick type, one column per
// pigment depth and dilution, each patch a few healed dots at 1.2 mm spacing seen face-on
// (docs/optics.md shows it). Drawn with the same footprints and compositor as every preview.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace stipple {

struct SwatchGridSpec {
  std::vector<int> fitzpatrick = {1, 2, 3, 4, 5, 6};
  std::vector<double> depths_mm = {0.2, 0.4, 0.8, 1.2};
  std::vector<double> dilutions_water_parts = {20, 12, 6, 0};
  double dot_diameter_mm = 0.4;
  double spacing_mm = 1.2;
  int cell_px = 96;  // 24 - 512
};

// The grid as an 8-bit B, G, R image with labelled rows and columns. Throws
// std::invalid_argument naming the field for empty lists or values out of range.
cv::Mat render_swatch_grid(const SwatchGridSpec& spec = {});

}  // namespace stipple
