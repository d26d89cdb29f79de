#include "stipple/render/image_io.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include "stipple/output/write_file.h"

namespace stipple {

void write_image(const cv::Mat& image, const std::string& path, const std::string& field) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<int> params;
  if (ext == ".png") {
    params = {cv::IMWRITE_PNG_COMPRESSION, 6};
  } else if (ext == ".jpg" || ext == ".jpeg") {
    params = {cv::IMWRITE_JPEG_QUALITY, 92};
  } else {
    throw std::invalid_argument(
        fmt::format("{}: \"{}\" must end in .png, .jpg or .jpeg (the format follows the extension)",
                    field, path));
  }
  if (image.empty() || image.type() != CV_8UC3) {
    throw std::invalid_argument(fmt::format("{}: nothing to write to \"{}\"", field, path));
  }
  std::vector<unsigned char> bytes;
  if (!cv::imencode(ext, image, bytes, params)) {
    throw std::runtime_error(fmt::format("{}: could not encode \"{}\"", field, path));
  }
  write_file_atomically(path, [&](std::ostream& os) {
    os.write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  });
}

}  // namespace stipple
