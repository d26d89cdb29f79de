#include "stipple/head/fif_surface.h"

#include "stipple/geometry/mesh_io.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>

namespace stipple {
namespace {

// Tag kinds and types (mne/io/constants.py).
constexpr std::int32_t kFileId = 100;
constexpr std::int32_t kBlockStart = 104;
constexpr std::int32_t kBlockEnd = 105;
constexpr std::int32_t kDigPoint = 213;
constexpr std::int32_t kBemSurfId = 3101;
constexpr std::int32_t kBemSurfNNode = 3103;
constexpr std::int32_t kBemSurfNTri = 3104;
constexpr std::int32_t kBemSurfNodes = 3105;
constexpr std::int32_t kBemSurfTriangles = 3106;
constexpr std::int32_t kMneCoordFrame = 3506;
constexpr std::int32_t kBlockBemSurf = 311;
constexpr std::int32_t kTypeInt = 3;
constexpr std::int32_t kTypeFloat = 4;
constexpr std::int32_t kTypeDigPoint = 33;
constexpr std::int32_t kMatrixDense = 0x40000000;
constexpr std::int32_t kMaxTags = 10'000'000;

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw std::runtime_error(fmt::format("{}: {}", name, what));
}

std::int32_t be_i32(const unsigned char* p) {
  const std::uint32_t u = (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) |
                          (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
  std::int32_t v;
  std::memcpy(&v, &u, 4);
  return v;
}

float be_f32(const unsigned char* p) {
  const std::uint32_t u = (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) |
                          (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
  float v;
  std::memcpy(&v, &u, 4);
  return v;
}

struct Tag {
  std::int32_t kind = 0;
  std::int32_t type = 0;
  std::size_t offset = 0;  // of the tag header
  const unsigned char* data = nullptr;
  std::size_t size = 0;
};

// Walks the tag stream, calling visit(tag) for each; checks every header and size.
template <typename Visit>
void walk_tags(const std::string& bytes, const std::string& name, Visit visit) {
  const auto* base = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t pos = 0;
  for (std::int32_t count = 0;; ++count) {
    if (count >= kMaxTags) fail(name, "too many tags");
    if (n - pos < 16) {
      if (pos == n && count > 0) return;  // files may end without a next = -1 tag
      fail(name, fmt::format("file ends inside the tag header at byte {}", pos));
    }
    Tag tag;
    tag.kind = be_i32(base + pos);
    tag.type = be_i32(base + pos + 4);
    const std::int32_t size = be_i32(base + pos + 8);
    const std::int32_t next = be_i32(base + pos + 12);
    tag.offset = pos;
    if (count == 0 && tag.kind != kFileId) fail(name, "not a FIF file (no file id tag first)");
    if (size < 0 || static_cast<std::size_t>(size) > n - pos - 16) {
      fail(name, fmt::format("tag {} at byte {} has size {}, but only {} bytes follow", tag.kind,
                             pos, size, n - pos - 16));
    }
    tag.size = static_cast<std::size_t>(size);
    tag.data = base + pos + 16;
    visit(tag);
    if (next == -1) return;
    if (next == 0) {
      pos += 16 + tag.size;
    } else {
      // A jump must go forward, so a crafted file cannot make the walk loop.
      if (next < 0 || static_cast<std::size_t>(next) <= pos || static_cast<std::size_t>(next) > n) {
        fail(name, fmt::format("tag {} at byte {} points to byte {}", tag.kind, pos, next));
      }
      pos = static_cast<std::size_t>(next);
    }
  }
}

std::int32_t tag_int(const Tag& t, const std::string& name) {
  if (t.type != kTypeInt || t.size < 4) {
    fail(name, fmt::format("tag {} at byte {} should hold an int", t.kind, t.offset));
  }
  return be_i32(t.data);
}

// Reads a matrix tag (dense matrix of element type `elem`, or a plain array of that type)
// of rows x 3; returns the row count.
std::size_t tag_matrix_rows3(const Tag& t, std::int32_t elem, const std::string& name,
                             const char* what) {
  std::size_t count = 0;  // elements
  if (t.type == (kMatrixDense | elem)) {
    if (t.size < 4) fail(name, fmt::format("{} matrix at byte {} is truncated", what, t.offset));
    const std::int32_t ndim = be_i32(t.data + t.size - 4);
    if (ndim != 2 || t.size < 12) {
      fail(name, fmt::format("{} at byte {} has {} dimensions, expected 2", what, t.offset, ndim));
    }
    // Dimensions are stored last-first: columns, then rows.
    const std::int32_t cols = be_i32(t.data + t.size - 12);
    const std::int32_t rows = be_i32(t.data + t.size - 8);
    if (cols != 3 || rows < 0) {
      fail(name,
           fmt::format("{} at byte {} is {} x {}, expected N x 3", what, t.offset, rows, cols));
    }
    count = static_cast<std::size_t>(rows) * 3;
    if (count * 4 + 12 != t.size) {
      fail(name, fmt::format("{} at byte {}: {} x 3 elements do not fit its {} bytes", what,
                             t.offset, rows, t.size));
    }
  } else if (t.type == elem) {
    if (t.size % 12 != 0) {
      fail(name, fmt::format("{} at byte {}: {} bytes is not a whole number of rows", what,
                             t.offset, t.size));
    }
    count = t.size / 4;
  } else {
    fail(name, fmt::format("{} at byte {} has type {:#x}, expected {:#x}", what, t.offset,
                           static_cast<std::uint32_t>(t.type),
                           static_cast<std::uint32_t>(kMatrixDense | elem)));
  }
  return count / 3;
}

}  // namespace

std::vector<FifSurface> read_fif_surfaces(const std::string& path, const MeshIoLimits& limits) {
  const std::string bytes = read_file_bytes(path, limits.max_file_bytes);
  std::vector<FifSurface> out;
  std::vector<std::int32_t> blocks;
  int coord_frame = -1;
  // The surface being read.
  struct Pending {
    int id = -1;
    std::optional<std::int32_t> nnode, ntri;
    Tag nodes_tag, tris_tag;
    bool has_nodes = false, has_tris = false;
  } cur;

  auto finish = [&](std::size_t offset) {
    if (!cur.has_nodes || !cur.has_tris) {
      fail(path, fmt::format("BEM surface ending at byte {} lacks its {}", offset,
                             cur.has_nodes ? "triangles" : "nodes"));
    }
    const std::size_t nv = tag_matrix_rows3(cur.nodes_tag, kTypeFloat, path, "surface nodes");
    const std::size_t nt = tag_matrix_rows3(cur.tris_tag, kTypeInt, path, "surface triangles");
    if (cur.nnode && static_cast<std::size_t>(*cur.nnode) != nv) {
      fail(path, fmt::format("BEM surface says {} nodes but stores {}", *cur.nnode, nv));
    }
    if (cur.ntri && static_cast<std::size_t>(*cur.ntri) != nt) {
      fail(path, fmt::format("BEM surface says {} triangles but stores {}", *cur.ntri, nt));
    }
    if (nv == 0 || nt == 0) fail(path, "BEM surface has no nodes or no triangles");
    if (static_cast<std::int64_t>(nv) > limits.max_vertices ||
        static_cast<std::int64_t>(nt) > limits.max_faces) {
      fail(path, fmt::format("BEM surface has {} nodes and {} triangles, the limits are {} and {}",
                             nv, nt, limits.max_vertices, limits.max_faces));
    }
    FifSurface s;
    s.id = cur.id;
    s.coord_frame = coord_frame;
    s.mesh.V.resize(static_cast<Eigen::Index>(nv), 3);
    for (std::size_t i = 0; i < nv * 3; ++i) {
      const double x = be_f32(cur.nodes_tag.data + 4 * i);
      if (!std::isfinite(x)) fail(path, fmt::format("surface node {} is not finite", i / 3));
      s.mesh.V(static_cast<Eigen::Index>(i / 3), static_cast<Eigen::Index>(i % 3)) = x;
    }
    s.mesh.F.resize(static_cast<Eigen::Index>(nt), 3);
    for (std::size_t i = 0; i < nt * 3; ++i) {
      const std::int32_t k = be_i32(cur.tris_tag.data + 4 * i);  // 1-based
      if (k < 1 || static_cast<std::size_t>(k) > nv) {
        fail(path, fmt::format("surface triangle {} names node {}, allowed 1 - {}", i / 3, k, nv));
      }
      s.mesh.F(static_cast<Eigen::Index>(i / 3), static_cast<Eigen::Index>(i % 3)) = k - 1;
    }
    out.push_back(std::move(s));
    cur = Pending{};
  };

  walk_tags(bytes, path, [&](const Tag& t) {
    const bool in_surf = !blocks.empty() && blocks.back() == kBlockBemSurf;
    switch (t.kind) {
      case kBlockStart: {
        const std::int32_t kind = tag_int(t, path);
        if (blocks.size() > 64) fail(path, "blocks nested too deeply");
        blocks.push_back(kind);
        if (kind == kBlockBemSurf) cur = Pending{};
        break;
      }
      case kBlockEnd:
        if (blocks.empty())
          fail(path, fmt::format("block end at byte {} without a start", t.offset));
        if (blocks.back() == kBlockBemSurf) finish(t.offset);
        blocks.pop_back();
        break;
      case kMneCoordFrame:
        coord_frame = tag_int(t, path);
        break;
      case kBemSurfId:
        if (in_surf) cur.id = tag_int(t, path);
        break;
      case kBemSurfNNode:
        if (in_surf) cur.nnode = tag_int(t, path);
        break;
      case kBemSurfNTri:
        if (in_surf) cur.ntri = tag_int(t, path);
        break;
      case kBemSurfNodes:
        if (in_surf) {
          cur.nodes_tag = t;
          cur.has_nodes = true;
        }
        break;
      case kBemSurfTriangles:
        if (in_surf) {
          cur.tris_tag = t;
          cur.has_tris = true;
        }
        break;
      default:
        break;
    }
  });
  if (out.empty()) fail(path, "the file holds no BEM surface");
  return out;
}

FifSurface read_fif_head_surface(const std::string& path, const MeshIoLimits& limits) {
  std::vector<FifSurface> all = read_fif_surfaces(path, limits);
  for (FifSurface& s : all) {
    if (s.id == 4) return std::move(s);
  }
  if (all.size() == 1) return std::move(all.front());
  fail(path, fmt::format("{} surfaces and none is the head (id 4)", all.size()));
}

std::map<std::string, Vec3> read_fif_fiducials(const std::string& path) {
  const std::string bytes = read_file_bytes(path, 64ull << 20);
  std::map<std::string, Vec3> out;
  std::vector<std::int32_t> blocks;
  walk_tags(bytes, path, [&](const Tag& t) {
    if (t.kind == kBlockStart) {
      if (blocks.size() > 64) fail(path, "blocks nested too deeply");
      blocks.push_back(tag_int(t, path));
    } else if (t.kind == kBlockEnd) {
      if (blocks.empty()) fail(path, fmt::format("block end at byte {} without a start", t.offset));
      blocks.pop_back();
    } else if (t.kind == kDigPoint) {
      // Read wherever they are (MNE puts them in block FIFFB_ISOTRAK, 107).
      if (t.type != kTypeDigPoint || t.size % 20 != 0) {
        fail(path, fmt::format("digitised point at byte {} is malformed", t.offset));
      }
      for (std::size_t k = 0; k < t.size / 20; ++k) {
        const unsigned char* p = t.data + 20 * k;
        const std::int32_t kind = be_i32(p);
        const std::int32_t ident = be_i32(p + 4);
        const Vec3 r(be_f32(p + 8), be_f32(p + 12), be_f32(p + 16));
        if (kind != 1 || !r.allFinite()) continue;  // 1 = FIFFV_POINT_CARDINAL
        if (ident == 1) out["lpa"] = r;
        if (ident == 2) out["nasion"] = r;
        if (ident == 3) out["rpa"] = r;
      }
    }
  });
  return out;
}

}  // namespace stipple
