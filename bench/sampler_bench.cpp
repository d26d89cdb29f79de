// The sampler benchmark (docs/benchmarks.md): the full Norwood VII plan and its sampler, timed on
// one core, beside the inputs the peers (bench/open3d_peer.py, bench/npm_peer.mjs) run on.
//
//   stipple_bench [--plan PLAN.json] [google-benchmark flags]   the timed runs
//   stipple_bench [--plan PLAN.json] --export DIR                the peers' inputs and our quality
//   stipple_bench --export-render DIR            the rendering peer's inputs (render_bench.cpp)
//
// Timed runs (items/s = dots per second):
//   FullPlan       run_plan: head, field, bake, sampling, per-dot attributes
//   SampleVariable sample_dots on the plan's own baked grid (its sessions, its seed)
//   SampleUniform  the same sampler, one session, on a uniform density (the plan's mean) over the
//                  plan's treated region: the workload Open3D's elimination is compared on
//   UniformFloor   uniform random points, area-weighted, on the treated triangles of the head
//                  mesh, same count: the cost of merely producing that many points on that mesh
// Everything but the timed loop (plan, field, grids, the cap triangles) is built once before any
// benchmark runs, with TBB free to use every core; the timed runs are held to one thread (each
// holds its own tbb::global_control, so the rendering runs in this binary keep both cores).
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stipple/field/field_grid.h"
#include "stipple/field/scalp_chart.h"
#include "stipple/geometry/mesh_io.h"
#include "stipple/plan/plan_json.h"
#include "stipple/planner.h"
#include "stipple/sampling/metrics.h"
#include "stipple/sampling/rng.h"
#include "stipple/sampling/sampler.h"

#include "render_bench.h"

namespace {

using namespace stipple;

// The same threshold the sampler uses for "treated" (SamplerParams::min_density_per_cm2), so the
// cap, the uniform field and the chart all cover exactly the region the plan puts dots on.
const double kTreatedPerCm2 = SamplerParams{}.min_density_per_cm2;

// The plan's treated triangles of the head mesh, with a cumulative area table for drawing
// area-weighted uniform points on them.
struct Cap {
  std::vector<int> faces;   // indices into the head mesh's F
  std::vector<double> cdf;  // cdf[i]: area of faces[0..i] (mm2)
  double area_mm2 = 0;
};

struct Setup {
  std::string plan_path;
  Plan plan;
  PlanRun run;                       // the plan's result, field and baked grid
  SamplerParams variable_params;     // the plan's sessions and seed
  FieldGrid uniform_grid;            // the plan's mean density over its treated region
  SamplerParams uniform_params;      // one session, the plan's seed
  double mean_density_per_cm2 = 0;   // over the treated region of the plan's grid
  double treated_grid_area_mm2 = 0;  // texels at or above kTreatedPerCm2
  std::size_t uniform_count = 0;     // the dots SampleUniform lays (N for the peers)
  Cap cap;
};

std::unique_ptr<Setup> g_setup;

// Finds examples/norwood-vii.json from the repository root (bench/run.sh's working directory)
// or, failing that, beside this source file, so the binary also runs from the build folder.
std::string default_plan_path() {
  const std::filesystem::path rel = "examples/norwood-vii.json";
  if (std::filesystem::exists(rel)) return rel.string();
  const std::filesystem::path beside =
      std::filesystem::path(__FILE__).parent_path().parent_path() / rel;
  return beside.string();
}

Cap treated_cap(const TriMesh& mesh, const FieldGrid& grid) {
  Cap cap;
  const Eigen::VectorXd areas = face_areas_mm2(mesh);
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    const Vec3 c = (mesh.V.row(mesh.F(f, 0)) + mesh.V.row(mesh.F(f, 1)) + mesh.V.row(mesh.F(f, 2)))
                       .transpose() /
                   3.0;
    // The grid is a cube map about the head centre: a lookup uses only the direction of the
    // centroid, which is a hair inside the surface, so no projection is needed.
    if (lookup_density(grid, c) < kTreatedPerCm2) continue;
    cap.area_mm2 += areas[f];
    cap.faces.push_back(static_cast<int>(f));
    cap.cdf.push_back(cap.area_mm2);
  }
  return cap;
}

std::unique_ptr<Setup> make_setup(const std::string& plan_path) {
  auto s = std::make_unique<Setup>();
  s->plan_path = plan_path;
  s->plan = load_plan(plan_path);
  s->run = run_plan_detailed(s->plan);
  const FieldGrid& g = s->run.grid;

  s->variable_params.seed = s->plan.seed;
  s->variable_params.session_shares.clear();
  for (const Session& ses : s->plan.sessions.sessions) {
    s->variable_params.session_shares.push_back(ses.share);
  }

  double dots = 0;
  for (std::size_t k = 0; k < g.area_mm2.size(); ++k) {
    if (g.area_mm2[k] <= 0 || g.dots_per_cm2[k] < kTreatedPerCm2) continue;
    s->treated_grid_area_mm2 += g.area_mm2[k];
    dots += g.area_mm2[k] * 0.01 * g.dots_per_cm2[k];
  }
  if (s->treated_grid_area_mm2 <= 0) throw std::runtime_error("bench: the plan treats no area");
  s->mean_density_per_cm2 = dots / (s->treated_grid_area_mm2 * 0.01);

  // Baked at the plan grid's resolution on the same surface, so its texel centres are the plan
  // grid's and the region is the same texel for texel.
  const double mean = s->mean_density_per_cm2;
  s->uniform_grid = bake_function(s->run.field.surface, g.res, [&g, mean](const Vec3& p) {
    FieldSample fs;
    const bool treated = lookup_density(g, p) >= kTreatedPerCm2;
    fs.dots_per_cm2 = treated ? mean : 0;
    fs.zone = treated ? 0 : -1;
    return fs;
  });
  s->uniform_params.seed = s->plan.seed;
  s->uniform_params.session_shares = {1.0};
  // N for the floor and the peers is the count the uniform run really lays (the sampler rounds
  // the field's integral; taking it from the run keeps every contender on exactly the same N).
  s->uniform_count = sample_dots(s->run.field.surface, s->uniform_grid, s->uniform_params).size();

  s->cap = treated_cap(s->run.result.head.mesh, g);
  return s;
}

// n uniform random points on the cap: a face by area (binary search of the cumulative areas),
// then a uniform point in it (square-root barycentric warp, Osada et al. 2002).
std::vector<Vec3> uniform_points_on_cap(const TriMesh& mesh, const Cap& cap, std::size_t n,
                                        std::uint64_t seed) {
  Rng rng(seed);
  std::vector<Vec3> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double a = rng.uniform() * cap.area_mm2;
    const auto it = std::upper_bound(cap.cdf.begin(), cap.cdf.end(), a);
    const std::size_t k = std::min<std::size_t>(it - cap.cdf.begin(), cap.faces.size() - 1);
    const int f = cap.faces[k];
    const double r1 = std::sqrt(rng.uniform()), r2 = rng.uniform();
    const Vec3 p0 = mesh.V.row(mesh.F(f, 0)).transpose();
    const Vec3 p1 = mesh.V.row(mesh.F(f, 1)).transpose();
    const Vec3 p2 = mesh.V.row(mesh.F(f, 2)).transpose();
    out.push_back((1 - r1) * p0 + r1 * (1 - r2) * p1 + r1 * r2 * p2);
  }
  return out;
}

// ---- Timed runs ----

// Dots per second (items/s), the dot count, and the thread limit in force, so the JSON shows
// each run was held to one core.
void report(benchmark::State& state, std::size_t dots) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * dots));
  state.counters["dots"] = static_cast<double>(dots);
  state.counters["tbb_threads"] = static_cast<double>(
      tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

// One core for every timed sampler run: the targets are per core, and the peers run on one.
// Held inside each run, not around all of them, because the rendering runs use both cores.
struct OneThread {
  tbb::global_control limit{tbb::global_control::max_allowed_parallelism, 1};
};

void BM_FullPlan(benchmark::State& state) {
  const OneThread one_thread;
  const Setup& s = *g_setup;
  std::size_t dots = 0;
  for (auto _ : state) {
    PlanResult r = run_plan(s.plan);
    dots = r.dots.size();
    benchmark::DoNotOptimize(r.dots.data());
  }
  report(state, dots);
}

void BM_SampleVariable(benchmark::State& state) {
  const OneThread one_thread;
  const Setup& s = *g_setup;
  std::size_t dots = 0;
  for (auto _ : state) {
    const auto d = sample_dots(s.run.field.surface, s.run.grid, s.variable_params);
    dots = d.size();
    benchmark::DoNotOptimize(d.data());
  }
  report(state, dots);
}

void BM_SampleUniform(benchmark::State& state) {
  const OneThread one_thread;
  const Setup& s = *g_setup;
  std::size_t dots = 0;
  for (auto _ : state) {
    const auto d = sample_dots(s.run.field.surface, s.uniform_grid, s.uniform_params);
    dots = d.size();
    benchmark::DoNotOptimize(d.data());
  }
  report(state, dots);
}

void BM_UniformFloor(benchmark::State& state) {
  const OneThread one_thread;
  const Setup& s = *g_setup;
  std::size_t dots = 0;
  for (auto _ : state) {
    const auto p = uniform_points_on_cap(s.run.result.head.mesh, s.cap, s.uniform_count, 1);
    dots = p.size();
    benchmark::DoNotOptimize(p.data());
  }
  report(state, dots);
}

// Real time, not CPU time: with TBB held to one thread they agree, and if anything did run on
// another thread the wall clock is what a user waits for.
BENCHMARK(BM_FullPlan)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SampleVariable)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SampleUniform)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_UniformFloor)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- Export: the peers' inputs and our own spacing quality ----

nlohmann::json stats_json(const SpacingStats& st) {
  return {{"count", st.count},
          {"min_ratio", st.min_ratio},
          {"mean_ratio", st.mean_ratio},
          {"cv", st.cv},
          {"p01_ratio", st.p01_ratio}};
}

void write_json(const std::filesystem::path& path, const nlohmann::json& j) {
  std::ofstream out(path);
  out << j.dump(1) << '\n';
  if (!out) throw std::runtime_error("bench: cannot write " + path.string());
}

// The plan's density on a regular grid of the scalp chart, for the npm peer's flat sampler.
// Texels beyond the chart's reach (point_from_chart clamps them onto its rim) are set to 0.
nlohmann::json chart_density(const Setup& s) {
  const DensityField& f = s.run.field;
  constexpr double kFrom = -250, kStep = 2;
  constexpr int kN = 251;  // -250 .. 250 mm
  std::vector<double> values(static_cast<std::size_t>(kN) * kN, 0.0);
  double max_density = 0, min_density = 1e300;
  for (int iv = 0; iv < kN; ++iv) {
    for (int iu = 0; iu < kN; ++iu) {
      const Vec2 uv(kFrom + kStep * iu, kFrom + kStep * iv);
      const Vec3 p = point_from_chart(f.chart, f.surface, uv);
      if ((chart_from_point(f.chart, p) - uv).norm() > 0.5 * kStep) continue;  // clamped
      const double n = lookup_density(s.run.grid, p);
      if (n < kTreatedPerCm2) continue;
      values[static_cast<std::size_t>(iv) * kN + iu] = n;
      max_density = std::max(max_density, n);
      min_density = std::min(min_density, n);
    }
  }
  return {{"u0_mm", kFrom},
          {"v0_mm", kFrom},
          {"step_mm", kStep},
          {"nu", kN},
          {"nv", kN},
          {"layout", "row-major: density_per_cm2[iv * nu + iu] at (u0 + step iu, v0 + step iv)"},
          {"min_treated_density_per_cm2", min_density},
          {"max_density_per_cm2", max_density},
          {"density_per_cm2", values}};
}

int run_export(const Setup& s, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const TriMesh& head = s.run.result.head.mesh;

  // The cap mesh: only the vertices its faces use, renumbered.
  TriMesh cap;
  std::vector<int> remap(static_cast<std::size_t>(head.V.rows()), -1);
  std::vector<int> used;
  cap.F.resize(static_cast<Eigen::Index>(s.cap.faces.size()), 3);
  for (std::size_t k = 0; k < s.cap.faces.size(); ++k) {
    for (int c = 0; c < 3; ++c) {
      const int v = head.F(s.cap.faces[k], c);
      if (remap[static_cast<std::size_t>(v)] < 0) {
        remap[static_cast<std::size_t>(v)] = static_cast<int>(used.size());
        used.push_back(v);
      }
      cap.F(static_cast<Eigen::Index>(k), c) = remap[static_cast<std::size_t>(v)];
    }
  }
  cap.V.resize(static_cast<Eigen::Index>(used.size()), 3);
  for (std::size_t k = 0; k < used.size(); ++k) {
    cap.V.row(static_cast<Eigen::Index>(k)) = head.V.row(used[k]);
  }
  write_ply(cap, (dir / "cap.ply").string());

  // Our quality, on the very runs the benchmark times (same grids, same parameters).
  const auto uniform = sample_dots(s.run.field.surface, s.uniform_grid, s.uniform_params);
  std::vector<Vec3> up;
  for (const auto& d : uniform) up.push_back(d.position_mm);
  const SpacingStats uniform_grid_stats = spacing_stats_uniform(up, s.treated_grid_area_mm2);
  const SpacingStats uniform_cap_stats = spacing_stats_uniform(up, s.cap.area_mm2);

  const auto variable = sample_dots(s.run.field.surface, s.run.grid, s.variable_params);
  nlohmann::json sessions = nlohmann::json::array();
  double cum = 0;
  SpacingStats final_stats;
  for (std::size_t k = 0; k < s.variable_params.session_shares.size(); ++k) {
    cum += s.variable_params.session_shares[k];
    std::vector<Vec3> pts;
    std::vector<double> spacing;
    for (const auto& d : variable) {
      if (d.session > static_cast<int>(k) + 1) continue;
      pts.push_back(d.position_mm);
      // The union of sessions 1..k is laid at that share of the final density.
      spacing.push_back(hex_spacing_mm(d.density_per_cm2 * cum));
    }
    final_stats = spacing_stats(pts, spacing);
    sessions.push_back({{"union", "1.." + std::to_string(k + 1)},
                        {"share", cum},
                        {"stats", stats_json(final_stats)}});
  }

  const auto floor = uniform_points_on_cap(head, s.cap, s.uniform_count, 1);
  const SpacingStats floor_stats = spacing_stats_uniform(floor, s.cap.area_mm2);

  nlohmann::json cap_json = {
      {"plan", s.plan_path},
      {"dots", s.uniform_count},
      {"cap_area_mm2", s.cap.area_mm2},
      {"cap_faces", s.cap.faces.size()},
      {"cap_vertices", used.size()},
      {"treated_grid_area_mm2", s.treated_grid_area_mm2},
      {"mean_density_per_cm2", s.mean_density_per_cm2},
      {"plan_dots", s.run.result.dots.size()},
      {"uniform",
       {{"count", uniform.size()},
        {"stats", stats_json(uniform_grid_stats)},
        {"stats_over_cap_area", stats_json(uniform_cap_stats)}}},
      {"variable",
       {{"count", variable.size()}, {"final", stats_json(final_stats)}, {"unions", sessions}}},
      {"floor", {{"count", floor.size()}, {"stats", stats_json(floor_stats)}}}};
  write_json(dir / "cap.json", cap_json);
  write_json(dir / "chart_density.json", chart_density(s));
  std::cout << "exported " << (dir / "cap.ply").string() << " (" << s.cap.faces.size() << " faces, "
            << s.cap.area_mm2 << " mm2), cap.json (N = " << s.uniform_count
            << "), chart_density.json\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Our own flags come out of argv before Google Benchmark sees it (it rejects unknown ones).
  std::string plan_path = default_plan_path(), export_dir, export_render_dir;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--export" || a == "--plan") && i + 1 < argc) {
      (a == "--export" ? export_dir : plan_path) = argv[++i];
    } else if (a == "--export-render" && i + 1 < argc) {
      export_render_dir = argv[++i];
    } else {
      rest.push_back(argv[i]);
    }
  }
  try {
    // The rendering inputs need no plan.
    if (!export_render_dir.empty()) return stipple_bench::export_render_inputs(export_render_dir);
    g_setup = make_setup(plan_path);
    if (!export_dir.empty()) return run_export(*g_setup, export_dir);
  } catch (const std::exception& e) {
    std::cerr << "stipple_bench: " << e.what() << '\n';
    return 1;
  }

  int bargc = static_cast<int>(rest.size());
  benchmark::Initialize(&bargc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(bargc, rest.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
