#include "crypto/asn1/der_reader.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "crypto/status_macros.h"

namespace kyso::asn1 {
namespace {

// Non-DER but valid BER is reported as kUnimplemented so that callers can tell "BER, normalise
// and retry" from "malformed" (kInvalidArgument).
absl::Status NotDer(absl::string_view what) {
  return absl::UnimplementedError(absl::StrCat("not DER: ", what));
}

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed ASN.1: ", what));
}

// X.690 8.x: per-type rules for the universal types kyso meets. Strings may be constructed in BER
// (not DER: 10.2); the other primitive types may not be constructed at all, in any encoding.
absl::Status CheckUniversalEncoding(const Tlv& tlv) {
  if ((tlv.tag & 0xc0) != 0) return absl::OkStatus();  // not universal
  const int number = tlv.tag & 0x1f;
  const bool constructed = tlv.constructed();
  switch (number) {
    case 0x03:  // BIT STRING
    case 0x04:  // OCTET STRING
    case 0x0c:  // UTF8String
    case 0x13:  // PrintableString
    case 0x14:  // T61String
    case 0x16:  // IA5String
    case 0x1e:  // BMPString
      if (constructed) return NotDer("constructed string");
      break;
    case 0x10:  // SEQUENCE
    case 0x11:  // SET
      if (!constructed) return Malformed("primitive SEQUENCE or SET");
      return absl::OkStatus();
    case 0x01:  // BOOLEAN
    case 0x02:  // INTEGER
    case 0x05:  // NULL
    case 0x06:  // OBJECT IDENTIFIER
    case 0x0a:  // ENUMERATED
    case 0x17:  // UTCTime
    case 0x18:  // GeneralizedTime
      if (constructed) return Malformed("constructed encoding of a primitive type");
      break;
    default:
      break;
  }
  const absl::string_view v = tlv.value;
  switch (number) {
    case 0x01:
      if (v.size() != 1) return Malformed("BOOLEAN of length other than 1");
      break;
    case 0x02:
      if (v.empty()) return Malformed("empty INTEGER");
      break;
    case 0x03:
      // 8.6.2: the first octet counts the unused bits (0..7), and is 0 for an empty string.
      if (v.empty() || static_cast<uint8_t>(v[0]) > 7 || (v.size() == 1 && v[0] != 0)) {
        return Malformed("invalid BIT STRING");
      }
      break;
    case 0x05:
      if (!v.empty()) return Malformed("NULL with contents");
      break;
    case 0x06:
      // 8.19: at least one subidentifier, the last one complete.
      if (v.empty() || (static_cast<uint8_t>(v.back()) & 0x80) != 0) {
        return Malformed("invalid OBJECT IDENTIFIER");
      }
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Tlv> DerReader::Next() {
  if (rest_.size() < 2) return Malformed("truncated element header");
  const auto* p = reinterpret_cast<const uint8_t*>(rest_.data());
  Tlv tlv;
  tlv.tag = p[0];
  // X.690 8.1.2.4: tag number 31 announces the high-tag-number form; CMS and X.509 never need it.
  if ((tlv.tag & 0x1f) == 0x1f) return NotDer("high tag number form");
  size_t header = 2;
  size_t length = p[1];
  if (length == 0x80) return NotDer("indefinite length");
  if (length > 0x80) {
    // X.690 10.1: the definite form, with the minimum number of length octets.
    size_t count = length & 0x7f;
    if (count > 4) return Malformed("length over 4 GiB");
    if (rest_.size() < 2 + count) return Malformed("truncated length");
    if (p[2] == 0) return NotDer("non-minimal length (leading zero)");
    length = 0;
    for (size_t i = 0; i < count; ++i) length = (length << 8) | p[2 + i];
    if (length < 0x80) return NotDer("non-minimal length (long form for short length)");
    header += count;
  }
  if (length > rest_.size() - header) return Malformed("element longer than its container");
  tlv.value = rest_.substr(header, length);
  tlv.full = rest_.substr(0, header + length);
  KYSO_RETURN_IF_ERROR(CheckUniversalEncoding(tlv));
  rest_.remove_prefix(header + length);
  return tlv;
}

absl::StatusOr<Tlv> DerReader::Expect(uint8_t tag) {
  if (rest_.empty()) return Malformed(absl::StrFormat("expected tag 0x%02x, found end", tag));
  uint8_t found = static_cast<uint8_t>(rest_[0]);
  if (found != tag) {
    // A constructed form of a string type is BER, not a wrong structure.
    if (found == (tag | 0x20) && (tag == kTagOctetString || tag == kTagBitString)) {
      return NotDer("constructed string");
    }
    return Malformed(absl::StrFormat("expected tag 0x%02x, found 0x%02x", tag, found));
  }
  return Next();
}

absl::StatusOr<std::optional<Tlv>> DerReader::Optional(uint8_t tag) {
  if (!PeekTag(tag)) return std::optional<Tlv>();
  KYSO_ASSIGN_OR_RETURN(Tlv tlv, Next());
  return std::optional<Tlv>(tlv);
}

absl::Status DerReader::ExpectEnd(absl::string_view what) const {
  if (!rest_.empty()) {
    return Malformed(absl::StrCat(rest_.size(), " unexpected trailing bytes in ", what));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::string_view> CheckInteger(const Tlv& tlv) {
  if (tlv.tag != kTagInteger) return Malformed("expected INTEGER");
  const absl::string_view v = tlv.value;
  if (v.empty()) return Malformed("empty INTEGER");
  if (v.size() > 1) {
    const auto b0 = static_cast<uint8_t>(v[0]);
    const auto b1 = static_cast<uint8_t>(v[1]);
    // X.690 8.3.2: the first nine bits must not be all zeros or all ones.
    if ((b0 == 0x00 && (b1 & 0x80) == 0) || (b0 == 0xff && (b1 & 0x80) != 0)) {
      return NotDer("non-minimal INTEGER");
    }
  }
  return v;
}

absl::StatusOr<int64_t> ParseSmallInteger(const Tlv& tlv) {
  KYSO_ASSIGN_OR_RETURN(absl::string_view v, CheckInteger(tlv));
  if (v.size() > 8) return Malformed("INTEGER too large");
  int64_t value = (static_cast<uint8_t>(v[0]) & 0x80) ? -1 : 0;
  for (char c : v)
    value = static_cast<int64_t>((static_cast<uint64_t>(value) << 8) | static_cast<uint8_t>(c));
  return value;
}

absl::StatusOr<AlgorithmIdentifier> ParseAlgorithmIdentifier(const Tlv& tlv) {
  if (tlv.tag != kTagSequence) return Malformed("AlgorithmIdentifier is not a SEQUENCE");
  DerReader r(tlv.value);
  AlgorithmIdentifier alg;
  KYSO_ASSIGN_OR_RETURN(Tlv oid, r.Expect(kTagOid));
  if (oid.value.empty()) return Malformed("empty OBJECT IDENTIFIER");
  alg.oid = oid.value;
  if (!r.empty()) {
    KYSO_ASSIGN_OR_RETURN(Tlv params, r.Next());
    alg.parameters = params;
  }
  KYSO_RETURN_IF_ERROR(r.ExpectEnd("AlgorithmIdentifier"));
  return alg;
}

bool ParametersAbsentOrNull(const AlgorithmIdentifier& alg) {
  return !alg.parameters.has_value() ||
         (alg.parameters->tag == kTagNull && alg.parameters->value.empty());
}

std::string OidToString(absl::string_view oid) {
  std::string out;
  uint64_t value = 0;
  bool first = true;
  for (char c : oid) {
    const auto b = static_cast<uint8_t>(c);
    if (value > (UINT64_MAX >> 7)) return "<invalid OID>";
    value = (value << 7) | (b & 0x7f);
    if (b & 0x80) continue;
    if (first) {
      // X.690 8.19.4: the first subidentifier packs the first two arcs.
      const uint64_t arc0 = value < 40 ? 0 : (value < 80 ? 1 : 2);
      absl::StrAppend(&out, arc0, ".", value - arc0 * 40);
      first = false;
    } else {
      absl::StrAppend(&out, ".", value);
    }
    value = 0;
  }
  return out.empty() ? "<empty OID>" : out;
}

}  // namespace kyso::asn1
