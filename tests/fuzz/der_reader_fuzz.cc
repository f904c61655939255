// Fuzz target: crypto/asn1/der_reader.{h,cc} on arbitrary bytes.
//
// Walks the input as a tree of DER elements: every constructed element, and every OCTET STRING and
// BIT STRING (which carry encapsulated DER in certificates: extensions, keys), is read again as a
// sequence of elements, down to kMaxDepth. Besides memory safety (ASan/UBSan under libFuzzer), it
// asserts the reader's contracts:
//   - a failed read consumes nothing and fails with kInvalidArgument (malformed) or kUnimplemented
//     (BER that is not DER), the distinction ParseCms relies on to decide to normalise;
//   - an element is exactly the bytes consumed, its contents are the tail of it;
//   - Next(), Expect() and Optional() agree on the same bytes;
//   - every header the reader accepts decodes to the same tag and length with OpenSSL's
//     ASN1_get_object (kyso accepts a strict subset of what OpenSSL reads, never something else);
//   - ParseSmallInteger round-trips: the value re-encoded minimally gives the contents back.
#include <openssl/asn1.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "crypto/asn1/der_reader.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using kyso::asn1::DerReader;
using kyso::asn1::Tlv;

// Real CMS nests about 12 levels deep; the bound keeps a 30 80 30 80 ... input linear.
constexpr int kMaxDepth = 64;

bool SameView(absl::string_view a, absl::string_view b) {
  return a.data() == b.data() && a.size() == b.size();
}

void CheckErrorCode(const absl::Status& status) {
  KYSO_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument ||
                      status.code() == absl::StatusCode::kUnimplemented,
                  "DerReader fails with kInvalidArgument (malformed) or kUnimplemented (not DER)");
}

// The minimal two's-complement encoding of `value` (X.690 8.3.2).
std::string EncodeMinimal(int64_t value) {
  // The eight big-endian octets of the two's-complement representation, then the redundant
  // leading 0x00 / 0xff octets dropped.
  std::string bytes(8, '\0');
  uint64_t bits = static_cast<uint64_t>(value);
  for (int i = 7; i >= 0; --i, bits >>= 8) bytes[i] = static_cast<char>(bits & 0xff);
  size_t start = 0;
  while (start + 1 < bytes.size()) {
    const auto b0 = static_cast<uint8_t>(bytes[start]);
    const auto b1 = static_cast<uint8_t>(bytes[start + 1]);
    if ((b0 == 0x00 && (b1 & 0x80) == 0) || (b0 == 0xff && (b1 & 0x80) != 0)) {
      ++start;
    } else {
      break;
    }
  }
  return bytes.substr(start);
}

void CheckHeaderAgainstOpenSsl(const Tlv& tlv) {
  const auto* start = reinterpret_cast<const unsigned char*>(tlv.full.data());
  const unsigned char* p = start;
  long length = 0;  // NOLINT(google-runtime-int): OpenSSL's type
  int tag = 0;
  int xclass = 0;
  const int ret = ASN1_get_object(&p, &length, &tag, &xclass, static_cast<long>(tlv.full.size()));
  KYSO_FUZZ_CHECK((ret & 0x80) == 0, "OpenSSL decodes every header DerReader accepts");
  KYSO_FUZZ_CHECK((ret & 0x01) == 0, "DerReader accepted an indefinite length");
  KYSO_FUZZ_CHECK(static_cast<size_t>(length) == tlv.value.size(), "same contents length");
  KYSO_FUZZ_CHECK(reinterpret_cast<const char*>(p) == tlv.value.data(), "same header size");
  KYSO_FUZZ_CHECK((xclass | tag | (ret & V_ASN1_CONSTRUCTED)) == tlv.tag, "same identifier octet");
}

void CheckTypedDecoders(const Tlv& tlv) {
  switch (tlv.tag) {
    case kyso::asn1::kTagInteger: {
      absl::StatusOr<absl::string_view> contents = kyso::asn1::CheckInteger(tlv);
      if (!contents.ok()) {
        CheckErrorCode(contents.status());
        break;
      }
      KYSO_FUZZ_CHECK(SameView(*contents, tlv.value), "CheckInteger returns the contents");
      absl::StatusOr<int64_t> value = kyso::asn1::ParseSmallInteger(tlv);
      if (value.ok()) {
        KYSO_FUZZ_CHECK(EncodeMinimal(*value) == tlv.value, "ParseSmallInteger round-trips");
      } else {
        CheckErrorCode(value.status());
        KYSO_FUZZ_CHECK(tlv.value.size() > 8, "only an INTEGER over 8 octets is too large");
      }
      break;
    }
    case kyso::asn1::kTagOid:
      KYSO_FUZZ_CHECK(!kyso::asn1::OidToString(tlv.value).empty(), "OidToString says something");
      break;
    case kyso::asn1::kTagSequence: {
      absl::StatusOr<kyso::asn1::AlgorithmIdentifier> alg =
          kyso::asn1::ParseAlgorithmIdentifier(tlv);
      if (!alg.ok()) {
        CheckErrorCode(alg.status());
        break;
      }
      KYSO_FUZZ_CHECK(!alg->oid.empty(), "an AlgorithmIdentifier has an OID");
      (void)kyso::asn1::ParametersAbsentOrNull(*alg);
      break;
    }
    default:
      break;
  }
}

void Walk(absl::string_view data, int depth) {
  DerReader r(data);
  while (!r.empty()) {
    const absl::string_view before = r.rest();
    const auto first = static_cast<uint8_t>(before[0]);
    KYSO_FUZZ_CHECK(r.PeekTag(first), "PeekTag sees the next identifier octet");
    KYSO_FUZZ_CHECK(r.PeekTag(static_cast<uint8_t>(first ^ 1)) == false, "PeekTag is exact");

    absl::StatusOr<Tlv> tlv = r.Next();
    {
      // Expect() with the right tag and Optional() must see exactly what Next() saw.
      DerReader expect(before);
      absl::StatusOr<Tlv> expected = expect.Expect(first);
      KYSO_FUZZ_CHECK(expected.ok() == tlv.ok(), "Expect(tag) agrees with Next()");
      DerReader optional(before);
      absl::StatusOr<std::optional<Tlv>> opt = optional.Optional(first);
      KYSO_FUZZ_CHECK(opt.ok() == tlv.ok(), "Optional(tag) agrees with Next()");
      DerReader other(before);
      absl::StatusOr<std::optional<Tlv>> absent = other.Optional(static_cast<uint8_t>(first ^ 1));
      KYSO_FUZZ_CHECK(absent.ok() && !absent->has_value() && SameView(other.rest(), before),
                      "Optional() of another tag consumes nothing");
      absl::StatusOr<Tlv> wrong = other.Expect(static_cast<uint8_t>(first ^ 1));
      KYSO_FUZZ_CHECK(!wrong.ok() && SameView(other.rest(), before),
                      "Expect() of another tag fails");
      CheckErrorCode(wrong.status());
      if (tlv.ok()) {
        KYSO_FUZZ_CHECK(SameView(expected->full, tlv->full), "Expect() reads the same element");
        KYSO_FUZZ_CHECK(SameView((*opt)->full, tlv->full), "Optional() reads the same element");
      }
    }
    if (!tlv.ok()) {
      CheckErrorCode(tlv.status());
      KYSO_FUZZ_CHECK(SameView(r.rest(), before), "a failed Next() consumes nothing");
      KYSO_FUZZ_CHECK(!r.ExpectEnd("fuzz").ok(), "ExpectEnd fails with bytes left");
      return;
    }
    KYSO_FUZZ_CHECK(tlv->tag == first, "the tag is the identifier octet");
    KYSO_FUZZ_CHECK(tlv->full.data() == before.data(), "an element starts where the reader was");
    KYSO_FUZZ_CHECK(tlv->full.size() <= before.size(), "an element fits in its container");
    KYSO_FUZZ_CHECK(r.rest().data() == before.data() + tlv->full.size() &&
                        r.rest().size() == before.size() - tlv->full.size(),
                    "Next() consumes exactly the element");
    KYSO_FUZZ_CHECK(tlv->full.size() >= 2 + tlv->value.size(), "a header is at least 2 bytes");
    KYSO_FUZZ_CHECK(tlv->value.data() + tlv->value.size() == tlv->full.data() + tlv->full.size(),
                    "the contents end the element");
    CheckHeaderAgainstOpenSsl(*tlv);
    CheckTypedDecoders(*tlv);

    if (depth >= kMaxDepth) continue;
    if (tlv->constructed()) {
      Walk(tlv->value, depth + 1);
    } else if (tlv->tag == kyso::asn1::kTagOctetString) {
      Walk(tlv->value, depth + 1);
    } else if (tlv->tag == kyso::asn1::kTagBitString && !tlv->value.empty()) {
      Walk(tlv->value.substr(1), depth + 1);  // after the unused-bits octet
    }
  }
  KYSO_FUZZ_CHECK(r.ExpectEnd("fuzz").ok(), "ExpectEnd succeeds at the end");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Walk(absl::string_view(reinterpret_cast<const char*>(data), size), 0);
  return 0;
}
