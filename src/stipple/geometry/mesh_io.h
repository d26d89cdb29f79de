// Triangle meshes from and to files: Wavefront OBJ and PLY (ascii, binary little- and big-endian).
//
// Scanned heads arrive as OBJ or PLY from phone apps, photogrammetry and structured-light
// scanners; both formats are simple enough that a small careful reader beats pulling in a
// general mesh library (assimp, Open3D) for two formats. The readers are written for hostile
// input: every count, index and byte is checked, sizes are capped before anything is allocated,
// and every error names the file, the line or element, and what is wrong.
//
// OBJ: `v x y z [w | r g b]` and `f` lines; face corners as `i`, `i/t`, `i//n` or `i/t/n`;
// negative indices count back from the last vertex read; polygons are fan-triangulated.
// Other statements (vt, vn, g, o, s, usemtl, mtllib, l, p, comments) are ignored.
// PLY: `element vertex` with scalar x, y, z of any PLY type (float and double typical);
// `element face` with a list property `vertex_indices` (or `vertex_index`) of any integer count
// and index types; other properties and elements are skipped. Polygons are fan-triangulated.
// Fan triangulation is right for the convex polygons scanners write; it keeps the winding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stipple/geometry/mesh.h"

namespace stipple {

struct MeshIoLimits {
  std::uint64_t max_file_bytes = 256ull << 20;  // 256 MiB
  std::int64_t max_vertices = 5'000'000;
  std::int64_t max_faces = 5'000'000;  // triangles, after fan triangulation
};

// Read a mesh; throws std::runtime_error naming the file and the problem (cannot open, too
// large, malformed, index out of range, non-finite coordinate, no faces).
TriMesh read_obj(const std::string& path, const MeshIoLimits& limits = {});
TriMesh read_ply(const std::string& path, const MeshIoLimits& limits = {});
// Dispatches on the extension (.obj or .ply, any case); throws for any other.
TriMesh read_mesh(const std::string& path, const MeshIoLimits& limits = {});

// The same parsers over bytes already in memory; `name` is used in error messages.
TriMesh parse_obj(std::string_view text, const std::string& name, const MeshIoLimits& limits = {});
TriMesh parse_ply(std::string_view bytes, const std::string& name, const MeshIoLimits& limits = {});

// Write OBJ (v and f lines, each double in its shortest form that reads back exactly) and binary
// little-endian PLY (double x y z; uchar count, int indices). Throw std::runtime_error if the
// file cannot be written.
void write_obj(const TriMesh& mesh, const std::string& path);
void write_ply(const TriMesh& mesh, const std::string& path);

// The whole file as bytes, refusing one larger than max_bytes. Throws std::runtime_error
// "PATH: ..." naming what went wrong (missing, too large, unreadable).
std::string read_file_bytes(const std::string& path, std::uint64_t max_bytes);

}  // namespace stipple
