// What in-process verification runs against, built from a config file with command-line flags on
// top (DESIGN.md "Config": flags override the file): the trust store, the policy and revocation
// mode, the validation time, and the revocation sources the context points to (local CRL files
// first, then OCSP/CRL fetching with the persistent cache the config names). `kyso verify`,
// `kyso validate-cert` and `kyso batch --embedded` all build it here, so they judge a document
// alike.
//
//   KYSO_ASSIGN_OR_RETURN(VerificationSetup setup, BuildVerificationSetup(options, std::cerr));
//   verifier.VerifyDocument(bytes, std::nullopt, setup.context);
//
// Thread-safety: the built setup is shared read-only by verifying threads (the sources are
// thread-safe).
#ifndef KYSO_SERVICE_VERIFICATION_SETUP_H_
#define KYSO_SERVICE_VERIFICATION_SETUP_H_

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crypto/verification_context.h"
#include "service/config.h"
#include "service/revocation/composite_source.h"
#include "service/revocation/crl_file_source.h"
#include "service/revocation/online_source.h"

namespace kyso {

struct SetupOptions {
  std::string config_path;  // may be empty: flags only
  std::vector<std::string> trust_anchors;
  std::vector<std::string> intermediates;
  std::string revocation;  // require | prefer | off; empty = the config's
  std::string at;          // RFC 3339 validation time; empty = now
  std::vector<std::string> crl_paths;
};

struct VerificationSetup {
  VerificationContext context;  // `revocation` points at `sources` below
  std::unique_ptr<CrlFileSource> crl_files;
  std::unique_ptr<OnlineRevocationSource> online;
  std::unique_ptr<CompositeRevocationSource> sources;  // crl_files, then online
};

// Config errors, an unreadable trust store or CRL file, a bad --at: an error. A revocation cache
// that cannot be opened costs persistence, not the run: it is said on `warnings`.
absl::StatusOr<VerificationSetup> BuildVerificationSetup(const SetupOptions& options,
                                                         std::ostream& warnings);

// "2025-07-01T08:00:00Z" (RFC 3339).
absl::StatusOr<absl::Time> ParseValidationTime(const std::string& text);
// revocation.intermediates: if_advertised | require | off.
absl::StatusOr<IntermediateRevocation> ParseIntermediateRevocation(const std::string& text);
// The online revocation source's settings from the config's revocation section.
OnlineSourceOptions OnlineOptions(const RevocationConfig& config);

}  // namespace kyso

#endif  // KYSO_SERVICE_VERIFICATION_SETUP_H_
