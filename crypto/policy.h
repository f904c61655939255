// The validation policy: which algorithms and key sizes are acceptable, and how revocation is
// treated. Always passed explicitly; there is no global default policy.
//
// Defaults follow Vietnam's Circular 15/2025 (RSA ≥ 2048 bits, EC ≥ 256 bits, SHA-2 digests).
#ifndef KYSO_CRYPTO_POLICY_H_
#define KYSO_CRYPTO_POLICY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/algorithms.h"
#include "crypto/certificate.h"
#include "crypto/messages.h"

namespace kyso {

enum class RevocationMode { kRequire, kPrefer, kOff };

absl::string_view ToString(RevocationMode mode);  // "require" | "prefer" | "off"
absl::StatusOr<RevocationMode> ParseRevocationMode(absl::string_view text);

struct Policy {
  int min_rsa_bits = 2048;
  int min_ec_bits = 256;
  std::vector<DigestAlgorithm> allowed_digests = {
      DigestAlgorithm::kSha256, DigestAlgorithm::kSha384, DigestAlgorithm::kSha512};
  RevocationMode revocation = RevocationMode::kOff;

  bool DigestAllowed(DigestAlgorithm digest) const;

  // A finding when `key` is weaker than the policy allows; nullopt when acceptable.
  std::optional<Message> CheckKey(const PublicKeyInfo& key, absl::string_view whose) const;

  // A compact string that differs whenever a field that affects a verdict differs; part of the
  // chain-cache key.
  std::string Fingerprint() const;
};

}  // namespace kyso

#endif  // KYSO_CRYPTO_POLICY_H_
