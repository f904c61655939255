#include "crypto/asn1/der_reader.h"

#include <openssl/objects.h>

#include "crypto/asn1/oids.h"
#include "crypto/openssl_ptr.h"
#include "gtest/gtest.h"

namespace kyso::asn1 {
namespace {

absl::string_view Bytes(const char* s, size_t n) { return absl::string_view(s, n); }

TEST(DerReader, ReadsShortAndLongFormLengths) {
  std::string long_form = "\x04\x81\x80" + std::string(128, 'a');
  DerReader r(long_form);
  auto tlv = r.Expect(kTagOctetString);
  ASSERT_TRUE(tlv.ok()) << tlv.status();
  EXPECT_EQ(tlv->value.size(), 128u);
  EXPECT_EQ(tlv->full.size(), 131u);
  EXPECT_TRUE(r.empty());
}

TEST(DerReader, RejectsIndefiniteLengthAsNotDer) {
  DerReader r(Bytes("\x30\x80\x00\x00", 4));
  EXPECT_EQ(r.Next().status().code(), absl::StatusCode::kUnimplemented);
}

TEST(DerReader, RejectsNonMinimalLengthsAsNotDer) {
  DerReader leading_zero(Bytes("\x04\x82\x00\x05hello", 9));
  EXPECT_EQ(leading_zero.Next().status().code(), absl::StatusCode::kUnimplemented);
  DerReader long_for_short(Bytes("\x04\x81\x05hello", 8));
  EXPECT_EQ(long_for_short.Next().status().code(), absl::StatusCode::kUnimplemented);
}

TEST(DerReader, RejectsConstructedStringsAsNotDer) {
  DerReader r(Bytes("\x24\x03\x04\x01x", 5));
  EXPECT_EQ(r.Next().status().code(), absl::StatusCode::kUnimplemented);
}

TEST(DerReader, RejectsTruncationAndOverlongElements) {
  EXPECT_EQ(DerReader(Bytes("\x30", 1)).Next().status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DerReader(Bytes("\x30\x05\x01", 3)).Next().status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DerReader(Bytes("\x30\x84\xff\xff\xff\xff", 6)).Next().status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DerReader(Bytes("\x30\x85\x01\x00\x00\x00\x00", 7)).Next().status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DerReader, ExpectChecksTheTag) {
  DerReader r(Bytes("\x02\x01\x05", 3));
  EXPECT_EQ(r.Expect(kTagSequence).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DerReader, IntegersMustBeMinimal) {
  Tlv ok{kTagInteger, Bytes("\x00\x80", 2), {}};
  EXPECT_EQ(*ParseSmallInteger(ok), 128);
  Tlv negative{kTagInteger, Bytes("\xff", 1), {}};
  EXPECT_EQ(*ParseSmallInteger(negative), -1);
  Tlv padded{kTagInteger, Bytes("\x00\x05", 2), {}};
  EXPECT_FALSE(ParseSmallInteger(padded).ok());
  Tlv empty{kTagInteger, "", {}};
  EXPECT_FALSE(ParseSmallInteger(empty).ok());
}

TEST(DerReader, AlgorithmIdentifierWithAndWithoutParameters) {
  const std::string with_null =
      std::string("\x30\x0d\x06\x09", 4) + std::string(kOidSha256) + std::string("\x05\x00", 2);
  DerReader r(with_null);
  auto seq = r.Next();
  ASSERT_TRUE(seq.ok());
  auto alg = ParseAlgorithmIdentifier(*seq);
  ASSERT_TRUE(alg.ok()) << alg.status();
  EXPECT_EQ(alg->oid, kOidSha256);
  EXPECT_TRUE(ParametersAbsentOrNull(*alg));
}

TEST(Oids, EveryConstantMatchesOpenSsl) {
  for (const KnownOid& known : kKnownOids) {
    Asn1ObjectPtr obj(OBJ_txt2obj(known.dotted, /*no_name=*/1));
    ASSERT_TRUE(obj) << known.dotted;
    const absl::string_view expected(reinterpret_cast<const char*>(OBJ_get0_data(obj.get())),
                                     OBJ_length(obj.get()));
    EXPECT_EQ(known.der, expected) << known.dotted;
    EXPECT_EQ(OidToString(known.der), known.dotted);
  }
}

}  // namespace
}  // namespace kyso::asn1
