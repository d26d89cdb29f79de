// dots.csv: the dot map as CSV, one row a dot (the format is specified in docs/formats.md).
//
// It is a contract with the web front end, clinics' own tools and the tests: the header, the
// column order, the units and the number formatting change only with a format version bump.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "stipple/output/plan_result.h"
#include "stipple/sampling/dots.h"

namespace stipple {

// The exact first line of every dots.csv (without the line break).
inline constexpr std::string_view kDotsCsvHeader =
    "id,session,x_mm,y_mm,z_mm,nx,ny,nz,zone,diameter_mm,depth_mm,dilution,density_per_cm2";

// read_dots_csv refuses files with more rows than this (a plan at the densest allowed setting
// over a whole scalp is ~1.5 million dots; the limit bounds memory on hostile input).
inline constexpr std::size_t kDotsCsvMaxRows = 5'000'000;

// A malformed dots.csv; the message names the file, the line and the column.
class DotsCsvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "20:1", "7.5:1", "0:1" (undiluted): the water parts with at most 3 decimals and no trailing
// zeros, then ":1". Unlike the plan file's format_dilution (plan_json.h: "undiluted", shortest
// round-trip digits), every dots.csv and summary.json value has this one shape, so a
// spreadsheet can split it on ':'. Throws std::invalid_argument for a negative or non-finite
// value.
std::string format_dilution_ratio(double water_parts);

// Inverse of format_dilution_ratio ("W:1" with W >= 0, pigment parts exactly 1). Throws
// std::invalid_argument naming the text when it is not of that form.
double parse_dilution_ratio(std::string_view text);

// Writes the header and one row per dot of result.dots, in DotMap order, with '\n' line ends.
// Zone names come from result.plan.zones[dot.zone].name. Throws std::invalid_argument naming
// the dot when its zone index is out of range or a value is not finite (nothing would read
// such a row back), and std::runtime_error when the stream fails.
void write_dots_csv(const PlanResult& result, std::ostream& out);

// The same to a file: written next to it under a temporary name and renamed into place, so a
// failed run never leaves a half-written dots.csv. Throws std::runtime_error naming the path.
void write_dots_csv(const PlanResult& result, const std::string& path);

// Reads a dots.csv back. zone_names maps the zone column to Dot::zone (its index). Strict: the
// header must match kDotsCsvHeader, every row must have 13 well-formed fields, numbers must be
// finite, normals unit length (within the written precision), sessions >= 1, diameters and
// depths > 0, at most `max_rows` rows. Throws DotsCsvError naming the source, line and column.
// `source_name` is used in messages only.
DotMap read_dots_csv(std::istream& in, const std::vector<std::string>& zone_names,
                     const std::string& source_name = "dots.csv",
                     std::size_t max_rows = kDotsCsvMaxRows);
DotMap read_dots_csv(const std::string& path, const std::vector<std::string>& zone_names);

}  // namespace stipple
