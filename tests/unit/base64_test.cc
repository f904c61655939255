#include "crypto/base64.h"

#include <openssl/evp.h>

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace kyso {
namespace {

// The reference: OpenSSL's encoder, so the decoder is checked against what it did not write.
std::string Encode(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

TEST(Base64, DecodesWhatOpenSslEncodesForEveryLengthAndPadding) {
  std::mt19937 rng(42);
  for (size_t len = 0; len < 300; ++len) {
    std::string bytes(len, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
    const std::string text = Encode(bytes);
    auto decoded = Base64Decode(text);
    ASSERT_TRUE(decoded.ok()) << len << ": " << decoded.status();
    EXPECT_EQ(*decoded, bytes) << "length " << len;
  }
}

TEST(Base64, IgnoresWhiteSpaceAnywhere) {
  const std::string bytes = "kyso: ký số, chữ ký số";
  std::string text = Encode(bytes);
  std::string spaced;
  for (size_t i = 0; i < text.size(); ++i) {
    spaced.push_back(text[i]);
    if (i % 3 == 0) spaced += "\r\n\t ";
  }
  auto decoded = Base64Decode(" \n" + spaced + "\n ");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, bytes);
  // Even between the two padding characters.
  EXPECT_EQ(*Base64Decode("QQ=\n="), "A");
}

TEST(Base64, RefusesWhatIsNotStrictBase64) {
  EXPECT_EQ(Base64Decode("QUJD!").status().message(), "invalid character in base64");
  EXPECT_EQ(Base64Decode("QUJ-").status().message(), "invalid character in base64");
  EXPECT_EQ(Base64Decode("QUJDR").status().message(), "base64 length not a multiple of 4");
  EXPECT_EQ(Base64Decode("QQ").status().message(), "base64 length not a multiple of 4");
  EXPECT_EQ(Base64Decode("QQ==QUJD").status().message(), "base64 padding in the middle");
  EXPECT_EQ(Base64Decode("Q===").status().message(), "base64 padding in the middle");
  EXPECT_EQ(Base64Decode("====").status().message(), "base64 padding in the middle");
  EXPECT_TRUE(Base64Decode("").ok());
  EXPECT_EQ(*Base64Decode("QUJD"), "ABC");
  EXPECT_EQ(*Base64Decode("QUI="), "AB");
}

}  // namespace
}  // namespace kyso
