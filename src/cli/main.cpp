// The `stipple` command. Thin on purpose: it parses arguments, calls the library and reports.
// Everything it writes is produced by library functions the tests and the web studio call too.
//
// Exit codes: 0 success; 2 bad input (a usage error, a plan that does not load or validate, a
// file that cannot be read or written); 1 anything else (a bug or the machine running out of
// memory). Errors are one line on stderr, "stipple: error: <message>"; never an uncaught
// exception.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "stipple/aging/aging.h"
#include "stipple/aging/session_match.h"
#include "stipple/aging/touchup.h"
#include "stipple/output/chart_svg.h"
#include "stipple/output/dots_csv.h"
#include "stipple/output/plan_result.h"
#include "stipple/output/summary_json.h"
#include "stipple/output/write_file.h"
#include "stipple/photo/landmarks.h"
#include "stipple/photo/overlay.h"
#include "stipple/photo/photo_io.h"
#include "stipple/photo/registration.h"
#include "stipple/photo/silhouette.h"
#include "stipple/plan/plan_json.h"
#include "stipple/planner.h"
#include "stipple/render/camera.h"
#include "stipple/render/image_io.h"
#include "stipple/render/preview.h"
#include "stipple/render/swatches.h"

#ifndef STIPPLE_VERSION
#define STIPPLE_VERSION "unknown"
#endif

// LeakSanitizer (make test-sanitize) reports fontconfig's font cache, which cairo's text drawing
// fills once per process, as leaked: fontconfig keeps its patterns behind encoded offsets that a
// leak checker cannot follow. Suppress exactly that library; a leak anywhere else still fails.
// The sanitizer runtime calls this hook when present; in other builds it is an unused symbol.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}
// Without this the runtime lists the suppressions it used on stderr at exit, which would break
// the promise that a successful run writes nothing to stderr.
extern "C" const char* __lsan_default_options() {
  return "print_suppressions=0";
}

namespace {

using stipple::grouped;
using stipple::money;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

struct PlanOptions {
  std::string plan_path;
  std::string out_dir;
  bool quiet = false;
};

struct RenderOptions {
  std::string plan_path;
  std::string out_path;
  std::string view = "top";
  std::optional<double> yaw_deg, pitch_deg;
  std::string at = "healed";
  int size_px = 1024;
  std::optional<int> width_px, height_px;
  bool compare = false;
  std::string strip;  // "", "sessions" or "years"
  bool quiet = false;
  // On a photo (docs/photos.md).
  std::string photo_path, landmarks_path, mask_path;
  std::optional<double> focal_35mm;
  std::string skin = "plan";        // "plan" or "photo"
  bool view_options_given = false;  // --view, --yaw, --pitch, --size, --width or --height
  std::vector<int> crop;            // x, y, width, height in the picture's pixels; empty: all
  int zoom = 1;                     // 1 - 8
};

// The part of a picture --crop names, enlarged --zoom times (Lanczos). Throws
// std::invalid_argument naming --crop when the rectangle leaves the picture.
cv::Mat cropped(const cv::Mat& image, const RenderOptions& opt) {
  cv::Mat part = image;
  if (!opt.crop.empty()) {
    const cv::Rect r(opt.crop[0], opt.crop[1], opt.crop[2], opt.crop[3]);
    if (r.width < 1 || r.height < 1 || r.x < 0 || r.y < 0 || r.x + r.width > image.cols ||
        r.y + r.height > image.rows) {
      throw std::invalid_argument(
          fmt::format("--crop: {},{},{},{} is not inside the {} x {} px picture (x,y,width,height)",
                      r.x, r.y, r.width, r.height, image.cols, image.rows));
    }
    part = image(r).clone();
  }
  if (opt.zoom > 1) {
    cv::resize(part, part, cv::Size(), opt.zoom, opt.zoom, cv::INTER_LANCZOS4);
  }
  return part;
}

struct LandmarksOptions {
  std::string photo_path;
  std::string out_path;
  bool force = false;
};

struct MatchOptions {
  std::string hair = "#2b2420";
  int fitzpatrick = 3;
  std::string plan_path;
  double depth_mm = 0.4;
  double diameter_mm = 0.35;
};

struct SwatchOptions {
  std::string out_path;
  int cell_px = 96;
};

// Wall-clock seconds since `start`, for the --verbose log.
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string touch_up_line(const stipple::TouchUpPrediction& t) {
  if (!t.due_within_horizon) {
    return fmt::format("Touch-up: not needed within {:g} years (contrast {:.1f} dE00 when healed)",
                       t.horizon_years, t.contrast_healed_de00);
  }
  return fmt::format(
      "Touch-up: due about {} ({:.1f} years after the last session, when the dots' contrast "
      "falls below {:.1f} of {:.1f} dE00)",
      t.due_date, t.years_after_last_session, t.threshold_de00, t.contrast_healed_de00);
}

void print_summary(const stipple::PlanResult& r, const std::filesystem::path& csv,
                   const std::filesystem::path& json, const std::filesystem::path& svg) {
  const stipple::Plan& plan = r.plan;
  std::string out;
  auto line = [&out](const std::string& s) {
    out += s;
    out += '\n';
  };
  line(fmt::format("Plan '{}'{} ({}, seed {})", plan.name,
                   plan.client.empty() ? "" : fmt::format(" for {}", plan.client), plan.pattern,
                   plan.seed));
  double hours = 0;
  for (const auto& s : r.sessions) hours += s.hours;
  line(fmt::format("Treated area {:.1f} cm2, {} dots in {} session{}, {:.2f} h", r.treated_area_cm2,
                   grouped(static_cast<long long>(r.dots.size())), r.sessions.size(),
                   r.sessions.size() == 1 ? "" : "s", hours));

  line("");
  line(fmt::format("  {:<20} {:>9} {:>9} {:>11} {:>11}", "zone", "dots", "cm2", "target/cm2",
                   "dots/cm2"));
  for (const auto& z : r.zones) {
    line(fmt::format("  {:<20} {:>9} {:>9.1f} {:>11.1f} {:>11.1f}", z.name, grouped(z.dots),
                     z.area_cm2, z.target_density_per_cm2, z.realised_density_per_cm2));
  }

  line("");
  line(fmt::format("  {:<7} {:<10} {:>9} {:>7} {:>9}", "session", "date", "dots", "hours",
                   "dilution"));
  for (const auto& s : r.sessions) {
    std::string dilution = "?";
    try {
      dilution = stipple::format_dilution_ratio(s.dilution_water_parts);
    } catch (const std::invalid_argument&) {
      // Shown as "?"; the summary writer has already refused such a value with a clear error.
    }
    line(fmt::format("  {:<7} {:<10} {:>9} {:>7.2f} {:>9}", s.session, s.date, grouped(s.dots),
                     s.hours, dilution));
  }

  line("");
  const bool per_session = r.quote.basis != "per_cm2";
  line(fmt::format("Quote: {} {} ({} {} {})", r.quote.currency, money(r.quote.total),
                   money(r.quote.unit_price), per_session ? "per session x" : "per cm2 x",
                   per_session ? fmt::format("{}", r.sessions.size())
                               : fmt::format("{:.1f} cm2", r.treated_area_cm2)));
  if (r.touch_up) line(touch_up_line(*r.touch_up));
  line("");
  line("Wrote:");
  line("  " + csv.string());
  line("  " + json.string());
  line("  " + svg.string());
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

void run_plan_command(const PlanOptions& opt) {
  namespace fs = std::filesystem;
  auto start = std::chrono::steady_clock::now();
  const stipple::Plan plan = stipple::load_plan(opt.plan_path);
  spdlog::info("loaded plan '{}' from {} ({:.3f} s)", plan.name, opt.plan_path,
               seconds_since(start));

  // Before the planner runs, so a bad --out fails in a moment rather than after a long run.
  const fs::path dir(opt.out_dir);
  fs::create_directories(dir);
  if (!fs::is_directory(dir)) {
    throw std::runtime_error(fmt::format("--out '{}' is not a directory", opt.out_dir));
  }

  start = std::chrono::steady_clock::now();
  stipple::PlanResult result = stipple::run_plan(plan);
  result.touch_up = stipple::predict_touch_up(result.plan, result.dots);
  spdlog::info("planned {} dots in {} sessions ({:.3f} s)", result.dots.size(),
               result.sessions.size(), seconds_since(start));

  const fs::path csv = dir / "dots.csv";
  const fs::path json = dir / "summary.json";
  const fs::path svg = dir / "chart.svg";
  start = std::chrono::steady_clock::now();
  stipple::write_dots_csv(result, csv.string());
  stipple::write_summary_json(result, json.string());
  stipple::write_chart_svg(result, svg.string());
  spdlog::info("wrote {}, {}, {} ({:.3f} s)", csv.string(), json.string(), svg.string(),
               seconds_since(start));

  if (!opt.quiet) print_summary(result, csv, json, svg);
}

void render_states(const RenderOptions& opt, const stipple::Plan& plan, stipple::PlanResult& result,
                   const stipple::HeadView& view, const cv::Mat& mask,
                   const std::string& photo_lines);
void run_render_on_photo(const RenderOptions& opt);

void run_render_command(const RenderOptions& opt) {
  if (!opt.photo_path.empty()) return run_render_on_photo(opt);
  if (!opt.landmarks_path.empty() || !opt.mask_path.empty() || opt.focal_35mm ||
      opt.skin != "plan") {
    throw std::invalid_argument(
        "--landmarks, --mask, --focal-35mm and --skin apply only with --photo");
  }
  const stipple::Plan plan = stipple::load_plan(opt.plan_path);
  const int sessions = static_cast<int>(plan.sessions.sessions.size());
  // Every argument is checked before the plan runs.
  stipple::parse_time_state(opt.at, sessions);
  stipple::ViewAngles angles = stipple::named_view(opt.view);
  if (opt.yaw_deg) angles.yaw_deg = *opt.yaw_deg;
  if (opt.pitch_deg) angles.pitch_deg = *opt.pitch_deg;
  const int width = opt.width_px.value_or(opt.size_px);
  const int height = opt.height_px.value_or(opt.size_px);
  const int panels = opt.strip == "sessions" ? sessions + 1
                     : opt.strip == "years"  ? 5
                     : opt.compare           ? 2
                                             : 1;
  constexpr long long kMaxOutputPixels = 100'000'000;
  if (static_cast<long long>(width) * height * panels > kMaxOutputPixels) {
    throw std::invalid_argument(
        fmt::format("size: {} x {} px x {} panels is over the limit of {} pixels in one image",
                    width, height, panels, kMaxOutputPixels));
  }
  if (!std::filesystem::path(opt.out_path).has_filename()) {
    throw std::invalid_argument(fmt::format("--out: \"{}\" is not a file name", opt.out_path));
  }

  auto start = std::chrono::steady_clock::now();
  stipple::PlanResult result = stipple::run_plan(plan);
  spdlog::info("planned {} dots ({:.3f} s)", result.dots.size(), seconds_since(start));
  start = std::chrono::steady_clock::now();
  const stipple::Camera camera = stipple::orbit_camera(result.head, angles, width, height);
  const stipple::HeadView view = stipple::render_head(result, camera);
  spdlog::info("rendered the head ({:.3f} s)", seconds_since(start));
  render_states(opt, plan, result, view, cv::Mat(), "");
}

// The header line of a photo render: the registration's quality, the skin tone used.
std::string photo_report(const stipple::Registration& reg, double focal_35mm, bool from_exif,
                         const std::string& skin_line) {
  std::string s = fmt::format(
      "Registered {} landmarks: reprojection error {:.1f} px RMS (focal length {:g} mm "
      "equivalent{}, camera {:.0f} mm from the head)\n",
      reg.used.size(), reg.rms_px, focal_35mm, from_exif ? " from EXIF" : ", assumed",
      reg.distance_mm);
  s += skin_line;
  return s;
}

void run_render_on_photo(const RenderOptions& opt) {
  if (opt.view_options_given) {
    throw std::invalid_argument(
        "--photo: --view, --yaw, --pitch, --size, --width and --height do not apply to a photo "
        "(the landmarks give the view, the photo the size)");
  }
  if (opt.landmarks_path.empty()) {
    throw std::invalid_argument(
        "--photo needs --landmarks SIDECAR.json (write one with 'stipple landmarks PHOTO')");
  }
  const stipple::Plan plan = stipple::load_plan(opt.plan_path);
  const int sessions = static_cast<int>(plan.sessions.sessions.size());
  stipple::parse_time_state(opt.at, sessions);  // checked before the work
  if (!std::filesystem::path(opt.out_path).has_filename()) {
    throw std::invalid_argument(fmt::format("--out: \"{}\" is not a file name", opt.out_path));
  }
  auto start = std::chrono::steady_clock::now();
  const stipple::Photo photo = stipple::read_photo(opt.photo_path);
  const cv::Size size(photo.width_px(), photo.height_px());
  const stipple::PhotoLandmarks landmarks = stipple::read_landmarks(opt.landmarks_path, size);
  const cv::Mat mask = opt.mask_path.empty() ? cv::Mat() : stipple::read_mask(opt.mask_path, size);
  spdlog::info("read {} ({} x {} px) ({:.3f} s)", opt.photo_path, size.width, size.height,
               seconds_since(start));
  const bool from_exif = !opt.focal_35mm && photo.header.focal_35mm.has_value();
  const double focal_35mm =
      opt.focal_35mm.value_or(photo.header.focal_35mm.value_or(stipple::kDefaultFocal35mm));
  start = std::chrono::steady_clock::now();
  stipple::PlanResult result = stipple::run_plan(plan);
  spdlog::info("planned {} dots ({:.3f} s)", result.dots.size(), seconds_since(start));
  start = std::chrono::steady_clock::now();
  stipple::Registration reg =
      stipple::register_photo(result.head, landmarks, size,
                              stipple::focal_px_from_35mm(focal_35mm, size.width, size.height));
  std::string outline_line;
  // Top and back photos show few landmarks: the head's outline refines the pose.
  if (landmarks.view == "top" || landmarks.view == "back") {
    const stipple::SilhouetteFit fit =
        stipple::refine_with_silhouette(result.head, landmarks, photo.bgr, reg, mask);
    reg = fit.registration;
    outline_line = fmt::format(
        "Refined with the head's outline ({} view): overlap {:.3f} -> {:.3f}, landmarks now "
        "{:.1f} px RMS\n",
        landmarks.view, fit.iou_before, fit.iou_after, reg.rms_px);
  }
  const stipple::HeadView view = stipple::photo_view(result.head, reg.camera, photo.bgr);
  spdlog::info("registered and rasterised the head ({:.3f} s)", seconds_since(start));
  if (!reg.warning.empty()) spdlog::warn("{}", reg.warning);
  std::string skin_line =
      fmt::format("Skin: Fitzpatrick type {} (from the plan)\n", result.plan.skin.fitzpatrick);
  if (opt.skin == "photo") {
    const auto est = stipple::estimate_skin_type(result, view, mask);
    if (!est) {
      throw std::invalid_argument(
          "--skin photo: too little of the plan's scalp is visible in the photo to sample its "
          "tone; use --skin plan");
    }
    result.plan.skin.fitzpatrick = est->fitzpatrick;
    skin_line = fmt::format(
        "Skin: Fitzpatrick type {} (sampled from {} photo pixels, {:.1f} dE00 after matching "
        "lightness)\n",
        est->fitzpatrick, est->samples, est->delta_e00);
  }
  render_states(opt, plan, result, view, mask,
                photo_report(reg, focal_35mm, from_exif, outline_line + skin_line));
}

void render_states(const RenderOptions& opt, const stipple::Plan& plan, stipple::PlanResult& result,
                   const stipple::HeadView& view, const cv::Mat& mask,
                   const std::string& photo_lines) {
  const int sessions = static_cast<int>(plan.sessions.sessions.size());
  const stipple::TimeState at = stipple::parse_time_state(opt.at, sessions);
  std::chrono::steady_clock::time_point start;
  std::vector<stipple::TimeState> states;
  if (opt.strip == "sessions") {
    states.push_back(stipple::parse_time_state("before", sessions));
    for (int k = 1; k <= sessions; ++k) {
      states.push_back(stipple::parse_time_state(fmt::format("session{}", k), sessions));
    }
  } else if (opt.strip == "years") {
    for (const char* s : {"healed", "1y", "3y", "5y", "10y"}) {
      states.push_back(stipple::parse_time_state(s, sessions));
    }
  } else if (opt.compare) {
    states = {stipple::parse_time_state("before", sessions), at};
  } else {
    states = {at};
  }
  std::vector<cv::Mat> images;
  std::vector<std::string> labels;
  int drawn = 0;
  for (const auto& state : states) {
    start = std::chrono::steady_clock::now();
    stipple::CompositeStats stats;
    images.push_back(cropped(stipple::render_photo_state(result, view, state, mask, &stats), opt));
    drawn = std::max(drawn, stats.dots_drawn);
    std::string label = stipple::time_state_label(state, plan.aging);
    if (opt.strip == "years" && state.kind == stipple::TimeState::Kind::kHealed) {
      label = "0 years (healed)";
    }
    labels.push_back(label);
    spdlog::info("{}: {} dots drawn ({:.3f} s)", label, stats.dots_drawn, seconds_since(start));
  }
  const cv::Mat out = images.size() == 1 ? images[0] : stipple::labelled_row(images, labels);
  stipple::write_image(out, opt.out_path);
  if (!opt.quiet) {
    result.touch_up = stipple::predict_touch_up(result.plan, result.dots);
    std::printf("%s", fmt::format("{}Rendered '{}' ({} dots, {} visible from this view) at "
                                  "{}\n{}\nWrote {} ({} x {} px)\n",
                                  photo_lines, plan.name,
                                  grouped(static_cast<long long>(result.dots.size())),
                                  grouped(drawn), opt.strip.empty() ? opt.at : opt.strip,
                                  touch_up_line(*result.touch_up), opt.out_path, out.cols, out.rows)
                          .c_str());
  }
}

void run_landmarks_command(const LandmarksOptions& opt) {
  namespace fs = std::filesystem;
  const stipple::Photo photo = stipple::read_photo(opt.photo_path);
  std::string out = opt.out_path;
  if (out.empty()) out = fs::path(opt.photo_path).replace_extension(".json").string();
  if (fs::exists(out) && !opt.force) {
    throw std::invalid_argument(fmt::format(
        "--out: \"{}\" exists (it may hold adjusted points); give --force to replace it", out));
  }
  stipple::LandmarkSuggestion s = stipple::suggest_landmarks(photo.bgr);
  s.landmarks.image = fs::path(opt.photo_path).filename().string();
  const std::string text = stipple::landmarks_json(s.landmarks);
  stipple::write_file_atomically(out, [&](std::ostream& os) { os << text; });
  std::printf("%s", fmt::format("Face at x {} y {}, {} x {} px; eyes: {}\n{} landmarks suggested "
                                "for the user to adjust\nWrote {}\n",
                                s.face.x, s.face.y, s.face.width, s.face.height,
                                s.left_eye && s.right_eye ? "both found"
                                : s.left_eye || s.right_eye
                                    ? "one found, the other from the face's proportions"
                                    : "not found, placed from the face's proportions",
                                s.landmarks.points_px.size(), out)
                        .c_str());
}

void run_match_command(const MatchOptions& opt) {
  stipple::SkinSpec skin;
  stipple::SessionsSpec sessions;
  stipple::AgingSpec aging;
  if (!opt.plan_path.empty()) {
    const stipple::Plan plan = stipple::load_plan(opt.plan_path);
    skin = plan.skin;
    sessions = plan.sessions;
    aging = plan.aging;
  }
  skin.hair_colour = opt.hair;
  if (opt.fitzpatrick < 1 || opt.fitzpatrick > 6) {
    throw std::invalid_argument(
        fmt::format("--fitzpatrick: {} is out of range 1 - 6", opt.fitzpatrick));
  }
  skin.fitzpatrick = opt.fitzpatrick;
  const auto matches =
      stipple::match_sessions(skin, sessions, aging, opt.depth_mm, opt.diameter_mm);
  std::string out = fmt::format(
      "Hair {} on Fitzpatrick type {}; dots {:g} mm deep, {:g} mm wide, judged healed ({} days "
      "after the last session)\n\n",
      opt.hair, opt.fitzpatrick, opt.depth_mm, opt.diameter_mm, aging.healed_days);
  out += fmt::format("  {:<7} {:>8} {:>9} {:>9} {:>9} {:>7}\n", "session", "age (d)", "left",
                     "dilution", "looks", "dE00");
  for (const auto& m : matches) {
    out += fmt::format("  {:<7} {:>8.0f} {:>8.0f}% {:>9} {:>9} {:>7.1f}\n", m.session, m.age_days,
                       100 * m.load_factor, stipple::format_dilution_ratio(m.dilution_water_parts),
                       m.apparent_hex, m.delta_e00);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void run_swatches_command(const SwatchOptions& opt) {
  stipple::SwatchGridSpec spec;
  spec.cell_px = opt.cell_px;
  stipple::write_image(stipple::render_swatch_grid(spec), opt.out_path);
  std::printf("Wrote %s\n", opt.out_path.c_str());
}

int report(const char* message, int code) {
  std::fprintf(stderr, "stipple: error: %s\n", message);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Stipple: plans scalp micropigmentation (SMP) dot by dot.", "stipple"};
  app.set_version_flag("--version", std::string("stipple ") + STIPPLE_VERSION);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log progress and timings to stderr");
  app.require_subcommand(1);
  app.fallthrough();  // so `stipple plan x.json --out d -v` works as well as `stipple -v plan ...`
  app.footer("Run 'stipple <command> --help' for a command's options.");

  PlanOptions plan_opt;
  CLI::App* plan_cmd = app.add_subcommand(
      "plan", "Plan a treatment: place every dot, write dots.csv, summary.json and chart.svg");
  plan_cmd->add_option("PLAN", plan_opt.plan_path, "The plan (JSON, {\"stipple_plan\": 1, ...})")
      ->required()
      ->check(CLI::ExistingFile);
  plan_cmd->add_option("-o,--out", plan_opt.out_dir, "Folder for the outputs (created if missing)")
      ->required();
  plan_cmd->add_flag("-q,--quiet", plan_opt.quiet, "Print nothing on success");

  RenderOptions render_opt;
  CLI::App* render_cmd = app.add_subcommand(
      "render", "Preview a plan on the 3D head: any view, any moment, before/after, strips");
  render_cmd->add_option("PLAN", render_opt.plan_path, "The plan (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  render_cmd->add_option("-o,--out", render_opt.out_path, "The picture: .png or .jpg")->required();
  render_cmd->add_option("--view", render_opt.view, "front, top, left, right or back")
      ->capture_default_str();
  render_cmd->add_option(
      "--yaw", render_opt.yaw_deg,
      "Degrees around the head: 0 the face, 90 the subject's right, 180 the back");
  render_cmd->add_option("--pitch", render_opt.pitch_deg,
                         "Degrees up: 90 looks down on the vertex");
  render_cmd
      ->add_option(
          "--at", render_opt.at,
          "before, session1.., fresh, healed, or years after the last session: 1y, 3y, 10y")
      ->capture_default_str();
  render_cmd->add_option("--size", render_opt.size_px, "Width and height in pixels")
      ->capture_default_str();
  render_cmd->add_option("--width", render_opt.width_px, "Width in pixels (overrides --size)");
  render_cmd->add_option("--height", render_opt.height_px, "Height in pixels (overrides --size)");
  render_cmd->add_flag("--compare", render_opt.compare, "Before and --at side by side");
  render_cmd
      ->add_option("--strip", render_opt.strip,
                   "One picture, a panel each: sessions (before, after each session) or "
                   "years (0, 1, 3, 5, 10)")
      ->check(CLI::IsMember({"sessions", "years"}));
  render_cmd
      ->add_option("--crop", render_opt.crop,
                   "Keep only this part of each picture: X,Y,WIDTH,HEIGHT in pixels")
      ->delimiter(',')
      ->expected(4);
  render_cmd->add_option("--zoom", render_opt.zoom, "Enlarge the (cropped) picture 1 - 8 times")
      ->check(CLI::Range(1, 8));
  render_cmd->add_flag("-q,--quiet", render_opt.quiet, "Print nothing on success");
  render_cmd
      ->add_option("--photo", render_opt.photo_path,
                   "Render onto the client's photo (.jpg, .png, .webp) instead of the 3D head")
      ->check(CLI::ExistingFile);
  render_cmd->add_option("--landmarks", render_opt.landmarks_path,
                         "The photo's landmarks sidecar (JSON; see 'stipple landmarks')");
  render_cmd->add_option("--mask", render_opt.mask_path,
                         "PNG of the photo's size: dots only where non-zero (no hair, ears, "
                         "background)");
  render_cmd->add_option("--focal-35mm", render_opt.focal_35mm,
                         "The photo's 35 mm equivalent focal length (default: EXIF, else 50)");
  render_cmd
      ->add_option("--skin", render_opt.skin,
                   "With --photo: skin tone from the plan, or sampled from the photo")
      ->check(CLI::IsMember({"plan", "photo"}))
      ->capture_default_str();

  LandmarksOptions landmarks_opt;
  CLI::App* landmarks_cmd = app.add_subcommand(
      "landmarks", "Suggest a frontal photo's landmarks (face and eyes) and write the sidecar");
  landmarks_cmd->add_option("PHOTO", landmarks_opt.photo_path, "The photo (.jpg, .png, .webp)")
      ->required()
      ->check(CLI::ExistingFile);
  landmarks_cmd->add_option("-o,--out", landmarks_opt.out_path,
                            "The sidecar (default: the photo's name with .json)");
  landmarks_cmd->add_flag("--force", landmarks_opt.force, "Replace an existing sidecar");

  MatchOptions match_opt;
  CLI::App* match_cmd = app.add_subcommand(
      "match", "Pigment dilution per session so healed dots match the client's stubble colour");
  match_cmd->add_option("--hair", match_opt.hair, "Stubble colour, sRGB #rrggbb")
      ->capture_default_str();
  match_cmd->add_option("--fitzpatrick", match_opt.fitzpatrick, "Skin type 1 - 6")
      ->capture_default_str();
  match_cmd
      ->add_option("--plan", match_opt.plan_path,
                   "Take sessions, aging and epidermis from this plan")
      ->check(CLI::ExistingFile);
  match_cmd->add_option("--depth", match_opt.depth_mm, "Pigment depth, mm (0.2 - 1.2)")
      ->capture_default_str();
  match_cmd->add_option("--diameter", match_opt.diameter_mm, "Healed dot diameter, mm (0.1 - 1.0)")
      ->capture_default_str();

  SwatchOptions swatch_opt;
  CLI::App* swatch_cmd = app.add_subcommand(
      "swatches", "The optics grid: dilution x depth x Fitzpatrick type, healed dots on skin");
  swatch_cmd->add_option("-o,--out", swatch_opt.out_path, "The picture: .png or .jpg")->required();
  swatch_cmd->add_option("--cell", swatch_opt.cell_px, "Patch size in pixels (24 - 512)")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ValidationError& e) {  // e.g. the plan file does not exist
    return report(e.what(), kExitBadInput);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "stipple: error: %s\nRun 'stipple --help' for usage.\n", e.what());
    return kExitBadInput;
  }

  try {
    // Logs go to stderr so stdout stays the summary (and scripts can parse it).
    auto logger = spdlog::stderr_color_mt("stipple");
    logger->set_pattern("stipple: %l: %v");
    logger->set_level(verbose ? spdlog::level::debug : spdlog::level::warn);
    spdlog::set_default_logger(logger);

    if (plan_cmd->parsed()) run_plan_command(plan_opt);
    if (render_cmd->parsed()) {
      for (const char* o : {"--view", "--yaw", "--pitch", "--size", "--width", "--height"}) {
        if (render_cmd->count(o) > 0) render_opt.view_options_given = true;
      }
      run_render_command(render_opt);
    }
    if (landmarks_cmd->parsed()) run_landmarks_command(landmarks_opt);
    if (match_cmd->parsed()) run_match_command(match_opt);
    if (swatch_cmd->parsed()) run_swatches_command(swatch_opt);
    return kExitOk;
  } catch (const std::bad_alloc&) {
    return report("out of memory", kExitFailure);
  } catch (const std::invalid_argument& e) {  // bad values, from validation
    return report(e.what(), kExitBadInput);
  } catch (const std::out_of_range& e) {  // a missing landmark, an index past a limit
    return report(e.what(), kExitBadInput);
  } catch (const std::runtime_error& e) {  // PlanError, I/O and filesystem errors
    return report(e.what(), kExitBadInput);
  } catch (const std::exception& e) {
    return report(e.what(), kExitFailure);
  } catch (...) {
    return report("unknown failure", kExitFailure);
  }
}
