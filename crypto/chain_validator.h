// RFC 5280 certification path validation of a signer's certificate against a TrustStore at an
// explicit validation time, with the verdict cached.
//
// Engine: OpenSSL's X509_verify_cert in strict mode (X509_V_FLAG_X509_STRICT), policy checking on
// (X509_V_FLAG_POLICY_CHECK), no partial chains, critical extensions never ignored. On top of it:
// the validation policy's key sizes and certificate signature digests along the path, and the
// leaf's key usage for document signing.
//
// Cache.
//   Key: (leaf SHA-256, the sorted set of the supplied certificates' SHA-256, trust generation,
//         policy fingerprint, leaf usage).
//   Value: up to kWindowsPerKey verdicts, each with the window of validation times for which it
//          holds: a path that validated holds from the latest notBefore to the earliest notAfter
//          along it; a failure holds only for the exact instant it was computed at.
//   Bound: `capacity` keys, least recently used evicted.
//   Thread-safety: Validate() is thread-safe.
#ifndef KYSO_CRYPTO_CHAIN_VALIDATOR_H_
#define KYSO_CRYPTO_CHAIN_VALIDATOR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "crypto/certificate.h"
#include "crypto/lru_cache.h"
#include "crypto/policy.h"
#include "crypto/report.h"
#include "crypto/trust_store.h"

namespace kyso {

enum class LeafUsage {
  kDocumentSigning,  // leaf key usage must allow digitalSignature or nonRepudiation
  kAny,              // path checks only (kyso validate-cert --any-usage, conformance suites)
};

struct ChainResult {
  Verdict verdict;
  std::vector<Message> messages;
  std::vector<CertificatePtr> path;  // leaf first, anchor last; partial when no path was found
  std::string trust_anchor;          // subject of the anchor, when a path was found
  int openssl_error = 0;             // X509_V_OK or the X509_V_ERR_* that failed validation
  absl::Time holds_from = absl::InfinitePast();
  absl::Time holds_until = absl::InfiniteFuture();
};

class ChainValidator final {
 public:
  explicit ChainValidator(size_t capacity = 50000) : cache_(capacity) {}

  ChainValidator(const ChainValidator&) = delete;
  ChainValidator& operator=(const ChainValidator&) = delete;

  // `supplied` are untrusted certificates that may help build the path (those a document
  // carries); the trust store's intermediates are always available.
  std::shared_ptr<const ChainResult> Validate(const CertificatePtr& leaf,
                                              absl::Span<const CertificatePtr> supplied,
                                              const TrustStore& trust, absl::Time at,
                                              const Policy& policy, LeafUsage usage);

  // The same without the cache.
  static ChainResult ValidateUncached(const CertificatePtr& leaf,
                                      absl::Span<const CertificatePtr> supplied,
                                      const TrustStore& trust, absl::Time at, const Policy& policy,
                                      LeafUsage usage);

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kWindowsPerKey = 4;
  using Windows = std::vector<std::shared_ptr<const ChainResult>>;

  LruCache<std::string, Windows> cache_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace kyso

#endif  // KYSO_CRYPTO_CHAIN_VALIDATOR_H_
