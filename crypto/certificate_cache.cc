#include "crypto/certificate_cache.h"

#include "absl/hash/hash.h"
#include "crypto/status_macros.h"

namespace kyso {

absl::StatusOr<CertificatePtr> CertificateCache::GetOrParse(absl::string_view der) {
  const size_t key = absl::Hash<absl::string_view>{}(der);
  if (auto hit = cache_.Get(key); hit && (*hit)->der() == der) return *std::move(hit);
  KYSO_ASSIGN_OR_RETURN(CertificatePtr cert, Certificate::Parse(der));
  cache_.Put(key, cert);
  return cert;
}

}  // namespace kyso
