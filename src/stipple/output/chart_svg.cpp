#include "stipple/output/chart_svg.h"

#include "stipple/output/write_file.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stipple/output/dots_csv.h"

#ifndef STIPPLE_VERSION
#define STIPPLE_VERSION "unknown"
#endif

namespace stipple {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Page layout, in points (1/72 in): three panels side by side, the legend in a column on the
// right, the title above and the caption below.
constexpr int kPanels = 3;
constexpr double kMargin = 20;
constexpr double kPanelTop = 72;
constexpr double kPanelHeight = 556;
constexpr double kPanelWidth = 308;
constexpr double kPanelGap = 12;
constexpr double kLegendX = kMargin + kPanels * (kPanelWidth + kPanelGap);
constexpr double kLegendWidth = kChartWidthPt - kMargin - kLegendX;
// Inside a panel: the title and orientation label above the head, the scale bar below it, the
// R / L letters beside it.
constexpr double kInsetTop = 50;
constexpr double kInsetBottom = 42;
constexpr double kInsetSide = 22;
// The FRONT and BACK views end this far below the lowest dot or hairline point: the neck and
// chin carry nothing to chart, and leaving them out gives the scalp a larger scale.
constexpr double kBelowLowestMarkMm = 20;

// The depth raster used for the silhouette and for hiding occluded marks. Half a point is finer
// than a dot on the page, so the outline needs no further smoothing than the simplification.
constexpr double kRasterCellPt = 0.5;
// A mark counts as visible when it is at most this far behind the nearest surface along the
// view direction. It absorbs the raster's sampling error on steep flanks (a 0.5 pt cell is
// ~0.2 mm; at a 10:1 slope that is ~2 mm of depth) without letting the far side show through.
constexpr double kOcclusionToleranceMm = 2.5;
// Dots are snapped to a quarter point. cairo keeps paths in 24.8 fixed point and prints them
// back with six decimals, so only coordinates that are exact binary fractions come out short
// ("123.25" instead of "123.300781"); a quarter point is ~0.1 mm at chart scale, far below the
// dot size, and keeps 50,000 dots near 25 bytes each.
constexpr double kDotGridPt = 0.25;
// Douglas-Peucker tolerance for the silhouette outline.
constexpr double kOutlineTolerancePt = 0.35;

constexpr double kFontTitle = 18;
constexpr double kFontSubtitle = 10.5;
constexpr double kFontPanelTitle = 12;
constexpr double kFontSmall = 8;
constexpr double kFontLabel = 7.5;

const char* const kFont = "DejaVu Sans";

struct Rgb {
  double r, g, b;
};
constexpr Rgb kInk{0.13, 0.13, 0.13};
constexpr Rgb kGrey{0.45, 0.45, 0.45};
constexpr Rgb kLightGrey{0.80, 0.80, 0.80};
constexpr Rgb kZoneInk{0.25, 0.27, 0.32};
constexpr Rgb kSkinLight{246 / 255.0, 226 / 255.0, 210 / 255.0};
constexpr Rgb kSkinDark{214 / 255.0, 180 / 255.0, 155 / 255.0};
constexpr Rgb kSkinEdge{138 / 255.0, 110 / 255.0, 94 / 255.0};

// ---------------------------------------------------------------------------------------------
// Text helpers.

// cairo refuses invalid UTF-8 by putting the whole context into an error state, so names from
// a hand-built result are cleaned first: each invalid byte becomes '?'.
std::string valid_utf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid too.
    static constexpr std::array<std::uint32_t, 5> kMin = {0, 0, 0x80, 0x800, 0x10000};
    ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    // Control characters have no glyph; show them as '?' too.
    if (ok && len == 1 && cp < 0x20) ok = false;
    if (ok) {
      out.append(s, i, len);
      i += len;
    } else {
      out.push_back('?');
      ++i;
    }
  }
  return out;
}

void set_rgb(cairo_t* cr, const Rgb& c, double alpha = 1.0) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

void set_font(cairo_t* cr, double size, bool bold = false) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double text_width(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, text.c_str(), &e);
  return e.x_advance;
}

// Shortens valid UTF-8 text with an ellipsis until it fits `max_width_pt`.
std::string fitted(cairo_t* cr, std::string text, double max_width_pt) {
  if (text_width(cr, text) <= max_width_pt) return text;
  while (!text.empty() && text_width(cr, text + "\u2026") > max_width_pt) {
    // Drop the last code point: its continuation bytes (10xxxxxx), then its first byte.
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) {
      text.pop_back();
    }
    if (!text.empty()) text.pop_back();
  }
  return text + "\u2026";
}

enum class Align { kLeft, kCentre, kRight };

void draw_text(cairo_t* cr, double x, double y, const std::string& text,
               Align align = Align::kLeft) {
  double dx = 0;
  if (align != Align::kLeft) {
    const double w = text_width(cr, text);
    dx = align == Align::kCentre ? -w / 2 : -w;
  }
  cairo_move_to(cr, x + dx, y);
  cairo_show_text(cr, text.c_str());
  cairo_new_path(cr);
}

// ---------------------------------------------------------------------------------------------
// Views and panels.

struct ViewAxes {
  Vec3 u;       // page right
  Vec3 v;       // page up
  Vec3 toward;  // from the head toward the viewer (u x v, so the view is not mirrored)
};

// Seen from above (looking down -z), face up: page right is +x, the client's right.
const ViewAxes kTopAxes{Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(0, 0, 1)};
// Facing the client (looking along -y): page right is -x, the client's left.
const ViewAxes kFrontAxes{Vec3(-1, 0, 0), Vec3(0, 0, 1), Vec3(0, 1, 0)};
// From behind (looking along +y): page right is +x, the client's right. Scars from hair
// transplants (FUT strips, FUE donor areas) and the crown are only seen from here.
const ViewAxes kBackAxes{Vec3(1, 0, 0), Vec3(0, 0, 1), Vec3(0, -1, 0)};

struct Bounds {
  double u_min = std::numeric_limits<double>::infinity();
  double u_max = -std::numeric_limits<double>::infinity();
  double v_min = std::numeric_limits<double>::infinity();
  double v_max = -std::numeric_limits<double>::infinity();
  bool empty() const { return !(u_min <= u_max); }
  void add(double u, double v) {
    u_min = std::min(u_min, u);
    u_max = std::max(u_max, u);
    v_min = std::min(v_min, v);
    v_max = std::max(v_max, v);
  }
};

struct Panel {
  std::string title;
  std::string subtitle;
  std::string left_label, right_label;  // the client's side on each side of the page
  std::string top_label, bottom_label;  // optional, e.g. ANTERIOR / POSTERIOR
  bool eyes = false;                    // mark the eyes (the view shows the face)
  ViewAxes axes;
  double x0 = 0, y0 = 0, w = 0, h = 0;  // the panel's rectangle on the page
  double clip_bottom = 0;               // nothing of the head is drawn below this page y
  Bounds bounds;                        // of the head in (u, v), mm
  double scale = 1;                     // pt per mm, shared by both panels
  double cx = 0, cy = 0;                // where the bounds' centre lands on the page

  // Depth raster over the panel rectangle: the nearest surface depth (along `toward`) at each
  // cell centre, -inf where the head does not cover the cell.
  int gw = 0, gh = 0;
  std::vector<float> depth;

  Vec2 page(const Vec3& p) const {
    const double u = p.dot(axes.u), v = p.dot(axes.v);
    const double u_mid = 0.5 * (bounds.u_min + bounds.u_max);
    const double v_mid = 0.5 * (bounds.v_min + bounds.v_max);
    return Vec2(cx + scale * (u - u_mid), cy - scale * (v - v_mid));
  }
  double depth_of(const Vec3& p) const { return p.dot(axes.toward); }
  Vec2 cell_centre(int i, int j) const {
    return Vec2(x0 + (i + 0.5) * kRasterCellPt, y0 + (j + 0.5) * kRasterCellPt);
  }
  bool covered(int i, int j) const {
    return i >= 0 && j >= 0 && i < gw && j < gh &&
           depth[static_cast<std::size_t>(j) * gw + i] > -std::numeric_limits<float>::infinity();
  }

  // Inside the panel's drawing area and not hidden behind another part of the head. Where no
  // surface was drawn (outside the silhouette, or an empty mesh) nothing hides a mark.
  bool visible(const Vec3& p) const {
    const Vec2 q = page(p);
    if (!(q.x() >= x0 && q.x() <= x0 + w && q.y() >= y0 && q.y() <= clip_bottom)) return false;
    const int i = static_cast<int>(std::floor((q.x() - x0) / kRasterCellPt));
    const int j = static_cast<int>(std::floor((q.y() - y0) / kRasterCellPt));
    if (!covered(i, j)) return true;
    return depth_of(p) >= depth[static_cast<std::size_t>(j) * gw + i] - kOcclusionToleranceMm;
  }
};

void rasterise(Panel& panel, const TriMesh& mesh) {
  // The raster ends at clip_bottom, so a head taller than the view (the neck) is cut there by a
  // straight edge, like a bust.
  panel.gw = static_cast<int>(std::ceil(panel.w / kRasterCellPt));
  panel.gh = static_cast<int>(std::ceil((panel.clip_bottom - panel.y0) / kRasterCellPt));
  panel.depth.assign(static_cast<std::size_t>(panel.gw) * panel.gh,
                     -std::numeric_limits<float>::infinity());
  if (mesh.V.rows() == 0) return;

  std::vector<Vec2> q(mesh.V.rows());
  std::vector<double> d(mesh.V.rows());
  for (Eigen::Index k = 0; k < mesh.V.rows(); ++k) {
    const Vec3 p = mesh.V.row(k).transpose();
    q[k] = panel.page(p);
    d[k] = panel.depth_of(p);
  }
  auto cross = [](const Vec2& a, const Vec2& b) { return a.x() * b.y() - a.y() * b.x(); };
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    const int ia = mesh.F(f, 0), ib = mesh.F(f, 1), ic = mesh.F(f, 2);
    if (std::min({ia, ib, ic}) < 0 || std::max({ia, ib, ic}) >= mesh.V.rows()) continue;
    const Vec2 &a = q[ia], &b = q[ib], &c = q[ic];
    const double area2 = cross(b - a, c - a);
    if (!std::isfinite(area2) || std::abs(area2) < 1e-12) continue;  // edge-on in this view
    const double min_x = std::min({a.x(), b.x(), c.x()}), max_x = std::max({a.x(), b.x(), c.x()});
    const double min_y = std::min({a.y(), b.y(), c.y()}), max_y = std::max({a.y(), b.y(), c.y()});
    const int i0 =
        std::max(0, static_cast<int>(std::ceil((min_x - panel.x0) / kRasterCellPt - 0.5)));
    const int i1 = std::min(panel.gw - 1,
                            static_cast<int>(std::floor((max_x - panel.x0) / kRasterCellPt - 0.5)));
    const int j0 =
        std::max(0, static_cast<int>(std::ceil((min_y - panel.y0) / kRasterCellPt - 0.5)));
    const int j1 = std::min(panel.gh - 1,
                            static_cast<int>(std::floor((max_y - panel.y0) / kRasterCellPt - 0.5)));
    // A small tolerance so cell centres on an edge shared by two triangles are not lost.
    constexpr double kEps = 1e-7;
    for (int j = j0; j <= j1; ++j) {
      for (int i = i0; i <= i1; ++i) {
        const Vec2 p = panel.cell_centre(i, j);
        const double w0 = cross(c - b, p - b) / area2;
        const double w1 = cross(a - c, p - c) / area2;
        const double w2 = 1.0 - w0 - w1;
        if (w0 < -kEps || w1 < -kEps || w2 < -kEps) continue;
        const float z = static_cast<float>(w0 * d[ia] + w1 * d[ib] + w2 * d[ic]);
        float& cell = panel.depth[static_cast<std::size_t>(j) * panel.gw + i];
        cell = std::max(cell, z);
      }
    }
  }
}

// Douglas-Peucker on an open polyline; keeps the end points.
void simplify(const std::vector<Vec2>& pts, std::size_t first, std::size_t last, double tol,
              std::vector<bool>& keep) {
  if (last <= first + 1) return;
  const Vec2 a = pts[first], b = pts[last];
  const Vec2 ab = b - a;
  const double len = ab.norm();
  double worst = -1;
  std::size_t worst_k = first;
  for (std::size_t k = first + 1; k < last; ++k) {
    const Vec2 ap = pts[k] - a;
    const double dist = len > 1e-12 ? std::abs(ab.x() * ap.y() - ab.y() * ap.x()) / len : ap.norm();
    if (dist > worst) {
      worst = dist;
      worst_k = k;
    }
  }
  if (worst > tol) {
    keep[worst_k] = true;
    simplify(pts, first, worst_k, tol, keep);
    simplify(pts, worst_k, last, tol, keep);
  }
}

// The outline of the covered cells as closed loops (page coordinates), by marching squares on
// the coverage mask; fill them with the even-odd rule (holes, e.g. between an ear and the head,
// come out as inner loops). Drawing the outline instead of the mesh's triangles keeps the file
// small whatever the mesh resolution.
std::vector<std::vector<Vec2>> silhouette(const Panel& panel) {
  // Grid edges are keyed by the lower-left sample and the direction; the mask is padded by one
  // uncovered sample on every side so every loop closes.
  const std::int64_t stride = panel.gw + 2;
  auto key = [&](int i, int j, bool vertical) {
    return ((static_cast<std::int64_t>(j) + 1) * stride + (i + 1)) * 2 + (vertical ? 1 : 0);
  };
  auto midpoint = [&](std::int64_t k) {
    const bool vertical = (k & 1) != 0;
    const std::int64_t cell = k / 2;
    const int i = static_cast<int>(cell % stride) - 1, j = static_cast<int>(cell / stride) - 1;
    const Vec2 p = panel.cell_centre(i, j);
    return vertical ? Vec2(p.x(), p.y() + 0.5 * kRasterCellPt)
                    : Vec2(p.x() + 0.5 * kRasterCellPt, p.y());
  };

  std::vector<std::array<std::int64_t, 2>> segments;
  for (int j = -1; j < panel.gh; ++j) {
    for (int i = -1; i < panel.gw; ++i) {
      const bool a = panel.covered(i, j), b = panel.covered(i + 1, j);
      const bool c = panel.covered(i + 1, j + 1), d = panel.covered(i, j + 1);
      const int n = a + b + c + d;
      if (n == 0 || n == 4) continue;
      const std::int64_t e0 = key(i, j, false), e1 = key(i + 1, j, true);
      const std::int64_t e2 = key(i, j + 1, false), e3 = key(i, j, true);
      std::vector<std::int64_t> crossing;
      if (a != b) crossing.push_back(e0);
      if (b != c) crossing.push_back(e1);
      if (d != c) crossing.push_back(e2);
      if (a != d) crossing.push_back(e3);
      if (crossing.size() == 2) {
        segments.push_back({crossing[0], crossing[1]});
      } else if (crossing.size() == 4) {
        // Saddle: cut off the corners a and c (consistently, so every edge keeps two ends).
        segments.push_back({e0, e3});
        segments.push_back({e1, e2});
      }
    }
  }

  std::unordered_map<std::int64_t, std::array<int, 2>> ends;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    for (std::int64_t e : segments[s]) {
      auto [it, inserted] = ends.try_emplace(e, std::array<int, 2>{-1, -1});
      (it->second[0] < 0 ? it->second[0] : it->second[1]) = static_cast<int>(s);
    }
  }

  std::vector<std::vector<Vec2>> loops;
  std::vector<bool> used(segments.size(), false);
  for (std::size_t start = 0; start < segments.size(); ++start) {
    if (used[start]) continue;
    std::vector<Vec2> loop;
    std::size_t s = start;
    std::int64_t at = segments[s][0];
    while (!used[s]) {
      used[s] = true;
      loop.push_back(midpoint(at));
      at = segments[s][0] == at ? segments[s][1] : segments[s][0];
      const auto& pair = ends.at(at);
      const int next = pair[0] == static_cast<int>(s) ? pair[1] : pair[0];
      if (next < 0) break;
      s = static_cast<std::size_t>(next);
    }
    if (loop.size() < 4) continue;  // a speck of one or two cells
    loop.push_back(loop.front());
    std::vector<bool> keep(loop.size(), false);
    keep.front() = keep.back() = true;
    simplify(loop, 0, loop.size() - 1, kOutlineTolerancePt, keep);
    std::vector<Vec2> out;
    for (std::size_t k = 0; k + 1 < loop.size(); ++k) {
      if (keep[k]) out.push_back(loop[k]);
    }
    if (out.size() >= 3) loops.push_back(std::move(out));
  }
  return loops;
}

// ---------------------------------------------------------------------------------------------
// Drawing.

struct Label {
  double x0, y0, x1, y1;
};

bool overlaps(const Label& a, const Label& b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

// Draws a small label on a translucent white box beside `anchor_x` (`gap` points to its right
// for kLeft, to its left for kRight, centred on it for kCentre). A label that would leave
// [min_x, max_x] goes to the other side of the anchor, and is finally pushed inside; then it
// moves down or up a line at a time until it no longer overlaps the labels already placed.
void draw_label(cairo_t* cr, double anchor_x, double gap, double y, const std::string& text,
                Align align, double min_x, double max_x, std::vector<Label>& placed) {
  set_font(cr, kFontLabel);
  const double w = text_width(cr, text);
  auto left_for = [&](Align a) {
    return a == Align::kLeft     ? anchor_x + gap
           : a == Align::kCentre ? anchor_x - w / 2
                                 : anchor_x - gap - w;
  };
  double left = left_for(align);
  if (align != Align::kCentre && (left < min_x || left + w > max_x)) {
    left = left_for(align == Align::kLeft ? Align::kRight : Align::kLeft);
  }
  left = std::max(min_x, std::min(left, max_x - w));
  const double line = kFontLabel + 3;
  Label box{};
  for (int attempt = 0; attempt < 9; ++attempt) {
    const double dy = ((attempt + 1) / 2) * line * (attempt % 2 == 1 ? 1 : -1);
    box = {left - 2, y + dy - kFontLabel, left + w + 2, y + dy + 2.5};
    bool free = true;
    for (const Label& other : placed) free = free && !overlaps(box, other);
    if (free) break;
  }
  placed.push_back(box);
  cairo_rectangle(cr, box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.75);
  cairo_fill(cr);
  set_rgb(cr, kInk);
  draw_text(cr, box.x0 + 2, box.y1 - 2.5, text);
}

// Draws the visible stretches of a polyline (closed: the last point joins the first).
// Returns the visible points' page positions.
std::vector<Vec2> draw_visible_polyline(cairo_t* cr, const Panel& panel,
                                        const std::vector<Vec3>& pts, bool closed) {
  std::vector<Vec2> page;
  std::vector<bool> vis;
  page.reserve(pts.size());
  vis.reserve(pts.size());
  std::vector<Vec2> visible;
  for (const Vec3& p : pts) {
    const bool ok = p.allFinite() && panel.visible(p);
    page.push_back(ok ? panel.page(p) : Vec2::Zero());
    vis.push_back(ok);
    if (ok) visible.push_back(page.back());
  }
  const std::size_t n = pts.size();
  const std::size_t segments = closed ? n : (n == 0 ? 0 : n - 1);
  bool pen_down = false;
  for (std::size_t k = 0; k < segments; ++k) {
    const std::size_t a = k, b = (k + 1) % n;
    if (vis[a] && vis[b]) {
      if (!pen_down) cairo_move_to(cr, page[a].x(), page[a].y());
      cairo_line_to(cr, page[b].x(), page[b].y());
      pen_down = true;
    } else {
      pen_down = false;
    }
  }
  cairo_stroke(cr);
  return visible;
}

void draw_silhouette(cairo_t* cr, const Panel& panel) {
  const auto loops = silhouette(panel);
  if (loops.empty()) return;
  // The centre and reach of the covered area, for the shading.
  Vec2 sum = Vec2::Zero();
  std::size_t count = 0;
  for (int j = 0; j < panel.gh; ++j) {
    for (int i = 0; i < panel.gw; ++i) {
      if (panel.covered(i, j)) {
        sum += panel.cell_centre(i, j);
        ++count;
      }
    }
  }
  const Vec2 centre = count > 0 ? Vec2(sum / static_cast<double>(count)) : Vec2(panel.cx, panel.cy);
  double reach = 1;
  for (const auto& loop : loops) {
    for (const Vec2& p : loop) reach = std::max(reach, (p - centre).norm());
  }

  cairo_new_path(cr);
  for (const auto& loop : loops) {
    cairo_move_to(cr, loop[0].x(), loop[0].y());
    for (std::size_t k = 1; k < loop.size(); ++k) cairo_line_to(cr, loop[k].x(), loop[k].y());
    cairo_close_path(cr);
  }
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
  // Lambert shading under a light from the upper left of the viewer, approximated by a radial
  // gradient: on a roughly ellipsoidal head n.l falls off from the lit spot towards the rim
  // much as the gradient does, and one gradient costs a few hundred bytes where per-triangle
  // shading would cost megabytes.
  cairo_pattern_t* shade = cairo_pattern_create_radial(
      centre.x() - 0.25 * reach, centre.y() - 0.3 * reach, 0, centre.x(), centre.y(), 1.1 * reach);
  cairo_pattern_add_color_stop_rgb(shade, 0, kSkinLight.r, kSkinLight.g, kSkinLight.b);
  cairo_pattern_add_color_stop_rgb(shade, 1, kSkinDark.r, kSkinDark.g, kSkinDark.b);
  cairo_set_source(cr, shade);
  cairo_fill_preserve(cr);
  cairo_pattern_destroy(shade);
  set_rgb(cr, kSkinEdge);
  cairo_set_line_width(cr, 0.8);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke(cr);
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
}

// Two short strokes at the eyes (lateral canthus towards the midline) so the front view reads as
// a face at a glance; nothing if the head has no canthus landmarks.
void draw_eyes(cairo_t* cr, const Panel& panel, const Head& head) {
  auto l = head.landmarks.find("left_canthus");
  auto r = head.landmarks.find("right_canthus");
  if (l == head.landmarks.end() || r == head.landmarks.end()) return;
  const Vec3 mid = 0.5 * (l->second + r->second);
  set_rgb(cr, kSkinEdge);
  cairo_set_line_width(cr, 1.0);
  // Butt caps: round caps are reserved for the dot batches (tests count them).
  for (const Vec3& lateral : {l->second, r->second}) {
    // An adult palpebral fissure is ~30 mm; never more than a third of the canthal distance.
    const Vec3 to_mid = mid - lateral;
    const double len = std::min(30.0, to_mid.norm() / 3.0);
    if (!lateral.allFinite() || to_mid.norm() < 1e-6 || !panel.visible(lateral)) continue;
    const Vec2 a = panel.page(lateral), b = panel.page(lateral + to_mid.normalized() * len);
    cairo_move_to(cr, a.x(), a.y());
    cairo_line_to(cr, b.x(), b.y());
  }
  cairo_stroke(cr);
}

std::string pretty_name(std::string name) {
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

void draw_scale_bar(cairo_t* cr, const Panel& panel) {
  // The longest round length that takes at most 40 % of the panel's width.
  double length_mm = 10;
  for (double candidate : {100.0, 50.0, 20.0, 10.0}) {
    if (candidate * panel.scale <= 0.4 * panel.w) {
      length_mm = candidate;
      break;
    }
  }
  const double x = panel.x0 + kInsetSide, y = panel.y0 + panel.h - 16;
  const double len = length_mm * panel.scale;
  set_rgb(cr, kInk);
  cairo_set_line_width(cr, 1.2);
  cairo_move_to(cr, x, y - 4);
  cairo_line_to(cr, x, y);
  cairo_line_to(cr, x + len, y);
  cairo_line_to(cr, x + len, y - 4);
  cairo_stroke(cr);
  set_font(cr, kFontSmall);
  draw_text(cr, x + len + 5, y + 1, fmt::format("{:.0f} mm", length_mm));
}

struct SessionStyle {
  int session;
  ChartRgb colour;
  double width_pt;
};

void draw_panel(cairo_t* cr, const Panel& panel, const PlanResult& result,
                const std::vector<SessionStyle>& styles) {
  // Frame and titles.
  set_rgb(cr, kLightGrey);
  cairo_set_line_width(cr, 0.8);
  cairo_rectangle(cr, panel.x0, panel.y0, panel.w, panel.h);
  cairo_stroke(cr);
  set_rgb(cr, kInk);
  set_font(cr, kFontPanelTitle, true);
  draw_text(cr, panel.x0 + 10, panel.y0 + 18, panel.title);
  set_font(cr, kFontSmall);
  set_rgb(cr, kGrey);
  draw_text(cr, panel.x0 + 10, panel.y0 + 31, panel.subtitle);

  // Orientation: the client's right and left on the sides, the face on top of the TOP view.
  set_rgb(cr, kInk);
  set_font(cr, 14, true);
  const double mid_y = panel.cy + 5;
  draw_text(cr, panel.x0 + 6, mid_y, panel.left_label);
  draw_text(cr, panel.x0 + panel.w - 6, mid_y, panel.right_label, Align::kRight);
  set_font(cr, kFontSmall);
  set_rgb(cr, kGrey);
  if (!panel.top_label.empty()) {
    draw_text(cr, panel.x0 + panel.w / 2, panel.y0 + kInsetTop - 8, panel.top_label,
              Align::kCentre);
  }
  if (!panel.bottom_label.empty()) {
    draw_text(cr, panel.x0 + panel.w / 2, panel.y0 + panel.h - kInsetBottom + 14,
              panel.bottom_label, Align::kCentre);
  }

  draw_silhouette(cr, panel);
  if (panel.eyes) draw_eyes(cr, panel, result.head);

  // Labels stay inside the panel and clear of the R / L letters (placed first, as obstacles).
  std::vector<Label> labels = {
      {panel.x0, mid_y - 16, panel.x0 + kInsetSide, mid_y + 4},
      {panel.x0 + panel.w - kInsetSide, mid_y - 16, panel.x0 + panel.w, mid_y + 4}};
  std::vector<std::pair<Vec2, std::string>> zone_labels;
  const double label_min_x = panel.x0 + 4, label_max_x = panel.x0 + panel.w - 4;

  // The dots, one path per session. Within a session they are ordered far to near (painter's
  // order); sessions go first to last, so later, darker sessions sit on top as they do in the
  // skin. A zero-length round-capped segment is a disc in both cairo and SVG and costs about
  // half the bytes of a square and a quarter of a circle made of curves.
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  std::vector<std::pair<float, Vec2>> batch;
  for (const SessionStyle& style : styles) {
    batch.clear();
    for (const Dot& d : result.dots) {
      if (d.session != style.session) continue;
      if (!d.position_mm.allFinite() || !d.normal.allFinite()) continue;
      if (d.normal.dot(panel.axes.toward) <= 0 || !panel.visible(d.position_mm)) continue;
      const Vec2 q = panel.page(d.position_mm);
      batch.emplace_back(static_cast<float>(panel.depth_of(d.position_mm)),
                         Vec2(std::round(q.x() / kDotGridPt) * kDotGridPt,
                              std::round(q.y() / kDotGridPt) * kDotGridPt));
    }
    if (batch.empty()) continue;
    std::stable_sort(batch.begin(), batch.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [depth, q] : batch) {
      cairo_move_to(cr, q.x(), q.y());
      cairo_line_to(cr, q.x(), q.y());
    }
    cairo_set_source_rgb(cr, style.colour.r, style.colour.g, style.colour.b);
    cairo_set_line_width(cr, style.width_pt);
    cairo_stroke(cr);
  }
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);

  // Zone outlines, dashed, over the dots so they stay readable; named at the centre of their
  // visible part.
  set_rgb(cr, kZoneInk);
  cairo_set_line_width(cr, 0.9);
  const std::array<double, 2> dash = {4.0, 2.5};
  cairo_set_dash(cr, dash.data(), 2, 0);
  for (const ZoneSummary& z : result.zones) {
    if (z.boundary_mm.size() < 2) continue;
    const auto visible = draw_visible_polyline(cr, panel, z.boundary_mm, true);
    if (visible.empty()) continue;
    Vec2 c = Vec2::Zero();
    for (const Vec2& p : visible) c += p;
    zone_labels.emplace_back(c / static_cast<double>(visible.size()), valid_utf8(z.name));
  }
  cairo_set_dash(cr, nullptr, 0, 0);

  // The hairline, solid, over the dots so the designed line stays readable.
  if (result.hairline_mm.size() >= 2) {
    set_rgb(cr, kInk);
    cairo_set_line_width(cr, 1.4);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    draw_visible_polyline(cr, panel, result.hairline_mm, false);
  }

  // Hairline points: open markers, named away from the head's centre.
  for (const auto& [name, p] : result.hairline_points) {
    if (!p.allFinite() || !panel.visible(p)) continue;
    const Vec2 q = panel.page(p);
    cairo_new_sub_path(cr);
    cairo_arc(cr, q.x(), q.y(), 2.4, 0, 2 * kPi);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    set_rgb(cr, kInk);
    cairo_set_line_width(cr, 0.9);
    cairo_stroke(cr);
    const bool right_half = q.x() >= panel.cx;
    draw_label(cr, q.x(), 5, q.y() - 3, pretty_name(valid_utf8(name)),
               right_half ? Align::kLeft : Align::kRight, label_min_x, label_max_x, labels);
  }
  for (const auto& [q, name] : zone_labels) {
    draw_label(cr, q.x(), 0, q.y(), name, Align::kCentre, label_min_x, label_max_x, labels);
  }

  draw_scale_bar(cr, panel);
}

void draw_legend(cairo_t* cr, const PlanResult& result, const std::vector<SessionStyle>& styles,
                 const std::map<int, int>& dot_counts) {
  double y = kPanelTop + 14;
  const double x = kLegendX;
  const double max_w = kLegendWidth;
  const double bottom = kPanelTop + kPanelHeight;
  set_rgb(cr, kInk);
  set_font(cr, 11, true);
  draw_text(cr, x, y, "Sessions");
  y += 18;
  for (const SessionStyle& style : styles) {
    const SessionSummary* summary = nullptr;
    for (const SessionSummary& s : result.sessions) {
      if (s.session == style.session) summary = &s;
    }
    auto count_it = dot_counts.find(style.session);
    const int dots =
        summary != nullptr ? summary->dots : (count_it == dot_counts.end() ? 0 : count_it->second);
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + 5, y - 3.5, 4.5, 0, 2 * kPi);
    cairo_set_source_rgb(cr, style.colour.r, style.colour.g, style.colour.b);
    cairo_fill(cr);
    set_rgb(cr, kInk);
    set_font(cr, 9.5, true);
    std::string line = fmt::format("Session {}  \u00b7  {} dots", style.session, grouped(dots));
    if (summary != nullptr && std::isfinite(summary->dilution_water_parts) &&
        summary->dilution_water_parts >= 0) {
      line += "  \u00b7  " + format_dilution_ratio(summary->dilution_water_parts);
    }
    draw_text(cr, x + 15, y, fitted(cr, line, max_w - 15));
    y += 12;
    if (summary != nullptr) {
      set_font(cr, kFontSmall);
      set_rgb(cr, kGrey);
      std::string detail = valid_utf8(summary->date);
      if (std::isfinite(summary->hours)) {
        detail += fmt::format("{}{:.2f} h", detail.empty() ? "" : "  \u00b7  ", summary->hours);
      }
      draw_text(cr, x + 15, y, fitted(cr, detail, max_w - 15));
      y += 12;
    }
    y += 4;
  }

  y += 8;
  set_rgb(cr, kInk);
  set_font(cr, 11, true);
  draw_text(cr, x, y, "Zones");
  y += 16;
  // Room for the key below; zones past it are summarised in one line.
  const double zones_bottom = bottom - 92;
  for (std::size_t i = 0; i < result.zones.size(); ++i) {
    const ZoneSummary& z = result.zones[i];
    if (y + 24 > zones_bottom) {
      set_font(cr, kFontSmall);
      set_rgb(cr, kGrey);
      draw_text(cr, x, y, fmt::format("\u2026 and {} more", result.zones.size() - i));
      y += 14;
      break;
    }
    set_rgb(cr, kInk);
    set_font(cr, 9.5, true);
    draw_text(cr, x, y, fitted(cr, valid_utf8(z.name) + "  (" + valid_utf8(z.kind) + ")", max_w));
    y += 12;
    set_font(cr, kFontSmall);
    set_rgb(cr, kGrey);
    draw_text(cr, x, y,
              fitted(cr,
                     fmt::format("{} dots \u00b7 {:.1f} cm\u00b2 \u00b7 {:.1f}/cm\u00b2 "
                                 "(target {:.1f})",
                                 grouped(z.dots), z.area_cm2, z.realised_density_per_cm2,
                                 z.target_density_per_cm2),
                     max_w));
    y += 15;
  }

  // The key to the marks.
  y = std::max(y + 6, bottom - 80);
  set_rgb(cr, kInk);
  set_font(cr, 11, true);
  draw_text(cr, x, y, "Key");
  y += 16;
  set_font(cr, kFontSmall);
  // Zone outline.
  set_rgb(cr, kZoneInk);
  cairo_set_line_width(cr, 0.9);
  const std::array<double, 2> dash = {4.0, 2.5};
  cairo_set_dash(cr, dash.data(), 2, 0);
  cairo_move_to(cr, x, y - 3);
  cairo_line_to(cr, x + 24, y - 3);
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
  set_rgb(cr, kInk);
  draw_text(cr, x + 32, y, "zone outline");
  y += 14;
  // Hairline.
  cairo_set_line_width(cr, 1.4);
  cairo_move_to(cr, x, y - 3);
  cairo_line_to(cr, x + 24, y - 3);
  cairo_stroke(cr);
  draw_text(cr, x + 32, y, "hairline");
  y += 14;
  // Hairline point.
  cairo_new_sub_path(cr);
  cairo_arc(cr, x + 12, y - 3, 2.4, 0, 2 * kPi);
  cairo_set_line_width(cr, 0.9);
  cairo_stroke(cr);
  draw_text(cr, x + 32, y, "hairline point");
  y += 14;
  set_rgb(cr, kGrey);
  draw_text(cr, x, y, fitted(cr, "Dots are drawn where they face the viewer.", max_w));
}

struct SurfaceCloser {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextCloser {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void check(cairo_status_t status) {
  if (status != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(fmt::format("chart.svg: cairo: {}", cairo_status_to_string(status)));
  }
}

}  // namespace

ChartRgb session_colour(int session) {
  // Okabe-Ito, in the order that keeps neighbouring sessions far apart on light skin; yellow
  // (too pale on skin) and black (reads as the outline) come last.
  static constexpr std::array<ChartRgb, 8> kPalette = {{
      {0x00 / 255.0, 0x72 / 255.0, 0xB2 / 255.0},  // blue
      {0xD5 / 255.0, 0x5E / 255.0, 0x00 / 255.0},  // vermillion
      {0x00 / 255.0, 0x9E / 255.0, 0x73 / 255.0},  // bluish green
      {0xCC / 255.0, 0x79 / 255.0, 0xA7 / 255.0},  // reddish purple
      {0xE6 / 255.0, 0x9F / 255.0, 0x00 / 255.0},  // orange
      {0x56 / 255.0, 0xB4 / 255.0, 0xE9 / 255.0},  // sky blue
      {0x00 / 255.0, 0x00 / 255.0, 0x00 / 255.0},  // black
      {0xF0 / 255.0, 0xE4 / 255.0, 0x42 / 255.0},  // yellow
  }};
  const int n = static_cast<int>(kPalette.size());
  const int k = ((session - 1) % n + n) % n;
  return kPalette[k];
}

std::string chart_svg(const PlanResult& result) {
  // The panels, side by side; the head's extent in each view sets one shared scale so one
  // scale bar holds for all.
  std::array<Panel, kPanels> panels;
  // Labels are moved in whole: GCC 12 warns falsely (-Wrestrict, its bug 105329) on assigning
  // string literals to these members once this function is inlined far enough.
  auto name = [](Panel& p, std::string title, std::string subtitle, std::string left,
                 std::string right) {
    p.title = std::move(title);
    p.subtitle = std::move(subtitle);
    p.left_label = std::move(left);
    p.right_label = std::move(right);
  };
  name(panels[0], "TOP", "Seen from above, face up; client's right on the right", "L", "R");
  panels[0].axes = kTopAxes;
  panels[0].top_label = std::string("ANTERIOR (face)");
  panels[0].bottom_label = std::string("POSTERIOR");
  name(panels[1], "FRONT", "Facing the client; client's right on the viewer's left", "R", "L");
  panels[1].axes = kFrontAxes;
  panels[1].eyes = true;
  name(panels[2], "BACK", "Seen from behind; client's right on the right", "L", "R");
  panels[2].axes = kBackAxes;

  // The lowest mark (dot, hairline, hairline point), for cropping the side views.
  double lowest_z = std::numeric_limits<double>::infinity();
  for (const Dot& d : result.dots) {
    if (std::isfinite(d.position_mm.z())) lowest_z = std::min(lowest_z, d.position_mm.z());
  }
  for (const Vec3& q : result.hairline_mm) {
    if (std::isfinite(q.z())) lowest_z = std::min(lowest_z, q.z());
  }
  for (const auto& [name, q] : result.hairline_points) {
    if (std::isfinite(q.z())) lowest_z = std::min(lowest_z, q.z());
  }

  for (int k = 0; k < kPanels; ++k) {
    Panel& p = panels[k];
    p.x0 = kMargin + k * (kPanelWidth + kPanelGap);
    p.y0 = kPanelTop;
    p.w = kPanelWidth;
    p.h = kPanelHeight;
    p.clip_bottom = p.y0 + p.h - kInsetBottom + 6;
    auto add = [&p](const Vec3& q) {
      if (q.allFinite()) p.bounds.add(q.dot(p.axes.u), q.dot(p.axes.v));
    };
    const TriMesh& mesh = result.head.mesh;
    for (Eigen::Index i = 0; i < mesh.V.rows(); ++i) add(mesh.V.row(i).transpose());
    if (p.bounds.empty()) {
      // No head mesh: frame whatever there is to show.
      for (const Dot& d : result.dots) add(d.position_mm);
      for (const Vec3& q : result.hairline_mm) add(q);
      for (const ZoneSummary& z : result.zones) {
        for (const Vec3& q : z.boundary_mm) add(q);
      }
    }
    if (p.bounds.empty()) p.bounds.add(-100, -100), p.bounds.add(100, 100);
    // Side views (page up = +z) start a little below the lowest mark, when that crops anything.
    const bool side_view = p.axes.v.z() > 0.5;
    if (side_view && std::isfinite(lowest_z) && lowest_z - kBelowLowestMarkMm > p.bounds.v_min &&
        lowest_z - kBelowLowestMarkMm < p.bounds.v_max - 1) {
      p.bounds.v_min = lowest_z - kBelowLowestMarkMm;
    }
  }
  double scale = std::numeric_limits<double>::infinity();
  for (const Panel& p : panels) {
    const double du = std::max(1.0, p.bounds.u_max - p.bounds.u_min);
    const double dv = std::max(1.0, p.bounds.v_max - p.bounds.v_min);
    scale = std::min({scale, (p.w - 2 * kInsetSide) / du, (p.h - kInsetTop - kInsetBottom) / dv});
  }
  for (Panel& p : panels) {
    p.scale = scale;
    p.cx = p.x0 + p.w / 2;
    p.cy = p.y0 + kInsetTop + (p.h - kInsetTop - kInsetBottom) / 2;
    rasterise(p, result.head.mesh);
  }

  // Sessions present in the dots or the summary, in order, with the dot size at chart scale
  // (the mean healed diameter, but never so small it vanishes or so large it blots).
  std::map<int, int> dot_counts;
  std::map<int, double> diameter_sum;
  for (const Dot& d : result.dots) {
    ++dot_counts[d.session];
    if (std::isfinite(d.diameter_mm)) diameter_sum[d.session] += d.diameter_mm;
  }
  std::map<int, bool> session_set;
  for (const auto& [s, n] : dot_counts) session_set[s] = true;
  for (const SessionSummary& s : result.sessions) session_set[s.session] = true;
  std::vector<SessionStyle> styles;
  for (const auto& [s, unused] : session_set) {
    const int n = dot_counts.count(s) ? dot_counts[s] : 0;
    const double mean_mm = n > 0 ? diameter_sum[s] / n : 0.35;
    styles.push_back({s, session_colour(s), std::clamp(mean_mm * scale, 0.9, 2.4)});
  }

  std::string svg;
  std::unique_ptr<cairo_surface_t, SurfaceCloser> surface(
      cairo_svg_surface_create_for_stream(append_to_string, &svg, kChartWidthPt, kChartHeightPt));
  check(cairo_surface_status(surface.get()));
  cairo_svg_surface_restrict_to_version(surface.get(), CAIRO_SVG_VERSION_1_1);
  {
    std::unique_ptr<cairo_t, ContextCloser> context(cairo_create(surface.get()));
    cairo_t* cr = context.get();
    check(cairo_status(cr));

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);

    // Title: the plan, the client, the pattern.
    const Plan& plan = result.plan;
    set_rgb(cr, kInk);
    set_font(cr, kFontTitle, true);
    const std::string name = plan.name.empty() ? "Untitled plan" : valid_utf8(plan.name);
    draw_text(cr, kMargin, 34, fitted(cr, name, kChartWidthPt - 2 * kMargin));
    set_font(cr, kFontSubtitle);
    set_rgb(cr, kGrey);
    const std::string subtitle = fmt::format(
        "Client: {}   \u00b7   Pattern: {}   \u00b7   Head: {}   \u00b7   Seed {}   \u00b7   "
        "Stipple {}",
        plan.client.empty() ? "\u2014" : valid_utf8(plan.client), valid_utf8(plan.pattern),
        valid_utf8(result.head.source), plan.seed, STIPPLE_VERSION);
    draw_text(cr, kMargin, 54, fitted(cr, subtitle, kChartWidthPt - 2 * kMargin));

    for (const Panel& p : panels) draw_panel(cr, p, result, styles);
    draw_legend(cr, result, styles, dot_counts);

    // Caption: what the plan amounts to.
    double hours = 0;
    for (const SessionSummary& s : result.sessions) hours += std::isfinite(s.hours) ? s.hours : 0;
    const std::size_t session_count = styles.size();
    set_rgb(cr, kInk);
    set_font(cr, 10.5);
    std::string caption = fmt::format(
        "Treated area {:.1f} cm\u00b2   \u00b7   {} dots in {} session{}   \u00b7   {:.2f} h",
        std::isfinite(result.treated_area_cm2) ? result.treated_area_cm2 : 0.0,
        grouped(static_cast<long long>(result.dots.size())), session_count,
        session_count == 1 ? "" : "s", hours);
    if (std::isfinite(result.quote.total) && result.quote.total > 0) {
      caption += fmt::format("   \u00b7   quote {} {}", valid_utf8(result.quote.currency),
                             money(result.quote.total));
    }
    draw_text(cr, kMargin, kPanelTop + kPanelHeight + 26,
              fitted(cr, caption, kChartWidthPt - 2 * kMargin));
    set_font(cr, kFontSmall);
    set_rgb(cr, kGrey);
    draw_text(cr, kMargin, kPanelTop + kPanelHeight + 42,
              "Head frame: millimetres, origin at the midpoint of the tragia, +x the client's "
              "right, +y anterior, +z up. Dot colours: sessions (Okabe-Ito palette).");
    check(cairo_status(cr));
  }
  cairo_surface_finish(surface.get());
  check(cairo_surface_status(surface.get()));
  // cairo numbers its surfaces with a process-wide counter ("<g id=\"surface41\">"); a fixed id
  // makes the same result give the same bytes however many charts the process drew before.
  const std::string surface_id = "<g id=\"surface";
  if (const auto at = svg.find(surface_id); at != std::string::npos) {
    const auto digits = at + surface_id.size();
    const auto end = svg.find('"', digits);
    // (count, char) form: the pointer form trips the same GCC 12 false -Wrestrict as above.
    if (end != std::string::npos) svg.replace(digits, end - digits, 1, '1');
  }
  return svg;
}

void write_chart_svg(const PlanResult& result, const std::string& path) {
  const std::string svg = chart_svg(result);
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(svg.data(), static_cast<std::streamsize>(svg.size()));
  });
}

}  // namespace stipple
