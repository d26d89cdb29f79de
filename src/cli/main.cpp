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

#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <stdexcept>
#include <string>

#include "stipple/output/chart_svg.h"
#include "stipple/output/dots_csv.h"
#include "stipple/output/plan_result.h"
#include "stipple/output/summary_json.h"
#include "stipple/output/write_file.h"
#include "stipple/plan/plan_json.h"
#include "stipple/planner.h"

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

// Wall-clock seconds since `start`, for the --verbose log.
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
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
  const stipple::PlanResult result = stipple::run_plan(plan);
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
  // Later: `render` (3D views, photo overlays) and `match` (pigment to hair colour) join here.

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
