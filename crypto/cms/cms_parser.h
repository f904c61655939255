// Reads a CMS ContentInfo holding SignedData (RFC 5652 sections 3, 5) into views of its parts,
// without decoding any certificate.
//
// Profile: strict DER. A message in BER (indefinite lengths, constructed OCTET STRINGs, long-form
// lengths), which RFC 5652 allows outside the signed attributes, is decoded by OpenSSL and
// re-encoded to DER once, then read by the same strict path; the report notes it. Signed
// attributes keep their received encoding in the DER path (the signature covers those bytes).
//
// Errors (absl::Status codes, each a FORMAT_FAILURE for the caller):
//   kFailedPrecondition  the ContentInfo is not SignedData (EnvelopedData, Data, ...)
//   kOutOfRange          bytes follow the ContentInfo
//   kInvalidArgument     malformed or truncated
#ifndef KYSO_CRYPTO_CMS_CMS_PARSER_H_
#define KYSO_CRYPTO_CMS_CMS_PARSER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/asn1/der_reader.h"

namespace kyso::cms {

// One SignerInfo (RFC 5652 5.3).
struct SignerInfo {
  int64_t version = 0;
  // sid: IssuerAndSerialNumber (issuer Name element + serial INTEGER contents) or
  // subjectKeyIdentifier; exactly one of the two forms is set.
  absl::string_view sid_issuer;
  absl::string_view sid_serial;
  std::optional<absl::string_view> sid_key_id;
  asn1::AlgorithmIdentifier digest_algorithm;
  std::optional<asn1::Tlv> signed_attributes;  // the [0] IMPLICIT SET OF Attribute element
  asn1::AlgorithmIdentifier signature_algorithm;
  absl::string_view signature;
};

struct SignedData {
  int64_t version = 0;
  absl::string_view econtent_type;              // OID contents
  std::optional<absl::string_view> econtent;    // absent for a detached signature
  std::vector<absl::string_view> certificates;  // DER of each plain X.509 certificate
  std::vector<SignerInfo> signers;
};

// A parsed message. Views point into the caller's input, or into `normalized_der` when the input
// was BER; the object is movable without invalidating them.
struct ParsedCms {
  std::unique_ptr<std::string> normalized_der;  // set only when BER was normalised
  SignedData signed_data;
  bool ber_normalized() const { return normalized_der != nullptr; }
};

// Strict DER reading only (used directly by the fuzzer and the differential tests).
absl::StatusOr<SignedData> ParseSignedDataDer(absl::string_view der);

// DER first; BER normalised through OpenSSL when the strict reader meets a BER construct.
absl::StatusOr<ParsedCms> ParseCms(absl::string_view der);

// One Attribute (RFC 5652 5.3): attrType and the contents of attrValues (a SET OF).
struct Attribute {
  absl::string_view type;
  std::vector<asn1::Tlv> values;
};

// Splits the signed attributes. Duplicate attribute types are an error (RFC 5652 5.3: "the
// SignedAttributes ... MUST NOT include multiple instances of" the attributes kyso reads).
absl::StatusOr<std::vector<Attribute>> ParseAttributes(const asn1::Tlv& signed_attributes);

}  // namespace kyso::cms

#endif  // KYSO_CRYPTO_CMS_CMS_PARSER_H_
