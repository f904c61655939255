// What one verification is judged against: trust, policy and time, all explicit.
#ifndef KYSO_CRYPTO_VERIFICATION_CONTEXT_H_
#define KYSO_CRYPTO_VERIFICATION_CONTEXT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crypto/certificate.h"
#include "crypto/policy.h"
#include "crypto/revocation/revocation_source.h"
#include "crypto/trust_store.h"

namespace kyso {

// Content signed by a detached signature, supplied by the caller. XML references name it (matched
// by `name`, or by the last path segment of a reference URI); CMS uses the first one.
struct DetachedContent {
  std::string name;
  absl::string_view bytes;
};

// Which certificates of a path get a revocation check besides the signer's (config
// `revocation.intermediates`).
enum class IntermediateRevocation { kIfAdvertised, kRequire, kOff };

struct VerificationContext {
  std::shared_ptr<const TrustStore> trust;  // required
  Policy policy;
  absl::Time validation_time;  // a chosen time, or the caller's clock; never read here
  absl::Time now;              // the caller's clock, for the freshness of revocation evidence
  RevocationSource* revocation = nullptr;  // required unless policy.revocation is kOff
  IntermediateRevocation intermediates = IntermediateRevocation::kIfAdvertised;
};

}  // namespace kyso

#endif  // KYSO_CRYPTO_VERIFICATION_CONTEXT_H_
