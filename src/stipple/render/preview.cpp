#include "stipple/render/preview.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <tbb/parallel_for.h>
#include <opencv2/imgproc.hpp>

#include "stipple/optics/colour.h"
#include "stipple/optics/skin.h"
#include "stipple/render/dot_look.h"

namespace stipple {
namespace {

// Supersampling is 2 x 2 up to this many output pixels; the geometry buffer costs 16 bytes a
// sample, so a 24 MP frame at 2 x 2 would need 1.5 GB.
constexpr std::int64_t kSupersampleMaxPixels = 8'000'000;
// A dot is hidden when the surface in front of it at its pixel is nearer than it by more than
// this (mm): the buffer's depth is the mesh's, interpolated, while the dot sits on the smooth
// surface, and grazing views make a pixel span a few millimetres of depth.
constexpr double kDepthToleranceMm = 1.5;

// The studio, in the camera frame (x right, y down, z forward; a direction *toward* a light).
// Key: high, front-left; fill: lower right, weaker; sky: soft light from above everywhere.
// Chosen by eye for an even, flattering portrait light (like a softbox key with a reflector),
// not a physical measurement.
struct Light {
  Eigen::Vector3d to_light;
  double intensity;
};
const Light kKey{Eigen::Vector3d(-0.55, -0.65, -0.52).normalized(), 0.80};
const Light kFill{Eigen::Vector3d(0.70, -0.10, -0.71).normalized(), 0.30};
constexpr double kSkyTop = 0.28;     // ambient from the upper hemisphere
constexpr double kSkyBottom = 0.10;  // and what the floor bounces up
// Skin is translucent: light wraps past the terminator (a "wrap lighting" approximation of
// subsurface scattering; Green 2004, GPU Gems ch. 16).
constexpr double kWrap = 0.35;
// A faint sheen: the scalp is slightly oily (Blinn-Phong).
constexpr double kSheen = 0.04;
constexpr double kSheenExponent = 24;
// The backdrop, linear grey, darker toward the bottom.
constexpr double kBackdropTop = 0.060, kBackdropBottom = 0.025;

double wrap_diffuse(double n_dot_l) {
  return std::max(0.0, (n_dot_l + kWrap) / (1 + kWrap));
}

}  // namespace

HeadView render_head(const PlanResult& result, const Camera& camera) {
  HeadView view;
  view.camera = camera;
  const std::int64_t pixels = static_cast<std::int64_t>(camera.width_px) * camera.height_px;
  view.supersample = pixels <= kSupersampleMaxPixels ? 2 : 1;
  const Camera big = resized_camera(camera, camera.width_px * view.supersample,
                                    camera.height_px * view.supersample);
  view.gbuffer = rasterize(result.head.mesh, big);

  const optics::SkinLayers skin =
      optics::skin_for_fitzpatrick(result.plan.skin.fitzpatrick, result.plan.skin.epidermis_mm);
  const optics::Rgb albedo = optics::skin_reflectance(skin);
  // Lights and the view direction in the head frame (normals are in the head frame).
  const Eigen::Matrix3d to_head = camera.R.transpose();
  const Eigen::Vector3d key = to_head * kKey.to_light, fill = to_head * kFill.to_light;
  const Eigen::Vector3d up = to_head * Eigen::Vector3d(0, -1, 0);

  const int W = big.width_px, H = big.height_px, s = view.supersample;
  const int w = camera.width_px, h = camera.height_px;
  view.before.create(h, w, CV_8UC3);
  tbb::parallel_for(0, h, [&](int y) {
    std::uint8_t* out = view.before.ptr<std::uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      Eigen::Vector3d sum = Eigen::Vector3d::Zero();
      for (int sy = 0; sy < s; ++sy) {
        for (int sx = 0; sx < s; ++sx) {
          const int X = x * s + sx, Y = y * s + sy;
          const std::size_t k = static_cast<std::size_t>(Y) * W + X;
          if (!(view.gbuffer.depth_mm[k] < std::numeric_limits<float>::infinity())) {
            const double t = static_cast<double>(Y) / std::max(1, H - 1);
            sum += Eigen::Vector3d::Constant(kBackdropTop + (kBackdropBottom - kBackdropTop) * t);
            continue;
          }
          const Eigen::Vector3d n = view.gbuffer.normal[k].cast<double>();
          // The direction to the eye, from the pixel's ray (camera frame -> head frame).
          const Eigen::Vector3d ray_cam((X - big.cx_px) / big.fx_px, (Y - big.cy_px) / big.fy_px,
                                        1.0);
          const Eigen::Vector3d to_eye = -(to_head * ray_cam).normalized();
          const double sky = kSkyBottom + (kSkyTop - kSkyBottom) * 0.5 * (1 + n.dot(up));
          const double diffuse = sky + kKey.intensity * wrap_diffuse(n.dot(key)) +
                                 kFill.intensity * wrap_diffuse(n.dot(fill));
          const Eigen::Vector3d half = (key + to_eye).normalized();
          const double sheen =
              kSheen * kKey.intensity * std::pow(std::max(0.0, n.dot(half)), kSheenExponent);
          sum += albedo * diffuse + Eigen::Vector3d::Constant(sheen);
        }
      }
      sum /= static_cast<double>(s * s);
      // B, G, R bytes.
      out[3 * x + 0] = static_cast<std::uint8_t>(std::lround(255 * optics::srgb_encode(sum[2])));
      out[3 * x + 1] = static_cast<std::uint8_t>(std::lround(255 * optics::srgb_encode(sum[1])));
      out[3 * x + 2] = static_cast<std::uint8_t>(std::lround(255 * optics::srgb_encode(sum[0])));
    }
  });
  return view;
}

std::vector<ScreenDot> visible_dots(const PlanResult& result, const HeadView& view,
                                    const TimeState& state) {
  const Plan& plan = result.plan;
  const int session_count = static_cast<int>(plan.sessions.sessions.size());
  const int done = sessions_done(state, session_count);
  std::vector<ScreenDot> out;
  if (done == 0) return out;
  const double day = state_day(state, plan.sessions, plan.aging);
  const optics::SkinLayers skin =
      optics::skin_for_fitzpatrick(plan.skin.fitzpatrick, plan.skin.epidermis_mm);
  const Camera& cam = view.camera;
  const Vec3 eye = cam.position_mm();
  const GBuffer& g = view.gbuffer;
  const int s = view.supersample;
  OpticsMemo memo;
  out.reserve(result.dots.size() / 2);
  for (const Dot& dot : result.dots) {
    if (dot.session > done) continue;
    if (dot.normal.dot(eye - dot.position_mm) <= 0) continue;  // faces away
    const auto p = project(cam, dot.position_mm);
    if (!p) continue;
    // Depth test at the dot's pixel in the supersampled buffer.
    const long X = std::lround(((*p)[0] + 0.5) * s - 0.5),
               Y = std::lround(((*p)[1] + 0.5) * s - 0.5);
    if (X < 0 || Y < 0 || X >= g.width_px || Y >= g.height_px) continue;
    const float surface = g.depth_mm[static_cast<std::size_t>(Y) * g.width_px + X];
    if (!(surface < std::numeric_limits<float>::infinity()) ||
        (*p)[2] > surface + kDepthToleranceMm) {
      continue;
    }
    const DotAge age = age_dot(dot, day - session_day(dot.session, plan.sessions), plan.aging,
                               plan.skin.epidermis_mm);
    const DotFootprint fp = dot_footprint(skin, dot.dilution_water_parts, age, memo);
    // The tangent plane: any orthonormal pair perpendicular to the normal (the footprint is
    // round in it).
    const Vec3 n = dot.normal.normalized();
    const Vec3 t1 = n.unitOrthogonal(), t2 = n.cross(t1);
    const Eigen::Matrix2d J = tangent_jacobian(cam, dot.position_mm, t1, t2);
    const float Jf[4] = {static_cast<float>(J(0, 0)), static_cast<float>(J(0, 1)),
                         static_cast<float>(J(1, 0)), static_cast<float>(J(1, 1))};
    ScreenDot sd;
    if (make_screen_dot(static_cast<float>((*p)[0]), static_cast<float>((*p)[1]), Jf, fp, sd)) {
      out.push_back(sd);
    }
  }
  return out;
}

cv::Mat render_state(const PlanResult& result, const HeadView& view, const TimeState& state,
                     CompositeStats* stats) {
  const std::vector<ScreenDot> dots = visible_dots(result, view, state);
  cv::Mat out;
  const CompositeStats st = composite_dots(view.before, dots, out);
  if (stats) *stats = st;
  return out;
}

cv::Mat labelled_row(const std::vector<cv::Mat>& panels, const std::vector<std::string>& labels) {
  if (panels.empty() || panels.size() != labels.size()) {
    throw std::invalid_argument("labelled_row: needs one label per panel and at least one panel");
  }
  const int h = panels[0].rows;
  for (const auto& p : panels) {
    if (p.type() != CV_8UC3 || p.rows != h) {
      throw std::invalid_argument("labelled_row: panels must be 8-bit BGR of the same height");
    }
  }
  // Text scaled with the picture: a label bar of ~6 % of the height, at least 24 px.
  const int bar = std::max(24, h / 16);
  const double scale = bar / 40.0;
  const int thickness = std::max(1, static_cast<int>(std::lround(bar / 22.0)));
  const int gutter = std::max(2, h / 200);
  int width = 0;
  for (const auto& p : panels) width += p.cols;
  width += gutter * static_cast<int>(panels.size() - 1);
  cv::Mat out(h + bar, width, CV_8UC3, cv::Scalar(30, 30, 30));
  int x = 0;
  for (std::size_t i = 0; i < panels.size(); ++i) {
    panels[i].copyTo(out(cv::Rect(x, bar, panels[i].cols, h)));
    int baseline = 0;
    const cv::Size size =
        cv::getTextSize(labels[i], cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
    const cv::Point at(x + std::max(0, (panels[i].cols - size.width) / 2), (bar + size.height) / 2);
    cv::putText(out, labels[i], at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(235, 235, 235),
                thickness, cv::LINE_AA);
    x += panels[i].cols + gutter;
  }
  return out;
}

}  // namespace stipple
