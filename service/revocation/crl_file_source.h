// Revocation evidence from local CRL files (`--crl FILE`), for offline checks of archives.
//
// Each CRL is matched to its issuer among the trust store's certificates and verified once, at
// load. A certificate whose issuer has no loaded CRL gets no evidence (NotFound).
//
// Thread-safety: immutable after Load(); Check() is thread-safe.
#ifndef KYSO_SERVICE_REVOCATION_CRL_FILE_SOURCE_H_
#define KYSO_SERVICE_REVOCATION_CRL_FILE_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "crypto/revocation/crl.h"
#include "crypto/revocation/revocation_source.h"
#include "crypto/trust_store.h"

namespace kyso {

class CrlFileSource final : public RevocationSource {
 public:
  // Reads and verifies every CRL file. An unreadable file, a CRL whose issuer is not among the
  // trust store's certificates, or one that does not verify is an error naming the file.
  static absl::StatusOr<std::unique_ptr<CrlFileSource>> Load(const std::vector<std::string>& paths,
                                                             const TrustStore& trust);

  absl::StatusOr<RevocationReport> Check(const RevocationQuery& query) override;

 private:
  struct Entry {
    std::shared_ptr<const revocation::Crl> crl;
    std::string path;
  };
  absl::flat_hash_map<std::string, Entry> by_issuer_;  // issuer certificate SHA-256 -> CRL
};

}  // namespace kyso

#endif  // KYSO_SERVICE_REVOCATION_CRL_FILE_SOURCE_H_
