// Heads from scanned meshes, and the mesh measurements every head (scanned or parametric) uses.
//
// A scan comes in its scanner's coordinates and units with a few hand-placed landmarks. Loading
// it builds the head frame from the landmarks (head.h: origin at the tragion midpoint, +x toward
// the right tragion, +y toward the nasion, +z = x cross y), moves mesh and landmarks into it,
// snaps the landmarks onto the surface, estimates the optional landmarks that are missing,
// orients the faces outward, picks a centre from which the scalp is star-shaped (the sampler
// builds a cube map of radii about it) and measures the head as an anthropometrist would.
// The landmarks file format is documented in docs/head.md.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "stipple/geometry/mesh.h"
#include "stipple/head/head.h"

namespace stipple {

// Loads a mesh (.obj, .ply, or .fif BEM surface) and its landmarks JSON, scales the mesh by
// units_to_mm (e.g. 1000 for a mesh in metres; allowed 1e-6 - 1e6) and builds the Head.
// Throws std::runtime_error for unreadable files and std::invalid_argument for bad content,
// naming the file, the field and what is wrong.
Head load_scanned_head(const std::string& mesh_path, const std::string& landmarks_json_path,
                       double units_to_mm);

// Reads a landmarks JSON file: {"stipple_head_landmarks": 1, "units": "mm" | "m",
// "points": {"nasion": [x, y, z], ...}}; returns the points in mm (same axes as the file).
std::map<std::string, Vec3> read_landmarks_json(const std::string& path);

// The core of load_scanned_head: `mesh_mm` and `landmarks_mm` in the scan's coordinates (mm).
// Needs left_tragion, right_tragion and nasion; the other anatomical landmarks are estimated on
// the surface when missing (vertex: the highest point in the head frame). `source` is recorded.
Head make_scanned_head(TriMesh mesh_mm, const std::map<std::string, Vec3>& landmarks_mm,
                       const std::string& source);

// ---- Mesh queries shared by the head builders and their tests ----

// Signed volume enclosed by the faces (mm3): positive when they wind counter-clockwise seen from
// outside (outward normals), for a closed mesh.
double signed_volume_mm3(const TriMesh& mesh);

// True if every edge belongs to exactly two faces that traverse it in opposite directions
// (closed, manifold, consistently oriented).
bool is_watertight(const TriMesh& mesh);

// Nearest intersection of the ray origin + t dir, t > 0, with the mesh (brute force).
std::optional<Vec3> ray_hit(const TriMesh& mesh, const Vec3& origin, const Vec3& dir);

// The test ray_hit applies to each face: t > 1e-12 where origin + t dir meets triangle (a, b, c)
// (Moller-Trumbore, barycentric tolerance 1e-12), or nothing.
std::optional<double> ray_triangle_t(const Vec3& origin, const Vec3& dir, const Vec3& a,
                                     const Vec3& b, const Vec3& c);

// Closest point of the mesh surface to p (brute force over faces).
Vec3 closest_point_on_mesh(const TriMesh& mesh, const Vec3& p);

// Number of faces with a vertex above z_min_mm that a ray from `centre` would cross from the
// outside in (the face turns its back to the centre) or along its plane. Zero means every ray
// from the centre toward that part of the head meets the surface exactly once there.
int count_non_star_faces(const TriMesh& mesh, const Vec3& centre, double z_min_mm);

// Measurements as an anthropometrist takes them, on a head-frame mesh with its landmarks:
//   circumference: the mesh cut by the plane through glabella and opisthocranion that contains
//     the x axis direction; the perimeter of the convex hull of the cut loop through the
//     glabella (a tape bridges hollows);
//   length: glabella to opisthocranion;
//   width: largest x extent of the vertices above 0.3 x the vertex height (above the ears);
//   vertex_height: z of the vertex landmark.
// Needs landmarks glabella, opisthocranion and vertex; throws std::invalid_argument otherwise.
HeadMeasurements measure_head(const TriMesh& mesh, const std::map<std::string, Vec3>& landmarks);

}  // namespace stipple
