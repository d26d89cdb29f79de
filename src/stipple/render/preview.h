// Previews of a plan on the 3D head: the bare head under soft studio light, and the plan's dots
// at any moment of the treatment (aging/aging.h) drawn through the skin's optics. One head
// view serves every moment (the head, its shading and its depth are rendered once); each
// moment is the same picture with that moment's dots multiplied in (render/splat.h), so a plan
// without dots gives exactly the `before` picture.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "stipple/aging/aging.h"
#include "stipple/output/plan_result.h"
#include "stipple/render/camera.h"
#include "stipple/render/raster.h"
#include "stipple/render/splat.h"

namespace stipple {

// The head seen from one camera, without dots.
struct HeadView {
  Camera camera;
  int supersample = 1;  // the geometry buffer's resolution over the image's, per side
  GBuffer gbuffer;      // at camera x supersample (for shading and for hiding occluded dots)
  cv::Mat before;       // CV_8UC3 (B, G, R), sRGB, the camera's size
};

// Renders the head of `result` through `camera`: skin of the plan's Fitzpatrick type
// (optics/skin.h) under a soft three-light studio set (key, fill, sky; lights move with the
// camera, as a photographer's do), anti-aliased by 2 x 2 supersampling up to 8 megapixels
// (1 beyond, to bound memory), on a dark grey backdrop.
HeadView render_head(const PlanResult& result, const Camera& camera);

// The dots of `result` visible from the view at `state`, as footprints in the image: those of
// the sessions done by then, aged to the state's day, facing the camera and not hidden behind
// the head (depth test against the view's geometry buffer).
std::vector<ScreenDot> visible_dots(const PlanResult& result, const HeadView& view,
                                    const TimeState& state);

// The view at `state`: `before` with the state's dots composited in. `stats` may be null.
cv::Mat render_state(const PlanResult& result, const HeadView& view, const TimeState& state,
                     CompositeStats* stats = nullptr);

// Panels side by side, each under a label bar, separated by a thin gutter (CV_8UC3 in and
// out; all panels the same height). Throws std::invalid_argument when empty or mismatched.
cv::Mat labelled_row(const std::vector<cv::Mat>& panels, const std::vector<std::string>& labels);

}  // namespace stipple
