// Fuzz target: crypto/cms/cms_parser.{h,cc} (ParseSignedDataDer, ParseCms with its BER
// normalisation through OpenSSL, ParseAttributes) on arbitrary bytes.
//
// Besides memory safety, it asserts the parser's contracts (cms_parser.h):
//   - strict DER success implies ParseCms success without normalisation, with the same result;
//   - ParseCms normalises only after the strict reader said kUnimplemented ("BER, not DER"), and
//     otherwise returns the strict reader's error unchanged;
//   - normalisation is idempotent: the normalised DER reads strictly;
//   - every view of a ParsedCms points into the input, or into normalized_der when it was BER, and
//     still does after the ParsedCms is moved;
//   - signed attributes split into distinct types, each element inside the attribute SET.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "crypto/cms/cms_parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using kyso::asn1::Tlv;
using kyso::cms::ParsedCms;
using kyso::cms::SignedData;
using kyso::cms::SignerInfo;

bool Within(absl::string_view inner, absl::string_view outer) {
  if (inner.empty()) return true;  // an empty view may point anywhere
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

void CheckAttributes(const Tlv& signed_attributes) {
  absl::StatusOr<std::vector<kyso::cms::Attribute>> attrs =
      kyso::cms::ParseAttributes(signed_attributes);
  if (!attrs.ok()) {
    const absl::StatusCode code = attrs.status().code();
    KYSO_FUZZ_CHECK(code == absl::StatusCode::kAlreadyExists ||
                        code == absl::StatusCode::kInvalidArgument ||
                        code == absl::StatusCode::kUnimplemented,
                    "ParseAttributes fails as duplicate, malformed or not DER");
    return;
  }
  absl::flat_hash_set<absl::string_view> types;
  for (const kyso::cms::Attribute& a : *attrs) {
    KYSO_FUZZ_CHECK(types.insert(a.type).second, "attribute types are distinct");
    KYSO_FUZZ_CHECK(Within(a.type, signed_attributes.value), "attribute type inside the SET");
    for (const Tlv& v : a.values) {
      KYSO_FUZZ_CHECK(Within(v.full, signed_attributes.value), "attribute value inside the SET");
      KYSO_FUZZ_CHECK(Within(v.value, v.full), "attribute value contents inside the value");
    }
  }
}

void CheckSigner(const SignerInfo& si, absl::string_view buffer) {
  const bool by_issuer = !si.sid_issuer.empty();
  KYSO_FUZZ_CHECK(by_issuer != si.sid_key_id.has_value(), "exactly one SignerIdentifier form");
  KYSO_FUZZ_CHECK(Within(si.sid_issuer, buffer) && Within(si.sid_serial, buffer),
                  "IssuerAndSerialNumber inside the message");
  if (by_issuer) KYSO_FUZZ_CHECK(!si.sid_serial.empty(), "a serial number has contents");
  if (si.sid_key_id) KYSO_FUZZ_CHECK(Within(*si.sid_key_id, buffer), "key id inside the message");
  KYSO_FUZZ_CHECK(Within(si.digest_algorithm.oid, buffer) &&
                      Within(si.signature_algorithm.oid, buffer) && Within(si.signature, buffer),
                  "algorithms and signature inside the message");
  if (si.signed_attributes) {
    KYSO_FUZZ_CHECK(Within(si.signed_attributes->full, buffer), "signed attributes inside");
    KYSO_FUZZ_CHECK(si.signed_attributes->tag == kyso::asn1::ContextConstructed(0),
                    "signed attributes are [0] IMPLICIT");
    CheckAttributes(*si.signed_attributes);
  }
}

void CheckSignedData(const SignedData& sd, absl::string_view buffer) {
  KYSO_FUZZ_CHECK(!sd.econtent_type.empty() && Within(sd.econtent_type, buffer),
                  "eContentType inside the message");
  if (sd.econtent) KYSO_FUZZ_CHECK(Within(*sd.econtent, buffer), "eContent inside the message");
  for (absl::string_view cert : sd.certificates) {
    KYSO_FUZZ_CHECK(Within(cert, buffer), "certificate inside the message");
    KYSO_FUZZ_CHECK(!cert.empty() && static_cast<uint8_t>(cert[0]) == kyso::asn1::kTagSequence,
                    "only plain certificates (SEQUENCE) are kept");
  }
  for (const SignerInfo& si : sd.signers) CheckSigner(si, buffer);
}

absl::string_view BufferOf(const ParsedCms& parsed, absl::string_view input) {
  return parsed.ber_normalized() ? absl::string_view(*parsed.normalized_der) : input;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<SignedData> strict = kyso::cms::ParseSignedDataDer(input);
  absl::StatusOr<ParsedCms> parsed = kyso::cms::ParseCms(input);

  if (strict.ok()) {
    KYSO_FUZZ_CHECK(parsed.ok() && !parsed->ber_normalized(), "DER is read without normalising");
    KYSO_FUZZ_CHECK(parsed->signed_data.signers.size() == strict->signers.size() &&
                        parsed->signed_data.certificates.size() == strict->certificates.size(),
                    "ParseCms reads DER exactly as ParseSignedDataDer");
    CheckSignedData(*strict, input);
  } else if (strict.status().code() != absl::StatusCode::kUnimplemented) {
    KYSO_FUZZ_CHECK(!parsed.ok() && parsed.status() == strict.status(),
                    "a malformed (not merely BER) message is never normalised");
  }
  if (!parsed.ok()) return 0;

  CheckSignedData(parsed->signed_data, BufferOf(*parsed, input));
  if (parsed->ber_normalized()) {
    KYSO_FUZZ_CHECK(!strict.ok(), "only a message the strict reader refused is normalised");
    absl::StatusOr<ParsedCms> again = kyso::cms::ParseCms(*parsed->normalized_der);
    KYSO_FUZZ_CHECK(again.ok() && !again->ber_normalized(), "normalised DER reads strictly");
  }
  // Views must survive a move (cms_parser.h): the normalised bytes live on the heap.
  const ParsedCms moved = *std::move(parsed);
  CheckSignedData(moved.signed_data, BufferOf(moved, input));
  return 0;
}
