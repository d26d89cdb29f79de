// Photo input: the three formats, EXIF orientation, and every bad file refused with its message.
#include "stipple/photo/photo_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "stipple/error_of.h"

namespace stipple {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A 64 x 48 test card: a gradient with a red block in the top-left corner.
cv::Mat test_card() {
  cv::Mat img(48, 64, CV_8UC3);
  for (int y = 0; y < img.rows; ++y) {
    for (int x = 0; x < img.cols; ++x) {
      img.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(4 * x), static_cast<uchar>(5 * y), 90);
    }
  }
  cv::rectangle(img, cv::Rect(0, 0, 12, 10), cv::Scalar(0, 0, 255), cv::FILLED);
  return img;
}

Bytes encode(const std::string& ext, const cv::Mat& img, const std::vector<int>& params = {}) {
  Bytes out;
  EXPECT_TRUE(cv::imencode(ext, img, out, params));
  return out;
}

void put16le(Bytes& b, std::uint32_t v) {
  b.push_back(v & 0xFF);
  b.push_back((v >> 8) & 0xFF);
}
void put32le(Bytes& b, std::uint32_t v) {
  put16le(b, v & 0xFFFF);
  put16le(b, v >> 16);
}

// A JPEG with an APP1 Exif segment spliced in after SOI: IFD0 with Orientation and an Exif IFD
// with FocalLengthIn35mmFilm (little-endian TIFF).
Bytes jpeg_with_exif(const cv::Mat& img, int orientation, int focal_35mm) {
  const Bytes jpeg = encode(".jpg", img, {cv::IMWRITE_JPEG_QUALITY, 95});
  Bytes tiff = {'I', 'I', 42, 0};
  put32le(tiff, 8);       // IFD0 at 8
  put16le(tiff, 2);       // two entries
  put16le(tiff, 0x0112);  // Orientation
  put16le(tiff, 3);       // SHORT
  put32le(tiff, 1);
  put16le(tiff, static_cast<std::uint32_t>(orientation));
  put16le(tiff, 0);
  put16le(tiff, 0x8769);  // Exif IFD pointer
  put16le(tiff, 4);       // LONG
  put32le(tiff, 1);
  put32le(tiff, 8 + 2 + 24 + 4);  // right after IFD0
  put32le(tiff, 0);               // no next IFD
  put16le(tiff, 1);
  put16le(tiff, 0xA405);  // FocalLengthIn35mmFilm
  put16le(tiff, 3);
  put32le(tiff, 1);
  put16le(tiff, static_cast<std::uint32_t>(focal_35mm));
  put16le(tiff, 0);
  put32le(tiff, 0);
  Bytes app1 = {0xFF, 0xE1};
  const std::size_t len = 2 + 6 + tiff.size();
  app1.push_back(static_cast<std::uint8_t>(len >> 8));
  app1.push_back(static_cast<std::uint8_t>(len & 0xFF));
  for (char c : std::string("Exif\0\0", 6)) app1.push_back(static_cast<std::uint8_t>(c));
  app1.insert(app1.end(), tiff.begin(), tiff.end());
  Bytes out;
  out.reserve(jpeg.size() + app1.size());
  out.push_back(jpeg[0]);
  out.push_back(jpeg[1]);
  out.insert(out.end(), app1.begin(), app1.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

void put32be(Bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back((v >> s) & 0xFF);
}

// A PNG of signature, IHDR claiming w x h, an empty IDAT and IEND (CRCs zero: the header check
// must refuse it before any decoder would look at them).
Bytes png_claiming(std::uint32_t w, std::uint32_t h) {
  Bytes b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  put32be(b, 13);
  for (char c : std::string("IHDR")) b.push_back(c);
  put32be(b, w);
  put32be(b, h);
  for (std::uint8_t v : {8, 2, 0, 0, 0}) b.push_back(v);
  put32be(b, 0);
  for (const char* type : {"IDAT", "IEND"}) {
    put32be(b, 0);
    for (int i = 0; i < 4; ++i) b.push_back(type[i]);
    put32be(b, 0);
  }
  return b;
}

TEST(PhotoIo, DecodesJpegPngAndWebp) {
  const cv::Mat card = test_card();
  const Photo png = decode_photo(encode(".png", card), "card.png");
  EXPECT_EQ(png.header.format, "png");
  EXPECT_EQ(cv::norm(png.bgr, card, cv::NORM_INF), 0);
  // Lossless WebP (quality above 100) comes back exactly.
  const Photo webp =
      decode_photo(encode(".webp", card, {cv::IMWRITE_WEBP_QUALITY, 101}), "card.WEBP");
  EXPECT_EQ(webp.header.format, "webp");
  EXPECT_EQ(cv::norm(webp.bgr, card, cv::NORM_INF), 0);
  const Photo lossy = decode_photo(encode(".webp", card, {cv::IMWRITE_WEBP_QUALITY, 90}), "c.webp");
  EXPECT_EQ(lossy.width_px(), 64);
  EXPECT_EQ(lossy.height_px(), 48);
  const Photo jpg = decode_photo(encode(".jpg", card, {cv::IMWRITE_JPEG_QUALITY, 95}), "card.JPeG");
  EXPECT_EQ(jpg.header.format, "jpeg");
  EXPECT_EQ(jpg.width_px(), 64);
  EXPECT_EQ(jpg.height_px(), 48);
  EXPECT_LT(cv::norm(jpg.bgr, card, cv::NORM_L1) / card.total() / 3, 4.0);
  EXPECT_EQ(jpg.header.exif_orientation, 1);
  EXPECT_FALSE(jpg.header.focal_35mm.has_value());
}

TEST(PhotoIo, AppliesExifOrientationAndReadsTheFocalLength) {
  const cv::Mat card = test_card();
  // Orientation 6: the stored image is displayed turned 90 degrees clockwise, so the stored
  // top-left red block ends up top-right and width and height swap.
  const Photo p = decode_photo(jpeg_with_exif(card, 6, 28), "phone.jpg");
  EXPECT_EQ(p.header.exif_orientation, 6);
  ASSERT_TRUE(p.header.focal_35mm.has_value());
  EXPECT_EQ(*p.header.focal_35mm, 28);
  EXPECT_EQ(p.header.stored_width_px, 64);
  EXPECT_EQ(p.width_px(), 48);
  EXPECT_EQ(p.height_px(), 64);
  const cv::Vec3b top_right = p.bgr.at<cv::Vec3b>(3, p.width_px() - 4);
  const cv::Vec3b top_left = p.bgr.at<cv::Vec3b>(3, 3);
  EXPECT_GT(top_right[2], 200);
  EXPECT_LT(top_right[0], 60);
  EXPECT_LT(top_left[2], 200);
  // Orientation 3: upside down, the block goes to the bottom-right.
  const Photo q = decode_photo(jpeg_with_exif(card, 3, 0), "q.jpg");
  EXPECT_EQ(q.width_px(), 64);
  EXPECT_GT(q.bgr.at<cv::Vec3b>(q.height_px() - 4, q.width_px() - 4)[2], 200);
  EXPECT_FALSE(q.header.focal_35mm.has_value());  // 0 is "unknown"
}

TEST(PhotoIo, RefusesBadFilesWithClearMessages) {
  const cv::Mat card = test_card();
  const Bytes jpg = encode(".jpg", card);
  const Bytes png = encode(".png", card);
  const Bytes webp = encode(".webp", card);
  auto err = [](const Bytes& b, const std::string& name) {
    return error_of<std::invalid_argument>([&] { decode_photo(b, name); });
  };
  EXPECT_EQ(err(png, "a.gif"),
            "photo: \"a.gif\" has the extension \".gif\"; allowed: .jpg, .jpeg, .png, .webp");
  EXPECT_EQ(err(png, "a.jpg"),
            "photo: \"a.jpg\" has the extension \".jpg\" but contains a PNG image");
  EXPECT_EQ(err(jpg, "a.webp"),
            "photo: \"a.webp\" has the extension \".webp\" but contains a JPEG image");
  EXPECT_EQ(err({}, "a.png"), "photo: \"a.png\" is empty");
  EXPECT_EQ(err(Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!'}, "a.png"),
            "photo: \"a.png\" is not a JPEG, PNG or WebP image (unknown magic bytes)");
  // Truncated: each format cut to 60 %.
  auto cut = [](const Bytes& b) { return Bytes(b.begin(), b.begin() + b.size() * 6 / 10); };
  EXPECT_EQ(err(cut(jpg), "a.jpg"),
            "photo: \"a.jpg\" is truncated: its JPEG data has no end-of-image marker");
  EXPECT_EQ(err(cut(png), "a.png"),
            "photo: \"a.png\" is truncated: its PNG data has no IEND chunk");
  EXPECT_NE(
      err(cut(webp), "a.webp").find("photo: \"a.webp\" is truncated: its WebP header promises"),
      std::string::npos);
  EXPECT_EQ(err(Bytes(jpg.begin(), jpg.begin() + 10), "a.jpg"),
            "photo: \"a.jpg\" is truncated: a JPEG header segment runs past the end of the file");
  // Corrupt: the PNG's pixel data scrambled (its CRC no longer matches).
  Bytes bad = png;
  for (std::size_t i = 60; i < bad.size() - 20; ++i) bad[i] ^= 0x5A;
  EXPECT_EQ(err(bad, "a.png"), "photo: \"a.png\" is corrupt: the png decoder could not read it");
  // Decompression bombs: headers claiming 100 megapixels, refused before decoding.
  EXPECT_EQ(err(png_claiming(10000, 10000), "bomb.png"),
            "photo: \"bomb.png\" is 10000 x 10000 px (100.0 megapixels), over the limit of 50 "
            "megapixels");
  Bytes jbomb = jpg;  // rewrite the SOF0 frame size to 65000 x 65000
  for (std::size_t i = 2; i + 8 < jbomb.size(); ++i) {
    if (jbomb[i] == 0xFF && jbomb[i + 1] == 0xC0) {
      jbomb[i + 5] = jbomb[i + 7] = 65000 >> 8;
      jbomb[i + 6] = jbomb[i + 8] = 65000 & 0xFF;
      break;
    }
  }
  EXPECT_EQ(err(jbomb, "bomb.jpg"),
            "photo: \"bomb.jpg\" is 65000 x 65000 px (4225.0 megapixels), over the limit of 50 "
            "megapixels");
  // Just under the limit passes the header check.
  EXPECT_EQ(read_photo_header(png_claiming(7000, 7000), "ok.png").stored_width_px, 7000);
}

TEST(PhotoIo, ReadsFilesWithoutChangingThem) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("stipple-photo-io-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path path = dir / "client.jpg";
  const Bytes bytes = jpeg_with_exif(test_card(), 6, 50);
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  const auto before = fs::last_write_time(path);
  const Photo p = read_photo(path.string());
  EXPECT_EQ(p.width_px(), 48);
  std::ifstream in(path, std::ios::binary);
  const Bytes after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(after, bytes);
  EXPECT_EQ(fs::last_write_time(path), before);
  EXPECT_EQ(error_of<std::invalid_argument>([&] { read_photo((dir / "none.jpg").string()); }),
            "photo: \"" + (dir / "none.jpg").string() + "\" does not exist or is not a file");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace stipple
