// What one verification is judged against: trust, policy and time, all explicit.
#ifndef KYSO_CRYPTO_VERIFICATION_CONTEXT_H_
#define KYSO_CRYPTO_VERIFICATION_CONTEXT_H_

#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "crypto/certificate.h"
#include "crypto/policy.h"
#include "crypto/trust_store.h"

namespace kyso {

struct VerificationContext {
  std::shared_ptr<const TrustStore> trust;  // required
  Policy policy;
  absl::Time validation_time;  // the caller's clock or a chosen time; never read here
};

}  // namespace kyso

#endif  // KYSO_CRYPTO_VERIFICATION_CONTEXT_H_
