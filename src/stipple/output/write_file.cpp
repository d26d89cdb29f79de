#include "stipple/output/write_file.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace stipple {
namespace {

std::string group_digits(const std::string& digits) {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write) {
  namespace fs = std::filesystem;
  fs::path tmp(path);
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(fmt::format("cannot open '{}' for writing", tmp.string()));
    try {
      write(out);
      out.close();
      if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", tmp.string()));
    } catch (...) {
      out.close();
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error(fmt::format("cannot write '{}': {}", path, ec.message()));
  }
}

std::string grouped(long long n) {
  std::string out = n < 0 ? "-" : "";
  out += group_digits(std::to_string(n < 0 ? -n : n));
  return out;
}

std::string money(double amount) {
  const std::string fixed = fmt::format("{:.2f}", std::abs(amount));
  const auto dot = fixed.find('.');
  std::string out = amount < 0 ? "-" : "";
  out += group_digits(fixed.substr(0, dot));
  out += fixed.substr(dot);
  return out;
}

}  // namespace stipple
