// Where the verifier gets revocation evidence from. crypto/ defines the interface and judges the
// evidence; service/ implements it (local CRL files, OCSP and CRL fetching with caches).
//
// Thread-safety: implementations must be thread-safe; one source serves every worker.
#ifndef KYSO_CRYPTO_REVOCATION_REVOCATION_SOURCE_H_
#define KYSO_CRYPTO_REVOCATION_REVOCATION_SOURCE_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crypto/certificate.h"
#include "crypto/report.h"

namespace kyso {

struct RevocationQuery {
  CertificatePtr cert;
  CertificatePtr issuer;  // the certificate that issued `cert` on the validated path
  absl::Time now;         // the caller's clock, for freshness
};

class RevocationSource {
 public:
  virtual ~RevocationSource() = default;

  // Verified evidence about query.cert: good, revoked or unknown. An error status means no usable
  // evidence (no responder, unreachable, unverifiable): the policy decides what that costs.
  virtual absl::StatusOr<RevocationReport> Check(const RevocationQuery& query) = 0;
};

}  // namespace kyso

#endif  // KYSO_CRYPTO_REVOCATION_REVOCATION_SOURCE_H_
