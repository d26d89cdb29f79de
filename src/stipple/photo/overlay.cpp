#include "stipple/photo/overlay.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include "stipple/optics/skin.h"
#include "stipple/photo/photo_io.h"
#include "stipple/render/raster.h"

namespace stipple {

HeadView photo_view(const Head& head, const Camera& camera, const cv::Mat& photo_bgr) {
  if (photo_bgr.empty() || photo_bgr.type() != CV_8UC3) {
    throw std::invalid_argument("photo_view: the photo must be 8-bit BGR");
  }
  if (photo_bgr.cols != camera.width_px || photo_bgr.rows != camera.height_px) {
    throw std::invalid_argument(
        fmt::format("photo_view: the photo is {} x {} px but the camera is {} x {} px",
                    photo_bgr.cols, photo_bgr.rows, camera.width_px, camera.height_px));
  }
  HeadView view;
  view.camera = camera;
  view.supersample = 1;
  view.gbuffer = rasterize(head.mesh, camera, /*with_normals=*/false);  // depth is all dots need
  view.before = photo_bgr;
  return view;
}

cv::Mat read_mask(const std::string& path, cv::Size photo_size) {
  const Photo m = read_photo(path);
  if (m.width_px() != photo_size.width || m.height_px() != photo_size.height) {
    throw std::invalid_argument(
        fmt::format("mask: \"{}\" is {} x {} px; it must be the photo's size, {} x {} px", path,
                    m.width_px(), m.height_px(), photo_size.width, photo_size.height));
  }
  cv::Mat gray, out;
  cv::cvtColor(m.bgr, gray, cv::COLOR_BGR2GRAY);
  cv::threshold(gray, out, 0, 255, cv::THRESH_BINARY);
  return out;
}

std::optional<SkinEstimate> estimate_skin_type(const PlanResult& result, const HeadView& view,
                                               const cv::Mat& mask) {
  constexpr int kMinSamples = 50;
  // Every dot of the plan (all sessions) as a sampling position.
  TimeState all;
  all.kind = TimeState::Kind::kFresh;
  const std::vector<ScreenDot> dots = visible_dots(result, view, all);
  std::array<std::vector<double>, 3> channels;  // linear R, G, B
  for (const ScreenDot& d : dots) {
    const int x = static_cast<int>(std::lround(d.x_px)), y = static_cast<int>(std::lround(d.y_px));
    if (x < 0 || y < 0 || x >= view.before.cols || y >= view.before.rows) continue;
    if (!mask.empty() && mask.at<std::uint8_t>(y, x) == 0) continue;
    const cv::Vec3b bgr = view.before.at<cv::Vec3b>(y, x);
    for (int k = 0; k < 3; ++k) channels[k].push_back(optics::srgb_decode(bgr[2 - k] / 255.0));
  }
  const int n = static_cast<int>(channels[0].size());
  if (n < kMinSamples) return std::nullopt;
  SkinEstimate est;
  est.samples = n;
  for (int k = 0; k < 3; ++k) {
    auto& c = channels[k];
    std::nth_element(c.begin(), c.begin() + n / 2, c.end());
    est.sampled_linear[k] = c[n / 2];
  }
  const double y_sample = optics::xyz_from_linear(est.sampled_linear).y();
  if (!(y_sample > 1e-4)) return std::nullopt;
  const optics::Lab sample_lab = optics::lab_from_linear(est.sampled_linear);
  double best = std::numeric_limits<double>::infinity();
  for (int type = 1; type <= 6; ++type) {
    const optics::Rgb albedo =
        optics::skin_reflectance(optics::skin_for_fitzpatrick(type, result.plan.skin.epidermis_mm));
    const double y_type = optics::xyz_from_linear(albedo).y();
    const double de =
        optics::ciede2000(sample_lab, optics::lab_from_linear(albedo * (y_sample / y_type)));
    if (de < best) {
      best = de;
      est.fitzpatrick = type;
      est.delta_e00 = de;
    }
  }
  return est;
}

cv::Mat render_photo_state(const PlanResult& result, const HeadView& view, const TimeState& state,
                           const cv::Mat& mask, CompositeStats* stats) {
  const std::vector<ScreenDot> dots = visible_dots(result, view, state);
  cv::Mat out;
  const CompositeStats st = composite_dots(view.before, dots, out, mask);
  if (stats) *stats = st;
  return out;
}

}  // namespace stipple
