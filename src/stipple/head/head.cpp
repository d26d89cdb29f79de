#include "stipple/head/head.h"

#include <fmt/format.h>

#include <stdexcept>

namespace stipple {

const Vec3& landmark(const Head& head, const std::string& name) {
  auto it = head.landmarks.find(name);
  if (it == head.landmarks.end()) {
    throw std::out_of_range(fmt::format("head has no landmark '{}'", name));
  }
  return it->second;
}

}  // namespace stipple
