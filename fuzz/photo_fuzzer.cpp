// libFuzzer target for what a photo brings in from outside (make fuzz): the photo header reader
// (format, size and EXIF, read before any pixel is decoded, the decompression-bomb guard) and
// the landmarks sidecar parser. Any input must give a result or std::invalid_argument: another
// exception escaping, a crash or a sanitizer report is a bug. The pixel decoders themselves are
// OpenCV's (libjpeg-turbo, libpng, libwebp), fuzzed upstream, and are not run here.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>

#include "stipple/photo/landmarks.h"
#include "stipple/photo/photo_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the file name the bytes claim to be.
  static const char* const kNames[] = {"p.jpg", "p.jpeg", "p.png", "p.webp", "p.gif"};
  const std::string name = kNames[data[0] % 5];
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  try {
    const stipple::PhotoHeader h = stipple::read_photo_header(bytes, name);
    if (h.stored_width_px < 1 || h.stored_height_px < 1 ||
        static_cast<std::int64_t>(h.stored_width_px) * h.stored_height_px >
            stipple::kMaxPhotoPixels ||
        h.exif_orientation < 1 || h.exif_orientation > 8) {
      std::fprintf(stderr, "a header passed with %d x %d px, orientation %d\n", h.stored_width_px,
                   h.stored_height_px, h.exif_orientation);
      std::abort();
    }
  } catch (const std::invalid_argument&) {
  }
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    stipple::parse_landmarks(text, "fuzz.json", cv::Size(640, 480));
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
