#include "crypto/certificate_cache.h"

#include "crypto/algorithms.h"
#include "crypto/status_macros.h"

namespace kyso {

absl::StatusOr<CertificatePtr> CertificateCache::GetOrParse(absl::string_view der) {
  return GetOrParse(der, Digest(DigestAlgorithm::kSha256, der));
}

absl::StatusOr<CertificatePtr> CertificateCache::GetOrParse(absl::string_view der,
                                                            const std::string& sha256) {
  if (auto hit = cache_.Get(sha256)) return *std::move(hit);
  KYSO_ASSIGN_OR_RETURN(CertificatePtr cert, Certificate::Parse(der));
  cache_.Put(sha256, cert);
  return cert;
}

}  // namespace kyso
