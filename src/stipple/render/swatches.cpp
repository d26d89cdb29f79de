#include "stipple/render/swatches.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include "stipple/aging/aging.h"
#include "stipple/optics/colour.h"
#include "stipple/optics/skin.h"
#include "stipple/plan/plan.h"
#include "stipple/render/dot_look.h"
#include "stipple/render/splat.h"

namespace stipple {
namespace {

const char* roman(int type) {
  static const char* const names[] = {"I", "II", "III", "IV", "V", "VI"};
  return type >= 1 && type <= 6 ? names[type - 1] : "?";
}

void put_text(cv::Mat& img, const std::string& text, cv::Point centre, double scale) {
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline);
  cv::putText(img, text, cv::Point(centre.x - size.width / 2, centre.y + size.height / 2),
              cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(230, 230, 230), 1, cv::LINE_AA);
}

}  // namespace

cv::Mat render_swatch_grid(const SwatchGridSpec& spec) {
  if (spec.fitzpatrick.empty() || spec.depths_mm.empty() || spec.dilutions_water_parts.empty()) {
    throw std::invalid_argument("swatches: needs at least one skin type, depth and dilution");
  }
  if (spec.cell_px < 24 || spec.cell_px > 512) {
    throw std::invalid_argument(fmt::format("cell_px: {} is out of range 24 - 512", spec.cell_px));
  }
  if (!(spec.dot_diameter_mm >= 0.1 && spec.dot_diameter_mm <= 1.0)) {
    throw std::invalid_argument(
        fmt::format("dot_diameter_mm: {} is out of range 0.1 - 1.0", spec.dot_diameter_mm));
  }
  if (!(spec.spacing_mm >= 0.6 && spec.spacing_mm <= 2.5)) {
    throw std::invalid_argument(
        fmt::format("spacing_mm: {} is out of range 0.6 - 2.5", spec.spacing_mm));
  }
  const int cell = spec.cell_px;
  const int rows = static_cast<int>(spec.fitzpatrick.size());
  const int cols = static_cast<int>(spec.depths_mm.size() * spec.dilutions_water_parts.size());
  const int left = cell / 2 + 8, top = cell / 2 + 8;  // header bars
  const int gap = std::max(2, cell / 24);
  cv::Mat img(top + rows * (cell + gap), left + cols * (cell + gap), CV_8UC3,
              cv::Scalar(30, 30, 30));
  const double scale = cell / 220.0;

  // A patch is 3 x 3 dots at the given spacing, centred; the patch shows 3.5 spacings.
  const double px_per_mm = cell / (3.5 * spec.spacing_mm);
  const AgingSpec aging;  // healed, with the plan format's default model
  std::vector<ScreenDot> dots;
  for (int r = 0; r < rows; ++r) {
    const optics::SkinLayers skin = optics::skin_for_fitzpatrick(spec.fitzpatrick[r]);
    const optics::Rgb albedo = optics::skin_reflectance(skin);
    const cv::Scalar skin_bgr(255 * optics::srgb_encode(albedo[2]),
                              255 * optics::srgb_encode(albedo[1]),
                              255 * optics::srgb_encode(albedo[0]));
    put_text(img, roman(spec.fitzpatrick[r]),
             cv::Point(left / 2, top + r * (cell + gap) + cell / 2), scale * 1.3);
    OpticsMemo memo;
    for (std::size_t di = 0; di < spec.depths_mm.size(); ++di) {
      for (std::size_t wi = 0; wi < spec.dilutions_water_parts.size(); ++wi) {
        const int c = static_cast<int>(di * spec.dilutions_water_parts.size() + wi);
        const int x0 = left + c * (cell + gap), y0 = top + r * (cell + gap);
        cv::rectangle(img, cv::Rect(x0, y0, cell, cell), skin_bgr, cv::FILLED);
        Dot dot;
        dot.depth_mm = spec.depths_mm[di];
        dot.diameter_mm = spec.dot_diameter_mm;
        const DotAge age = age_dot(dot, aging.healed_days, aging, skin.epidermis_mm);
        const DotFootprint fp = dot_footprint(skin, spec.dilutions_water_parts[wi], age, memo);
        const float J[4] = {static_cast<float>(px_per_mm), 0, 0, static_cast<float>(px_per_mm)};
        for (int i = -1; i <= 1; ++i) {
          for (int j = -1; j <= 1; ++j) {
            ScreenDot sd;
            if (make_screen_dot(
                    static_cast<float>(x0 + 0.5 * (cell - 1) + i * spec.spacing_mm * px_per_mm),
                    static_cast<float>(y0 + 0.5 * (cell - 1) + j * spec.spacing_mm * px_per_mm), J,
                    fp, sd)) {
              dots.push_back(sd);
            }
          }
        }
        if (r == 0) {
          put_text(img, fmt::format("{:g}:1", spec.dilutions_water_parts[wi]),
                   cv::Point(x0 + cell / 2, top * 3 / 4), scale);
        }
      }
      if (r == 0) {
        const int x0 =
            left + static_cast<int>(di * spec.dilutions_water_parts.size()) * (cell + gap);
        const int span = static_cast<int>(spec.dilutions_water_parts.size()) * (cell + gap) - gap;
        put_text(img, fmt::format("{:g} mm deep", spec.depths_mm[di]),
                 cv::Point(x0 + span / 2, top / 4), scale * 1.1);
      }
    }
  }
  // Patches are separate; one mask keeps each dot's tail off the gutters and headers.
  cv::Mat mask(img.size(), CV_8UC1, cv::Scalar(0));
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      mask(cv::Rect(left + c * (cell + gap), top + r * (cell + gap), cell, cell)).setTo(255);
    }
  }
  composite_dots(img, dots, img, mask);
  return img;
}

}  // namespace stipple
