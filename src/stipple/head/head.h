// The head: the canonical space every plan lives in.
//
// The head frame (documented in docs/formats.md) is anatomical, in millimetres, right-handed:
//   origin  the midpoint of the left and right tragion (the ear-canal notches),
//   +x      toward the subject's right tragion,
//   +y      anterior (toward the face), perpendicular to x, in the plane of the tragia and nasion,
//   +z      superior, x cross y.
// This is the RAS convention of neuroimaging (fsaverage, MNI), so scanned heads come in unrotated.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "stipple/geometry/mesh.h"

namespace stipple {

// Adult head measurements (mm). Defaults: ANSUR II 2012 male means (Gordon et al. 2014,
// "2012 Anthropometric Survey of U.S. Army Personnel", NATICK/TR-15/007; means of the 4,082 men
// of the public ANSUR II male data): head circumference 574.4 mm, head length
// (glabella-opisthocranion) 199.5 mm, head breadth 154.3 mm, tragion to top of head 131.1 mm.
// (570.0, 196.3, 152.2 and 129.6 mm are the means of men and women pooled, 6,068 people.)
// Ranges cover adults of both sexes with margin.
struct HeadMeasurements {
  double circumference_mm = 574.4;  // allowed 480 - 660
  double length_mm = 199.5;         // glabella to opisthocranion, allowed 165 - 225
  double width_mm = 154.3;          // biparietal breadth, allowed 130 - 175
  double vertex_height_mm = 131.1;  // vertex above the tragion line, allowed 105 - 160
};

// Landmark names every head carries (mm, on the surface, head frame).
inline const std::vector<std::string>& anatomical_landmark_names() {
  static const std::vector<std::string> names = {
      "glabella",      "nasion",       "subnasale",     "menton", "left_canthus",
      "right_canthus", "left_tragion", "right_tragion", "vertex", "opisthocranion"};
  return names;
}

struct Head {
  TriMesh mesh;                           // closed surface, mm, head frame
  std::map<std::string, Vec3> landmarks;  // anatomical_landmark_names(), mm
  Vec3 centre = Vec3(0, 0, 40);           // a point inside the cranium from which the scalp
                                          // is star-shaped (every ray meets it once)
  HeadMeasurements measurements;          // as built, or as measured on a scan
  std::string source = "parametric";      // "parametric" or the scan's file name
};

// Looks up a landmark; throws std::out_of_range naming it when missing.
const Vec3& landmark(const Head& head, const std::string& name);

}  // namespace stipple
