#include "crypto/policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace kyso {

absl::string_view ToString(RevocationMode mode) {
  switch (mode) {
    case RevocationMode::kRequire:
      return "require";
    case RevocationMode::kPrefer:
      return "prefer";
    case RevocationMode::kOff:
      return "off";
  }
  return "require";
}

absl::StatusOr<RevocationMode> ParseRevocationMode(absl::string_view text) {
  if (text == "require") return RevocationMode::kRequire;
  if (text == "prefer") return RevocationMode::kPrefer;
  if (text == "off") return RevocationMode::kOff;
  return absl::InvalidArgumentError(
      absl::StrCat("revocation mode must be require, prefer or off, not '", text, "'"));
}

bool Policy::DigestAllowed(DigestAlgorithm digest) const {
  return std::find(allowed_digests.begin(), allowed_digests.end(), digest) != allowed_digests.end();
}

std::optional<Message> Policy::CheckKey(const PublicKeyInfo& key, absl::string_view whose) const {
  if (key.type == "rsa" || key.type == "rsa-pss") {
    if (key.bits < min_rsa_bits) {
      return MakeMessage(MessageCode::kPolicyKeyTooSmall,
                         absl::StrCat(whose, ": RSA ", key.bits, " bits < ", min_rsa_bits));
    }
    return std::nullopt;
  }
  if (key.type == "ec") {
    if (key.bits < min_ec_bits) {
      return MakeMessage(MessageCode::kPolicyKeyTooSmall,
                         absl::StrCat(whose, ": EC ", key.bits, " bits < ", min_ec_bits));
    }
    return std::nullopt;
  }
  return MakeMessage(MessageCode::kPolicyKeyTypeNotAllowed, absl::StrCat(whose, ": ", key.type));
}

std::string Policy::Fingerprint() const {
  std::string out = absl::StrCat(min_rsa_bits, "/", min_ec_bits, "/");
  for (DigestAlgorithm d : allowed_digests) absl::StrAppend(&out, ToString(d), ",");
  return out;
}

}  // namespace kyso
