// kyso's verification entry point: bytes and a context in, a report out.
//
//   kyso::Verifier verifier;
//   kyso::VerificationContext ctx{trust, policy, absl::Now()};
//   kyso::DocumentReport report = verifier.VerifyDocument(bytes, std::nullopt, ctx);
//
// Pure: no I/O, no clock, no threads. A Verifier owns the caches that make repeated signers cheap
// (parsed certificates, chain verdicts) and is meant to be shared by all workers of a process.
//
// Thread-safety: thread-safe.
#ifndef KYSO_CRYPTO_VERIFIER_H_
#define KYSO_CRYPTO_VERIFIER_H_

#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "crypto/certificate_cache.h"
#include "crypto/chain_validator.h"
#include "crypto/report.h"
#include "crypto/verification_context.h"

namespace kyso {

struct VerifierOptions {
  size_t certificate_cache_capacity = 100000;
  size_t chain_cache_capacity = 50000;
};

class Verifier final {
 public:
  explicit Verifier(const VerifierOptions& options = {});

  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // Verifies every signature in a document (CMS in DER or PEM, or XML). `detached` is the signed
  // content of detached signatures: CMS uses the first, XML references pick theirs by name.
  DocumentReport VerifyDocument(absl::string_view bytes, absl::Span<const DetachedContent> detached,
                                const VerificationContext& context);

  // The same with at most one unnamed detached content (CMS).
  DocumentReport VerifyDocument(absl::string_view bytes,
                                std::optional<absl::string_view> detached_content,
                                const VerificationContext& context);

  // Validates certificates alone: `bytes` holds one DER certificate or PEM certificates, the
  // first being the one validated and the rest helping to build its path.
  CertificateReport ValidateCertificate(absl::string_view bytes, const VerificationContext& context,
                                        LeafUsage usage = LeafUsage::kDocumentSigning);

  CertificateCache& certificates() { return certificates_; }
  ChainValidator& chains() { return chains_; }

 private:
  CertificateCache certificates_;
  ChainValidator chains_;
};

}  // namespace kyso

#endif  // KYSO_CRYPTO_VERIFIER_H_
