#include "stipple/photo/photo_io.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

namespace stipple {
namespace {

// Why hand-written header readers: OpenCV offers no way to ask an image's size without
// decoding it (cv::imdecode allocates the full image, and its own pixel limit,
// OPENCV_IO_MAX_IMAGE_PIXELS, is a process-wide environment setting at 2^30), nor to read EXIF
// tags other than the orientation it applies internally. The three container formats state
// their size in a few fixed bytes (PNG IHDR, JPEG SOFn, WebP VP8/VP8L/VP8X) and EXIF is a small
// TIFF directory, so reading them here, with every offset bounds-checked, is the only way to
// refuse a decompression bomb before allocating and to learn the focal length.

using Bytes = std::span<const std::uint8_t>;

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw std::invalid_argument(fmt::format("photo: \"{}\" {}", name, what));
}

std::uint32_t be16(Bytes b, std::size_t at) {
  return (b[at] << 8) | b[at + 1];
}
std::uint32_t be32(Bytes b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}
std::uint32_t le16(Bytes b, std::size_t at) {
  return b[at] | (b[at + 1] << 8);
}
std::uint32_t le24(Bytes b, std::size_t at) {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
}
std::uint32_t le32(Bytes b, std::size_t at) {
  return le24(b, at) | (std::uint32_t{b[at + 3]} << 24);
}

std::string lower_extension(const std::string& name) {
  std::string ext = std::filesystem::path(name).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

// The format the magic bytes announce, or "".
std::string sniff(Bytes b) {
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "jpeg";
  static const std::uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (b.size() >= 8 && std::equal(png, png + 8, b.begin())) return "png";
  if (b.size() >= 12 && std::equal(b.begin(), b.begin() + 4, "RIFF") &&
      std::equal(b.begin() + 8, b.begin() + 12, "WEBP")) {
    return "webp";
  }
  return "";
}

// EXIF: a TIFF structure (TIFF 6.0 sec. 2; EXIF 2.32, CIPA DC-008). Reads IFD0's Orientation
// and, through the Exif IFD pointer (0x8769), FocalLengthIn35mmFilm (0xA405). Malformed EXIF is
// ignored (the photo is still a photo), never read out of bounds.
void read_exif_tiff(Bytes t, PhotoHeader& h) {
  if (t.size() < 8) return;
  bool little;
  if (t[0] == 'I' && t[1] == 'I') {
    little = true;
  } else if (t[0] == 'M' && t[1] == 'M') {
    little = false;
  } else {
    return;
  }
  auto u16 = [&](std::size_t at) { return little ? le16(t, at) : be16(t, at); };
  auto u32 = [&](std::size_t at) { return little ? le32(t, at) : be32(t, at); };
  if (u16(2) != 42) return;
  // Visits the entries of the IFD at `offset`; f(tag, type, value_offset_field_position).
  auto each_entry = [&](std::uint32_t offset, auto&& f) {
    if (offset < 8 || std::size_t{offset} + 2 > t.size()) return;
    const std::uint32_t n = u16(offset);
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::size_t e = std::size_t{offset} + 2 + 12 * std::size_t{i};
      if (e + 12 > t.size()) return;
      f(u16(e), u16(e + 2), e + 8);
    }
  };
  constexpr std::uint32_t kShort = 3, kLong = 4;
  std::uint32_t exif_ifd = 0;
  each_entry(u32(4), [&](std::uint32_t tag, std::uint32_t type, std::size_t v) {
    if (tag == 0x0112 && type == kShort) {
      const std::uint32_t o = u16(v);
      if (o >= 1 && o <= 8) h.exif_orientation = static_cast<int>(o);
    } else if (tag == 0x8769 && type == kLong) {
      exif_ifd = u32(v);
    }
  });
  each_entry(exif_ifd, [&](std::uint32_t tag, std::uint32_t type, std::size_t v) {
    if (tag == 0xA405 && type == kShort) {
      const std::uint32_t f = u16(v);
      if (f > 0) h.focal_35mm = f;  // 0 means "unknown" in EXIF
    }
  });
}

// JPEG (ITU-T T.81 annex B): walks the marker segments up to the first start of scan; reads
// the frame size from the SOFn segment and EXIF from APP1.
void read_jpeg_header(Bytes b, const std::string& name, PhotoHeader& h) {
  std::size_t at = 2;
  bool have_frame = false;
  for (;;) {
    // Fill bytes (0xFF) may precede a marker.
    while (at < b.size() && b[at] == 0xFF && at + 1 < b.size() && b[at + 1] == 0xFF) ++at;
    if (at + 4 > b.size()) fail(name, "is truncated: its JPEG header ends early");
    if (b[at] != 0xFF) fail(name, fmt::format("is corrupt: no JPEG marker at byte {}", at));
    const std::uint8_t marker = b[at + 1];
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      at += 2;  // markers without a length
      continue;
    }
    if (marker == 0xD9) fail(name, "is corrupt: its JPEG data ends before any image");
    const std::size_t len = be16(b, at + 2);
    if (len < 2 || at + 2 + len > b.size()) {
      fail(name, "is truncated: a JPEG header segment runs past the end of the file");
    }
    const Bytes seg = b.subspan(at + 4, len - 2);
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (seg.size() < 6) fail(name, "is corrupt: its JPEG frame header is too short");
      h.stored_height_px = static_cast<int>(be16(seg, 1));
      h.stored_width_px = static_cast<int>(be16(seg, 3));
      have_frame = true;
    } else if (marker == 0xE1 && seg.size() > 6 &&
               std::equal(seg.begin(), seg.begin() + 6, "Exif\0\0")) {
      read_exif_tiff(seg.subspan(6), h);
    }
    at += 2 + len;
    if (marker == 0xDA) break;  // start of scan: entropy-coded data follows
  }
  if (!have_frame) fail(name, "is corrupt: its JPEG data has no frame header");
  // The end-of-image marker must follow the scan. Inside entropy-coded data a 0xFF byte is
  // always stuffed (0xFF 0x00) or a restart marker, so 0xFF 0xD9 there is the real end.
  bool ended = false;
  for (std::size_t i = at; i + 1 < b.size(); ++i) {
    if (b[i] == 0xFF && b[i + 1] == 0xD9) {
      ended = true;
      break;
    }
  }
  if (!ended) fail(name, "is truncated: its JPEG data has no end-of-image marker");
}

// PNG (ISO/IEC 15948): IHDR must be the first chunk; eXIf may carry EXIF; IEND must be there.
void read_png_header(Bytes b, const std::string& name, PhotoHeader& h) {
  if (b.size() < 8 + 8 + 13 || !std::equal(b.begin() + 12, b.begin() + 16, "IHDR")) {
    fail(name, "is corrupt: its PNG data does not start with an IHDR chunk");
  }
  const std::uint32_t w = be32(b, 16), hgt = be32(b, 20);
  if (w == 0 || hgt == 0 || w > 0x7FFFFFFF || hgt > 0x7FFFFFFF) {
    fail(name, fmt::format("is corrupt: its PNG header states {} x {} px", w, hgt));
  }
  h.stored_width_px = static_cast<int>(std::min<std::uint32_t>(w, 0x7FFFFFFF));
  h.stored_height_px = static_cast<int>(std::min<std::uint32_t>(hgt, 0x7FFFFFFF));
  // Walk the chunks (length, type, data, CRC) for eXIf and IEND.
  std::size_t at = 8;
  bool ended = false;
  while (at + 12 <= b.size()) {
    const std::size_t len = be32(b, at);
    if (len > b.size() - at - 12) break;
    const Bytes type = b.subspan(at + 4, 4);
    if (std::equal(type.begin(), type.end(), "eXIf")) read_exif_tiff(b.subspan(at + 8, len), h);
    if (std::equal(type.begin(), type.end(), "IEND")) {
      ended = true;
      break;
    }
    at += 12 + len;
  }
  if (!ended) fail(name, "is truncated: its PNG data has no IEND chunk");
}

// WebP (RFC 9649): RIFF, then VP8 (lossy), VP8L (lossless) or VP8X (extended, with EXIF).
void read_webp_header(Bytes b, const std::string& name, PhotoHeader& h) {
  const std::size_t riff = le32(b, 4);
  if (riff + 8 > b.size()) {
    fail(name, fmt::format("is truncated: its WebP header promises {} bytes, the file has {}",
                           riff + 8, b.size()));
  }
  if (b.size() < 30) fail(name, "is truncated: its WebP header ends early");
  const Bytes fourcc = b.subspan(12, 4);
  const Bytes d = b.subspan(20);
  if (std::equal(fourcc.begin(), fourcc.end(), "VP8 ")) {
    if (d[3] != 0x9D || d[4] != 0x01 || d[5] != 0x2A) fail(name, "is corrupt: bad VP8 start code");
    h.stored_width_px = static_cast<int>(le16(d, 6) & 0x3FFF);
    h.stored_height_px = static_cast<int>(le16(d, 8) & 0x3FFF);
  } else if (std::equal(fourcc.begin(), fourcc.end(), "VP8L")) {
    if (d[0] != 0x2F) fail(name, "is corrupt: bad VP8L signature");
    const std::uint32_t bits = le32(d, 1);
    h.stored_width_px = static_cast<int>((bits & 0x3FFF) + 1);
    h.stored_height_px = static_cast<int>(((bits >> 14) & 0x3FFF) + 1);
  } else if (std::equal(fourcc.begin(), fourcc.end(), "VP8X")) {
    h.stored_width_px = static_cast<int>(le24(d, 4) + 1);
    h.stored_height_px = static_cast<int>(le24(d, 7) + 1);
    // Look for an EXIF chunk among the rest.
    std::size_t at = 12;
    while (at + 8 <= b.size()) {
      const std::size_t len = le32(b, at + 4);
      if (len > b.size() - at - 8) break;
      if (std::equal(b.begin() + at, b.begin() + at + 4, "EXIF")) {
        Bytes t = b.subspan(at + 8, len);
        if (t.size() > 6 && std::equal(t.begin(), t.begin() + 6, "Exif\0\0")) t = t.subspan(6);
        read_exif_tiff(t, h);
      }
      at += 8 + len + (len & 1);
    }
  } else {
    fail(name, "is corrupt: unknown WebP chunk");
  }
}

// The PNG without its iCCP chunk, or empty when it has none. libpng prints a warning on stderr
// for common broken sRGB profiles (and OpenCV gives no way to silence it); Stipple does no
// colour management of photos (they are taken as sRGB), so the profile is dropped before
// decoding rather than let a successful run write to stderr.
std::vector<std::uint8_t> png_without_iccp(Bytes b) {
  std::size_t at = 8;
  while (at + 12 <= b.size()) {
    const std::size_t len = be32(b, at);
    if (len > b.size() - at - 12) break;
    if (std::equal(b.begin() + at + 4, b.begin() + at + 8, "iCCP")) {
      std::vector<std::uint8_t> out(b.begin(), b.begin() + at);
      out.insert(out.end(), b.begin() + at + 12 + len, b.end());
      return out;
    }
    if (std::equal(b.begin() + at + 4, b.begin() + at + 8, "IDAT")) break;  // iCCP comes before
    at += 12 + len;
  }
  return {};
}

// Turns a stored image upright: EXIF orientation 1 - 8 (the transform that displays it).
cv::Mat apply_orientation(const cv::Mat& in, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2:
      cv::flip(in, out, 1);
      break;
    case 3:
      cv::rotate(in, out, cv::ROTATE_180);
      break;
    case 4:
      cv::flip(in, out, 0);
      break;
    case 5:
      cv::transpose(in, out);
      break;
    case 6:
      cv::rotate(in, out, cv::ROTATE_90_CLOCKWISE);
      break;
    case 7:
      cv::rotate(in, out, cv::ROTATE_90_COUNTERCLOCKWISE);
      cv::flip(out, out, 0);
      break;
    case 8:
      cv::rotate(in, out, cv::ROTATE_90_COUNTERCLOCKWISE);
      break;
    default:
      out = in;
      break;
  }
  return out;
}

}  // namespace

PhotoHeader read_photo_header(Bytes bytes, const std::string& name) {
  const std::string ext = lower_extension(name);
  std::string expected;
  if (ext == ".jpg" || ext == ".jpeg") {
    expected = "jpeg";
  } else if (ext == ".png") {
    expected = "png";
  } else if (ext == ".webp") {
    expected = "webp";
  } else {
    fail(name, fmt::format("has the extension \"{}\"; allowed: .jpg, .jpeg, .png, .webp", ext));
  }
  if (bytes.empty()) fail(name, "is empty");
  if (static_cast<std::int64_t>(bytes.size()) > kMaxPhotoBytes) {
    fail(name,
         fmt::format("is {} bytes, over the limit of {} bytes", bytes.size(), kMaxPhotoBytes));
  }
  const std::string actual = sniff(bytes);
  if (actual.empty()) fail(name, "is not a JPEG, PNG or WebP image (unknown magic bytes)");
  if (actual != expected) {
    fail(name, fmt::format("has the extension \"{}\" but contains a {} image", ext,
                           actual == "jpeg"  ? "JPEG"
                           : actual == "png" ? "PNG"
                                             : "WebP"));
  }
  PhotoHeader h;
  h.format = actual;
  if (actual == "jpeg") {
    read_jpeg_header(bytes, name, h);
  } else if (actual == "png") {
    read_png_header(bytes, name, h);
  } else {
    read_webp_header(bytes, name, h);
  }
  if (h.stored_width_px <= 0 || h.stored_height_px <= 0) {
    fail(name, fmt::format("is corrupt: its header states {} x {} px", h.stored_width_px,
                           h.stored_height_px));
  }
  const std::int64_t pixels = std::int64_t{h.stored_width_px} * h.stored_height_px;
  if (pixels > kMaxPhotoPixels) {
    fail(name, fmt::format("is {} x {} px ({:.1f} megapixels), over the limit of {} megapixels",
                           h.stored_width_px, h.stored_height_px, pixels / 1e6,
                           kMaxPhotoPixels / 1'000'000));
  }
  return h;
}

Photo decode_photo(Bytes bytes, const std::string& name) {
  Photo photo;
  photo.header = read_photo_header(bytes, name);
  std::vector<std::uint8_t> filtered;
  if (photo.header.format == "png") filtered = png_without_iccp(bytes);
  if (!filtered.empty()) bytes = filtered;
  // cv::imdecode wants a Mat over the bytes; it only reads them.
  const cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8UC1,
                    const_cast<std::uint8_t*>(bytes.data()));
  // The orientation is applied here from our own EXIF reading (IMREAD_IGNORE_ORIENTATION), so
  // the pixels and header.exif_orientation always agree, for the three formats alike.
  cv::Mat decoded;
  try {
    decoded = cv::imdecode(buf, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception& e) {
    fail(name, fmt::format("is corrupt: the {} decoder failed ({})", photo.header.format, e.msg));
  }
  if (decoded.empty()) {
    fail(name, fmt::format("is corrupt: the {} decoder could not read it", photo.header.format));
  }
  if (decoded.cols != photo.header.stored_width_px ||
      decoded.rows != photo.header.stored_height_px) {
    fail(name, fmt::format("is corrupt: its header states {} x {} px but it decodes to {} x {}",
                           photo.header.stored_width_px, photo.header.stored_height_px,
                           decoded.cols, decoded.rows));
  }
  photo.bgr = apply_orientation(decoded, photo.header.exif_orientation);
  return photo;
}

Photo read_photo(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) fail(path, "does not exist or is not a file");
  const auto size = fs::file_size(path, ec);
  if (ec) fail(path, "cannot be read (" + ec.message() + ")");
  if (static_cast<std::int64_t>(size) > kMaxPhotoBytes) {
    fail(path, fmt::format("is {} bytes, over the limit of {} bytes", size, kMaxPhotoBytes));
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  std::ifstream in(path, std::ios::binary);
  if (!in ||
      !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()))) {
    fail(path, "cannot be read");
  }
  return decode_photo(bytes, path);
}

}  // namespace stipple
