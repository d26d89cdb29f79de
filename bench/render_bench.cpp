// The rendering benchmark (docs/benchmarks.md, "Rendering"): composite_dots laying 50,000 healed
// dots on a 2048 x 2048 view and on a 6000 x 4000 (24 MP) frame, beside the floor (one copy of
// the same bytes). The OpenCV pipeline a user would write runs on the same inputs in
// bench/opencv_peer.py, from what `stipple_bench --export-render DIR` writes.
//
// Timed runs (real time: the composite runs on every core TBB has, two here):
//   RenderComposite/w/h   composite_dots(base, dots, out), out preallocated
//   RenderCopyFloor/w/h   std::memcpy of the base into a preallocated image of the same size
// The inputs are built once per size, before the timed loop, from a fixed seed.
#include "render_bench.h"

#include <benchmark/benchmark.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <numbers>
#include <stdexcept>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "stipple/aging/aging.h"
#include "stipple/optics/skin.h"
#include "stipple/render/dot_look.h"
#include "stipple/render/splat.h"
#include "stipple/sampling/rng.h"

namespace stipple_bench {
namespace {

using stipple::DotFootprint;
using stipple::Rng;
using stipple::ScreenDot;

constexpr int kDots = 50'000;
constexpr double kSpacingMm = 1.0;       // hex lattice pitch, the issue's ~1 mm
constexpr double kJitterMm = 0.18;       // uniform +- per axis: blue-noise-like, min gap ~0.6 mm
constexpr double kCoverFraction = 0.45;  // of the frame covered by the dots' ellipse
constexpr double kHeadScale = 1.12;      // the skin ellipse of the base, over the dots' ellipse
constexpr std::uint64_t kSeed = 0x5713'7e5e'ed00'0001ULL;

// Healed dots as the optics give them (docs/optics.md): the plan format's default dot (0.35 mm
// wide, 0.4 mm deep, 6:1, type III skin) aged to the healed state, +- 15 % radius per dot.
DotFootprint healed_footprint() {
  stipple::Dot dot;
  dot.depth_mm = 0.4;
  dot.diameter_mm = 0.35;
  const stipple::AgingSpec aging;
  const stipple::optics::SkinLayers skin = stipple::optics::skin_for_fitzpatrick(3);
  stipple::OpticsMemo memo;
  return stipple::dot_footprint(
      skin, 6, stipple::age_dot(dot, aging.healed_days, aging, skin.epidermis_mm), memo);
}

struct RenderInput {
  int w = 0, h = 0;
  double px_per_mm = 0;
  double cx = 0, cy = 0, a_px = 0, b_px = 0;  // the dots' ellipse (semi-axes)
  cv::Mat base;                               // CV_8UC3, B, G, R
  std::vector<ScreenDot> dots;
};

// A uniform number in [-1, 1).
double sym(Rng& rng) {
  return 2 * rng.uniform() - 1;
}

double srgb_decode(double c) {
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}
double srgb_encode(double l) {
  return l <= 0.0031308 ? 12.92 * l : 1.055 * std::pow(l, 1 / 2.4) - 0.055;
}

// A head-like shaded ellipse (an ellipsoid lit from the upper left, in linear light) on a grey
// background with a faint vertical gradient, anti-aliased at the rim: smooth, like a photo's
// skin, so the composite's cost is not flattered by flat regions.
cv::Mat make_base(const RenderInput& in) {
  const double ah = kHeadScale * in.a_px, bh = kHeadScale * in.b_px;
  const std::array<double, 3> skin = {srgb_decode(228 / 255.0), srgb_decode(178 / 255.0),
                                      srgb_decode(150 / 255.0)};  // R, G, B
  const double ln = std::sqrt(0.3 * 0.3 + 0.4 * 0.4 + 0.87 * 0.87);
  const double lx = -0.3 / ln, ly = -0.4 / ln, lz = 0.87 / ln;
  // Linear -> code through a fine table: 24 M pixels of std::pow would dominate the setup.
  constexpr int kLut = 1 << 14;
  std::vector<std::uint8_t> encode(kLut + 1);
  for (int i = 0; i <= kLut; ++i) {
    encode[static_cast<std::size_t>(i)] =
        static_cast<std::uint8_t>(std::lround(255 * srgb_encode(static_cast<double>(i) / kLut)));
  }
  auto code = [&](double l) {
    return encode[static_cast<std::size_t>(std::lround(std::clamp(l, 0.0, 1.0) * kLut))];
  };
  cv::Mat base(in.h, in.w, CV_8UC3);
  tbb::parallel_for(0, in.h, [&](int y) {
    auto* row = base.ptr<std::uint8_t>(y);
    const double grey = srgb_decode((112 + 24.0 * y / in.h) / 255.0);
    for (int x = 0; x < in.w; ++x) {
      const double nx = (x - in.cx) / ah, ny = (y - in.cy) / bh;
      const double rho = std::sqrt(nx * nx + ny * ny);
      // Distance to the rim in pixels (roughly), for a one-pixel anti-aliased edge.
      const double alpha = std::clamp((1 - rho) * std::min(ah, bh) + 0.5, 0.0, 1.0);
      const double nz = std::sqrt(std::max(0.0, 1 - rho * rho));
      const double shade = 0.25 + 0.75 * std::max(0.0, nx * lx + ny * ly + nz * lz);
      for (int k = 0; k < 3; ++k) {  // k: R, G, B; OpenCV's byte order is B, G, R
        row[3 * x + 2 - k] = code(alpha * skin[static_cast<std::size_t>(k)] * shade +
                                  (1 - alpha) * grey * (k == 2 ? 1.03 : 1.0));
      }
    }
  });
  return base;
}

// 50,000 dots on a jittered hex lattice filling an ellipse of 45 % of the frame at 1 mm pitch:
// the pixel scale is whatever makes 50,000 hex cells fill it. Candidates are laid over a slightly
// larger ellipse and the 50,000 nearest the centre (in the ellipse's own metric) are kept, so
// the count is exact and the edge is the ellipse.
std::vector<ScreenDot> make_dots(const RenderInput& in) {
  Rng rng(kSeed ^ (static_cast<std::uint64_t>(in.w) << 32) ^ static_cast<std::uint64_t>(in.h));
  const double a_mm = in.a_px / in.px_per_mm, b_mm = in.b_px / in.px_per_mm;
  const double row_mm = kSpacingMm * std::numbers::sqrt3 / 2;
  struct Candidate {
    double q, x_mm, y_mm;  // q: (x/a)^2 + (y/b)^2 of the lattice site
  };
  std::vector<Candidate> cand;
  const int nj = static_cast<int>(std::ceil(1.1 * b_mm / row_mm));
  const int ni = static_cast<int>(std::ceil(1.1 * a_mm / kSpacingMm)) + 1;
  for (int j = -nj; j <= nj; ++j) {
    for (int i = -ni; i <= ni; ++i) {
      const double sx = (i + (j & 1 ? 0.5 : 0.0)) * kSpacingMm, sy = j * row_mm;
      // Jitter drawn for every site, kept or not, so the stream does not depend on the cut.
      const double jx = kJitterMm * sym(rng), jy = kJitterMm * sym(rng);
      const double q = (sx / a_mm) * (sx / a_mm) + (sy / b_mm) * (sy / b_mm);
      if (q < 1.21) cand.push_back({q, sx + jx, sy + jy});
    }
  }
  if (cand.size() < static_cast<std::size_t>(kDots)) {
    throw std::logic_error("render bench: too few lattice sites for the dots");
  }
  std::stable_sort(cand.begin(), cand.end(),
                   [](const Candidate& l, const Candidate& r) { return l.q < r.q; });
  cand.resize(kDots);

  std::vector<ScreenDot> dots;
  dots.reserve(kDots);
  const double s = in.px_per_mm;
  const DotFootprint healed = healed_footprint();
  for (const Candidate& c : cand) {
    DotFootprint fp;
    fp.radius_mm = static_cast<float>(healed.radius_mm * (1 + 0.15 * sym(rng)));
    const double depth = 1 + 0.1 * sym(rng);  // deeper dots blur more in every channel
    for (std::size_t k = 0; k < 3; ++k) {
      fp.sigma_mm[k] = static_cast<float>(healed.sigma_mm[k] * depth * (1 + 0.03 * sym(rng)));
      fp.darkening[k] =
          static_cast<float>(std::clamp(healed.darkening[k] + 0.04 * sym(rng), 0.0, 1.0));
    }
    // Foreshortening as on a dome seen from the front: the radial direction shrinks towards
    // the rim, mildly (to 0.71 at the edge), with a few per cent of per-dot wobble.
    const double rho2 =
        std::min(1.0, (c.x_mm / a_mm) * (c.x_mm / a_mm) + (c.y_mm / b_mm) * (c.y_mm / b_mm));
    const double f = std::sqrt(1 - 0.5 * rho2) * (1 + 0.03 * sym(rng));
    const double phi = std::atan2(c.y_mm, c.x_mm);
    const double nx = std::cos(phi), ny = std::sin(phi);
    // J = s (I - (1 - f) n n^T): pixels per mm, squeezed by f along n.
    const float J[4] = {static_cast<float>(s * (1 - (1 - f) * nx * nx)),
                        static_cast<float>(-s * (1 - f) * nx * ny),
                        static_cast<float>(-s * (1 - f) * nx * ny),
                        static_cast<float>(s * (1 - (1 - f) * ny * ny))};
    ScreenDot d;
    if (!stipple::make_screen_dot(static_cast<float>(in.cx + s * c.x_mm),
                                  static_cast<float>(in.cy + s * c.y_mm), J, fp, d)) {
      throw std::logic_error("render bench: a degenerate dot");
    }
    dots.push_back(d);
  }
  return dots;
}

RenderInput make_input(int w, int h) {
  RenderInput in;
  in.w = w;
  in.h = h;
  in.cx = (w - 1) / 2.0;
  in.cy = (h - 1) / 2.0;
  // A head is taller than wide in a square view; in the landscape frame the height binds.
  in.b_px = 0.85 * h / 2;
  in.a_px = kCoverFraction * w * h / (std::numbers::pi * in.b_px);
  const double area_mm2 = kDots * kSpacingMm * kSpacingMm * std::numbers::sqrt3 / 2;
  in.px_per_mm = std::sqrt(std::numbers::pi * in.a_px * in.b_px / area_mm2);
  in.base = make_base(in);
  in.dots = make_dots(in);
  return in;
}

// Built on first use and kept: the 24 MP base takes a moment to shade.
const RenderInput& render_input(int w, int h) {
  static std::map<std::pair<int, int>, std::unique_ptr<RenderInput>> cache;
  auto& slot = cache[{w, h}];
  if (!slot) slot = std::make_unique<RenderInput>(make_input(w, h));
  return *slot;
}

constexpr std::array<std::pair<int, int>, 2> kSizes = {{{2048, 2048}, {6000, 4000}}};

void report(benchmark::State& state, const RenderInput& in) {
  const auto px = static_cast<std::int64_t>(in.w) * in.h;
  state.SetBytesProcessed(state.iterations() * px * 3);
  state.counters["pixels"] = static_cast<double>(px);
  state.counters["dots"] = static_cast<double>(in.dots.size());
  state.counters["tbb_threads"] = static_cast<double>(
      tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

void BM_RenderComposite(benchmark::State& state) {
  const RenderInput& in =
      render_input(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  cv::Mat out(in.base.size(), CV_8UC3);
  // One untimed call first: builds composite_dots' tables (once per process) and faults in
  // the output's pages, neither of which a repeated render pays.
  stipple::CompositeStats stats = stipple::composite_dots(in.base, in.dots, out);
  for (auto _ : state) {
    stats = stipple::composite_dots(in.base, in.dots, out);
    benchmark::DoNotOptimize(out.data);
    benchmark::ClobberMemory();
  }
  report(state, in);
  state.counters["dots_drawn"] = stats.dots_drawn;
  state.counters["tiles_touched"] = stats.tiles_touched;
}

void BM_RenderCopyFloor(benchmark::State& state) {
  const RenderInput& in =
      render_input(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  cv::Mat out(in.base.size(), CV_8UC3);
  const std::size_t bytes = in.base.total() * in.base.elemSize();
  std::memcpy(out.data, in.base.data, bytes);  // fault the pages in, as above
  for (auto _ : state) {
    std::memcpy(out.data, in.base.data, bytes);
    benchmark::DoNotOptimize(out.data);
    benchmark::ClobberMemory();
  }
  report(state, in);
}

void size_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"w", "h"});
  for (const auto& [w, h] : kSizes) b->Args({w, h});
}

BENCHMARK(BM_RenderComposite)->Apply(size_args)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RenderCopyFloor)->Apply(size_args)->Unit(benchmark::kMillisecond)->UseRealTime();

void write_dots_csv(const std::filesystem::path& path, const RenderInput& in) {
  std::ofstream f(path);
  f << "x_px,y_px,radius_px,sigma_px_r,sigma_px_g,sigma_px_b,dark_r,dark_g,dark_b\n";
  const double s = in.px_per_mm;
  for (const ScreenDot& d : in.dots) {
    const DotFootprint& fp = d.footprint;
    f << fmt::format("{:.3f},{:.3f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f}\n", d.x_px,
                     d.y_px, fp.radius_mm * s, fp.sigma_mm[0] * s, fp.sigma_mm[1] * s,
                     fp.sigma_mm[2] * s, fp.darkening[0], fp.darkening[1], fp.darkening[2]);
  }
  if (!f) throw std::runtime_error("render bench: cannot write " + path.string());
}

void write_png(const std::filesystem::path& path, const cv::Mat& img) {
  if (!cv::imwrite(path.string(), img)) {
    throw std::runtime_error("render bench: cannot write " + path.string());
  }
}

}  // namespace

int export_render_inputs(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  nlohmann::json sizes = nlohmann::json::array();
  for (const auto& [w, h] : kSizes) {
    const RenderInput& in = render_input(w, h);
    const std::string tag = fmt::format("{}x{}", w, h);
    write_png(dir / ("base_" + tag + ".png"), in.base);
    write_dots_csv(dir / ("dots_" + tag + ".csv"), in);
    cv::Mat ours;
    const stipple::CompositeStats st = stipple::composite_dots(in.base, in.dots, ours);
    write_png(dir / ("ours_" + tag + ".png"), ours);
    sizes.push_back({{"tag", tag},
                     {"w", w},
                     {"h", h},
                     {"dots", in.dots.size()},
                     {"dots_drawn", st.dots_drawn},
                     {"tiles", st.tiles},
                     {"tiles_touched", st.tiles_touched},
                     {"px_per_mm", in.px_per_mm},
                     {"ellipse_semi_axes_px", {in.a_px, in.b_px}},
                     {"cover_fraction", kCoverFraction}});
    std::cout << "exported " << tag << ": base, " << in.dots.size() << " dots at " << in.px_per_mm
              << " px/mm, our composite\n";
  }
  const DotFootprint healed = healed_footprint();
  const nlohmann::json j = {{"spacing_mm", kSpacingMm},
                            {"jitter_mm", kJitterMm},
                            {"radius_mm", healed.radius_mm},
                            {"radius_spread", 0.15},
                            {"sigma_mm_rgb", healed.sigma_mm},
                            {"darkening_rgb", healed.darkening},
                            {"seed", kSeed},
                            {"sizes", sizes}};
  std::ofstream f(dir / "render.json");
  f << j.dump(1) << '\n';
  if (!f) throw std::runtime_error("render bench: cannot write render.json");
  return 0;
}

}  // namespace stipple_bench
