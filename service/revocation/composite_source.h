// Asks several revocation sources in order and returns the first usable evidence (good or
// revoked): local CRL files first, so an offline archive check never touches the network for
// what it was given, then the online source.
//
// Thread-safety: thread-safe when every source is.
#ifndef KYSO_SERVICE_REVOCATION_COMPOSITE_SOURCE_H_
#define KYSO_SERVICE_REVOCATION_COMPOSITE_SOURCE_H_

#include <vector>

#include "crypto/revocation/revocation_source.h"

namespace kyso {

class CompositeRevocationSource final : public RevocationSource {
 public:
  explicit CompositeRevocationSource(std::vector<RevocationSource*> sources)
      : sources_(std::move(sources)) {}

  absl::StatusOr<RevocationReport> Check(const RevocationQuery& query) override {
    absl::StatusOr<RevocationReport> last = absl::NotFoundError("no revocation source");
    for (RevocationSource* source : sources_) {
      last = source->Check(query);
      if (last.ok() && last->status != RevocationStatus::kUnknown) return last;
    }
    return last;
  }

 private:
  std::vector<RevocationSource*> sources_;  // not owned
};

}  // namespace kyso

#endif  // KYSO_SERVICE_REVOCATION_COMPOSITE_SOURCE_H_
