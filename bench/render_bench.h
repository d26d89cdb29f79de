// The rendering benchmark's inputs, shared by its timed runs (render_bench.cpp) and by the
// export that bench/opencv_peer.py reads (stipple_bench --export-render DIR).
#pragma once

#include <filesystem>

namespace stipple_bench {

// Writes, for each frame size, base_WxH.png, dots_WxH.csv (the dots in pixels, isotropic scale),
// ours_WxH.png (composite_dots' output, for the peer to compare with) and render.json (sizes,
// scales, counts, the footprint parameters); returns the process exit code.
int export_render_inputs(const std::filesystem::path& dir);

}  // namespace stipple_bench
