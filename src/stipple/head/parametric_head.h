// The parametric adult head: a closed triangle mesh in the head frame (head.h), shaped like a
// head (sloped forehead and brow ridges, flat parietal sides, occipital bulge, a face narrower
// than the cranium with orbits, cheekbones, nose, lips and chin, a neck stub closed below) and
// scaled so that four tape-and-caliper measurements come out as asked.
//
// The surface is a radial graph about Head::centre: every vertex is centre + r(d) d for the
// directions d of an icosphere, so every ray from the centre meets it exactly once (the sampler's
// cube map of radii relies on that) and edges are 1 - 2 mm on the scalp at 6 subdivisions.
// r(d) is built from three outline curves (midsagittal with and without the nose and lips, and
// coronal), blended around each cone of constant elevation by a superellipse, plus a few local
// bumps and hollows; the model and its sources are in docs/head.md.
#pragma once

#include "stipple/head/head.h"

namespace stipple {

// Throws std::invalid_argument naming the field, its value and the allowed range (head.h) for a
// measurement that is out of range or not finite.
void validate_head_measurements(const HeadMeasurements& m);

// Builds the head. Measured on the result (measure_head in scanned_head.h) circumference,
// length, width and vertex height are within 0.1 % of `m`. Head::measurements holds `m`.
// subdivisions of the icosphere: 3 - 8 (6: 40,962 vertices, 81,920 faces).
// Throws std::invalid_argument for measurements out of range, for a circumference that no head
// of this shape reaches with that length and width (the message gives the reachable range), and
// for subdivisions out of range. Deterministic: the same input gives the same mesh, bit for bit.
Head make_parametric_head(const HeadMeasurements& m = {}, int subdivisions = 6);

}  // namespace stipple
