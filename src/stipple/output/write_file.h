// Writing output files whole or not at all, and numbers as people read them.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace stipple {

// Writes `path` through `write` into `path.tmp`, then renames it over `path`: a reader never
// sees half a file, and a failure (an exception from `write`, a full disk) leaves the old file
// and no temporary behind. Throws std::runtime_error naming the file.
void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write);

// Thousands separators: 31240 -> "31,240".
std::string grouped(long long n);

// Two decimals with thousands separators: 10500 -> "10,500.00".
std::string money(double amount);

}  // namespace stipple
