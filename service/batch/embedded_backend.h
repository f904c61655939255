// `kyso batch --embedded`: verification in this process, with what `kyso verify` and `kyso serve`
// use: one shared Verifier with its certificate and chain caches; OCSP/CRL fetching with the
// memory and SQLite caches of the config; a WorkerPool of `threads` workers. With revocation on
// and no --crl files, documents go through VerifyWithAsyncRevocation as in the service (no
// worker waits on the network); with --crl, each worker verifies with the blocking sources, the
// CRL files first.
//
// Thread-safety: Submit() from one thread; `done` runs on the pool's workers.
#ifndef KYSO_SERVICE_BATCH_EMBEDDED_BACKEND_H_
#define KYSO_SERVICE_BATCH_EMBEDDED_BACKEND_H_

#include <memory>
#include <string>
#include <vector>

#include "service/batch/verify_backend.h"
#include "service/verification_setup.h"

namespace kyso::batch {

struct EmbeddedOptions {
  SetupOptions setup;  // config and flags, as `kyso verify` takes them (`at` unused: per job)
  int threads = 0;     // 0 = one per core
};

// Loads the config and the trust store; a bad config is an error (exit 2 for the caller).
absl::StatusOr<std::unique_ptr<VerifyBackend>> MakeEmbeddedBackend(const EmbeddedOptions& options);

}  // namespace kyso::batch

#endif  // KYSO_SERVICE_BATCH_EMBEDDED_BACKEND_H_
