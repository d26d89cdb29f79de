// A small reader for the surfaces and fiducials in FIF files (the Neuromag/MNE format).
//
// Why: the only real head scan the tests can count on is fsaverage's scalp, shipped by Debian's
// python3-mne as a FIF "BEM surface" (fsaverage-head.fif, metres, FreeSurfer surface RAS), with
// its fiducials (LPA, nasion, RPA) in fsaverage-fiducials.fif. No C++ library in Debian reads FIF
// (MNE-CPP is not packaged), and the subset needed is small: a tagged big-endian stream.
//
// Layout (MNE's io/tag.py, io/constants.py): each tag is kind, type, size, next (int32,
// big-endian) followed by `size` bytes of data; next = 0 means the next tag follows, -1 that this
// is the last tag, a positive value is the file offset of the next tag. Blocks are bracketed by
// FIFF_BLOCK_START (104) and FIFF_BLOCK_END (105) tags whose data is the block kind.
// A BEM surface is block FIFFB_BEM_SURF (311) holding FIFF_BEM_SURF_ID (3101), _NNODE (3103),
// _NTRI (3104), _NODES (3105, float matrix nnode x 3) and _TRIANGLES (3106, int matrix ntri x 3,
// 1-based). A dense matrix tag stores its elements, then its dimensions last-first, then the
// number of dimensions. Fiducials are FIFF_DIG_POINT (213) tags in block FIFFB_ISOTRAK (107),
// each {kind, ident int32; r float32[3]}: kind 1 (cardinal) with ident 1 LPA, 2 nasion, 3 RPA.
// The constant values were checked against mne/io/constants.py of python3-mne 1.3.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "stipple/geometry/mesh.h"
#include "stipple/geometry/mesh_io.h"

namespace stipple {

struct FifSurface {
  int id = -1;           // FIFFV_BEM_SURF_ID: 1 brain, 2 CSF, 3 skull, 4 head; -1 if absent
  int coord_frame = -1;  // FIFF_MNE_COORD_FRAME of the file (5 = MRI surface RAS), -1 if absent
  TriMesh mesh;          // as stored: metres, faces as in the file (0-based here)
};

// All BEM surfaces in the file, in file order. Throws std::runtime_error naming the file, the
// tag offset and the problem (not a FIF file, truncated tag, counts that disagree, index out of
// range, limits of MeshIoLimits exceeded, no surface).
std::vector<FifSurface> read_fif_surfaces(const std::string& path, const MeshIoLimits& limits = {});

// The head (scalp) surface: the surface with id 4, else the only surface in the file.
FifSurface read_fif_head_surface(const std::string& path, const MeshIoLimits& limits = {});

// The cardinal points of the file in metres: keys "lpa", "nasion", "rpa" (those present).
std::map<std::string, Vec3> read_fif_fiducials(const std::string& path);

}  // namespace stipple
