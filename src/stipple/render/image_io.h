// Writing pictures: PNG (lossless, for tests and documents) or JPEG (quality 92, for sharing),
// chosen by the file's extension, written whole or not at all.
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace stipple {

// Writes an 8-bit B, G, R image to `path` (.png, .jpg or .jpeg, any case). Throws
// std::invalid_argument naming `field` and the path for another extension or an empty image,
// std::runtime_error when the file cannot be written.
void write_image(const cv::Mat& image, const std::string& path, const std::string& field = "out");

}  // namespace stipple
