// A strict, bounds-checked reader for ASN.1 DER (ITU-T X.690 section 10).
//
// kyso reads CMS structures itself so that the certificates a message carries are never decoded
// per message (one d2i_X509 costs more than the signature check). Anything that is not strict DER
// fails here: indefinite lengths, non-minimal lengths, constructed strings, high tag numbers.
// Callers that accept BER normalise it elsewhere (see crypto/cms/cms_parser.cc); this reader never
// guesses.
//
//   DerReader r(bytes);
//   KYSO_ASSIGN_OR_RETURN(Tlv seq, r.Expect(kTagSequence));
//   DerReader inner(seq.value);
//
// Thread-safety: a DerReader is a cursor over caller-owned bytes; use one per thread.
#ifndef KYSO_CRYPTO_ASN1_DER_READER_H_
#define KYSO_CRYPTO_ASN1_DER_READER_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kyso::asn1 {

inline constexpr uint8_t kTagInteger = 0x02;
inline constexpr uint8_t kTagBitString = 0x03;
inline constexpr uint8_t kTagOctetString = 0x04;
inline constexpr uint8_t kTagNull = 0x05;
inline constexpr uint8_t kTagOid = 0x06;
inline constexpr uint8_t kTagUtf8String = 0x0c;
inline constexpr uint8_t kTagPrintableString = 0x13;
inline constexpr uint8_t kTagUtcTime = 0x17;
inline constexpr uint8_t kTagGeneralizedTime = 0x18;
inline constexpr uint8_t kTagSequence = 0x30;
inline constexpr uint8_t kTagSet = 0x31;

// Context-specific tags: [n] IMPLICIT primitive, and [n] constructed (IMPLICIT SET/SEQUENCE or
// EXPLICIT).
constexpr uint8_t ContextPrimitive(int n) { return static_cast<uint8_t>(0x80 | n); }
constexpr uint8_t ContextConstructed(int n) { return static_cast<uint8_t>(0xa0 | n); }

// One decoded element. Both views point into the reader's input.
struct Tlv {
  uint8_t tag = 0;
  absl::string_view value;  // the contents octets
  absl::string_view full;   // tag + length + contents, exactly as encoded

  bool constructed() const { return (tag & 0x20) != 0; }
};

class DerReader final {
 public:
  explicit DerReader(absl::string_view data) : rest_(data) {}

  bool empty() const { return rest_.empty(); }
  absl::string_view rest() const { return rest_; }

  // Reads the next element, whatever its tag.
  absl::StatusOr<Tlv> Next();

  // Reads the next element and fails unless its tag is `tag`.
  absl::StatusOr<Tlv> Expect(uint8_t tag);

  // True when another element follows and its tag is `tag`.
  bool PeekTag(uint8_t tag) const {
    return !rest_.empty() && static_cast<uint8_t>(rest_[0]) == tag;
  }

  // Reads the next element if its tag is `tag`; nullopt (and nothing consumed) otherwise.
  absl::StatusOr<std::optional<Tlv>> Optional(uint8_t tag);

  // Fails unless everything has been read (no trailing bytes inside a constructed value).
  absl::Status ExpectEnd(absl::string_view what) const;

 private:
  absl::string_view rest_;
};

// Decodes a DER INTEGER that must fit in int64 (versions, small counts). DER requires minimal
// two's-complement encoding; a non-minimal one is an error.
absl::StatusOr<int64_t> ParseSmallInteger(const Tlv& tlv);

// Checks the contents of a DER INTEGER for minimal encoding and returns them unchanged (serial
// numbers are compared as encoded bytes).
absl::StatusOr<absl::string_view> CheckInteger(const Tlv& tlv);

// AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
struct AlgorithmIdentifier {
  absl::string_view oid;          // contents octets of the OID
  std::optional<Tlv> parameters;  // absent, or the element as encoded (often NULL)
};
absl::StatusOr<AlgorithmIdentifier> ParseAlgorithmIdentifier(const Tlv& tlv);

// True when the parameters are absent or an ASN.1 NULL (both are seen for the same algorithms).
bool ParametersAbsentOrNull(const AlgorithmIdentifier& alg);

// Renders OID contents octets in dotted form ("1.2.840.113549.1.7.2") for messages.
std::string OidToString(absl::string_view oid);

}  // namespace kyso::asn1

#endif  // KYSO_CRYPTO_ASN1_DER_READER_H_
