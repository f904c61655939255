// Parsed certificates shared by every document that carries them.
//
// Key: a fast (non-cryptographic, per-process seeded) hash of the certificate's DER bytes; a hit
//      counts only when the cached certificate's DER equals the bytes asked about, so a collision
//      costs a decode, never a wrong certificate. (A SHA-256 per embedded certificate per document
//      cost more than all the rest of the lookup; the certificate's SHA-256 is still computed
//      once, when it is decoded.)
// Bound: `capacity` certificates (default 100,000: a province's signers fit many times over).
// Eviction: least recently used (LruCache).
// Thread-safety: thread-safe.
#ifndef KYSO_CRYPTO_CERTIFICATE_CACHE_H_
#define KYSO_CRYPTO_CERTIFICATE_CACHE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/certificate.h"
#include "crypto/lru_cache.h"

namespace kyso {

class CertificateCache final {
 public:
  explicit CertificateCache(size_t capacity = 100000) : cache_(capacity) {}

  // Returns the parsed certificate for `der`, decoding it only on the first sight.
  absl::StatusOr<CertificatePtr> GetOrParse(absl::string_view der);

  // The same when the caller already hashed the bytes (the digest is not needed for the lookup).
  absl::StatusOr<CertificatePtr> GetOrParse(absl::string_view der, const std::string& /*sha256*/) {
    return GetOrParse(der);
  }

  size_t size() const { return cache_.size(); }

 private:
  LruCache<size_t, CertificatePtr> cache_;
};

}  // namespace kyso

#endif  // KYSO_CRYPTO_CERTIFICATE_CACHE_H_
