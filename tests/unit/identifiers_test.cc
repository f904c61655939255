#include "crypto/identifiers.h"

#include "gtest/gtest.h"

namespace kyso {
namespace {

TEST(Identifiers, ParsesKnownPrefixes) {
  Identifier id;
  ASSERT_TRUE(ParseIdentifierValue("MST:0101234567", &id));
  EXPECT_EQ(id, Identifier("MST", "0101234567"));
  ASSERT_TRUE(ParseIdentifierValue(" cccd : 001085012345 ", &id));
  EXPECT_EQ(id, Identifier("CCCD", "001085012345"));
  ASSERT_TRUE(ParseIdentifierValue("MST:0100109106-001", &id));  // branch tax code
  EXPECT_EQ(id.second, "0100109106-001");
  EXPECT_TRUE(ParseIdentifierValue("CMND:012345678", &id));
  EXPECT_TRUE(ParseIdentifierValue("HC:C1234567", &id));
}

TEST(Identifiers, IgnoresOrdinaryValues) {
  Identifier id;
  EXPECT_FALSE(ParseIdentifierValue("Công ty TNHH Demo", &id));
  EXPECT_FALSE(ParseIdentifierValue("https://ca.example.vn", &id));
  EXPECT_FALSE(ParseIdentifierValue("MST:", &id));
  EXPECT_FALSE(ParseIdentifierValue("XYZ:123", &id));
}

TEST(Identifiers, FromCertificateName) {
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Nguyễn Văn An"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "UID", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("CCCD:001085012345"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "UID", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("MST:8012345678"), -1, -1, 0);
  const auto ids = IdentifiersFromName(name);
  X509_NAME_free(name);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], Identifier("CCCD", "001085012345"));
  EXPECT_EQ(ids[1], Identifier("MST", "8012345678"));
}

TEST(Identifiers, FromWindowsStyleDnString) {
  // As Windows renders userId: the OID spelt out.
  const auto ids = IdentifiersFromDnString(
      "CN=CÔNG TY ABC, OID.0.9.2342.19200300.100.1.1=MST:0101234567, L=Hà Nội, C=VN");
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0], Identifier("MST", "0101234567"));
  const auto quoted = IdentifiersFromDnString("UID=\"CCCD:001085012345\";CN=An");
  ASSERT_EQ(quoted.size(), 1u);
  EXPECT_EQ(quoted[0].first, "CCCD");
}

}  // namespace
}  // namespace kyso
