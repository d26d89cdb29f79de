// The plan on the client's own photo: the registered camera (registration.h) turns the photo
// into a HeadView (render/preview.h) whose `before` is the photo itself, so every moment the 3D
// previews show (before, after each session, fresh, healed, years later) works on photos
// unchanged. The dots multiply the photo's pixels (render/splat.h), so its own light, shadows
// and highlights stay; dots facing away from the camera or hidden behind the head are dropped
// by the depth test against the registered head; an optional mask keeps them off hair, ears
// and background.
#pragma once

#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "stipple/aging/aging.h"
#include "stipple/optics/colour.h"
#include "stipple/output/plan_result.h"
#include "stipple/render/preview.h"

namespace stipple {

// The head of `result` seen through `camera` (the photo's registered camera), with `photo_bgr`
// (CV_8UC3, the camera's size) as the `before` picture. The geometry buffer is at the photo's
// resolution (supersample 1). Throws std::invalid_argument naming the size when photo and
// camera differ.
HeadView photo_view(const Head& head, const Camera& camera, const cv::Mat& photo_bgr);

// Reads a mask PNG (any bit depth the decoder reads; non-zero = dots allowed) and checks it
// has the photo's size. Returns CV_8UC1 with 255 where allowed. Throws std::invalid_argument
// naming the mask, its size and the photo's.
cv::Mat read_mask(const std::string& path, cv::Size photo_size);

// The skin tone under the plan's dots in the photo, and the Fitzpatrick type it is nearest.
struct SkinEstimate {
  int fitzpatrick = 3;
  optics::Rgb sampled_linear = optics::Rgb::Zero();  // median, linear sRGB
  double delta_e00 = 0;  // to the chosen type, after matching lightness (see the .cpp)
  int samples = 0;       // pixels sampled
};

// Samples the photo at the projected positions of the plan's dots that the camera sees (and
// the mask allows), and picks the Fitzpatrick type whose bare-skin reflectance
// (optics::skin_reflectance) is nearest in CIEDE2000 after scaling it to the sample's
// luminance (a photo's exposure is unknown, so only chromaticity is compared). nullopt when
// fewer than 50 pixels can be sampled.
std::optional<SkinEstimate> estimate_skin_type(const PlanResult& result, const HeadView& view,
                                               const cv::Mat& mask = cv::Mat());

// The photo at `state`: render_state with the mask applied (empty: everywhere). `stats` may be
// null.
cv::Mat render_photo_state(const PlanResult& result, const HeadView& view, const TimeState& state,
                           const cv::Mat& mask = cv::Mat(), CompositeStats* stats = nullptr);

}  // namespace stipple
