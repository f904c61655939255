// Builds a TrustStore snapshot from certificate files and folders (config `trust:` and the
// --trust-anchor / --intermediate flags).
#ifndef KYSO_SERVICE_TRUST_LOADER_H_
#define KYSO_SERVICE_TRUST_LOADER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/certificate.h"
#include "crypto/trust_store.h"

namespace kyso {

// Reads every certificate in `paths`: a file holds PEM certificates or one DER certificate; a
// folder contributes its *.pem, *.crt, *.cer and *.der files (not recursively), in name order so
// that loading is deterministic. Any unreadable or undecodable file is an error naming it.
absl::StatusOr<std::vector<CertificatePtr>> LoadCertificates(const std::vector<std::string>& paths);

absl::StatusOr<std::shared_ptr<const TrustStore>> LoadTrustStore(
    const std::vector<std::string>& anchor_paths,
    const std::vector<std::string>& intermediate_paths, uint64_t generation);

}  // namespace kyso

#endif  // KYSO_SERVICE_TRUST_LOADER_H_
