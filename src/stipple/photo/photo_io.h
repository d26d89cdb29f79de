// Reading a client's photo: JPEG, PNG or WebP, upright (the EXIF orientation applied), with the
// few facts registration needs (the 35 mm equivalent focal length when the camera wrote it).
//
// A photo comes from a client's phone or a clinic camera, so it is untrusted input. Before any
// pixel is decoded the file is checked: its size (at most kMaxPhotoBytes), its extension (.jpg,
// .jpeg, .png, .webp, any case) against its magic bytes, its end (a JPEG's end-of-image marker,
// a PNG's IEND chunk, a WebP's RIFF length: a truncated file is refused rather than shown half
// grey), and its pixel dimensions as the header states them (at most kMaxPhotoPixels, so a
// decompression bomb is refused before a buffer is allocated). Decoding is OpenCV's
// (cv::imdecode). The file is only ever opened for reading.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <opencv2/core.hpp>

namespace stipple {

inline constexpr std::int64_t kMaxPhotoPixels = 50'000'000;  // 50 megapixels
inline constexpr std::int64_t kMaxPhotoBytes = 200'000'000;  // 200 MB on disk

// What the header says, read without decoding a pixel.
struct PhotoHeader {
  std::string format;       // "jpeg", "png" or "webp"
  int stored_width_px = 0;  // as stored, before the EXIF orientation
  int stored_height_px = 0;
  int exif_orientation = 1;  // EXIF tag 0x0112, 1 - 8 (1: upright; 5 - 8 swap width/height)
  // EXIF FocalLengthIn35mmFilm (tag 0xA405), mm; absent when the camera did not write it.
  std::optional<double> focal_35mm;
};

struct Photo {
  cv::Mat bgr;  // CV_8UC3, B, G, R, sRGB, upright (EXIF orientation applied)
  PhotoHeader header;
  int width_px() const { return bgr.cols; }
  int height_px() const { return bgr.rows; }
};

// Reads the header of an encoded photo. `name` is the file name (its extension is checked and
// it names the photo in errors). Throws std::invalid_argument naming the photo, the value and
// the allowed range: empty, over kMaxPhotoBytes, unknown extension, extension and contents
// disagreeing, unreadable or truncated header, truncated file, over kMaxPhotoPixels.
PhotoHeader read_photo_header(std::span<const std::uint8_t> bytes, const std::string& name);

// read_photo_header, then decodes (cv::imdecode) and applies the EXIF orientation. Throws
// std::invalid_argument as above, and when the decoder rejects the data ("corrupt").
Photo decode_photo(std::span<const std::uint8_t> bytes, const std::string& name);

// Reads the file at `path` (never writes to it) and decodes it. Throws std::invalid_argument
// as above and when the file is missing or unreadable.
Photo read_photo(const std::string& path);

}  // namespace stipple
