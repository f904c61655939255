// Where `kyso batch` sends documents: a running kyso service (RemoteBackend, one VerifyStream)
// or this process (EmbeddedBackend, the same Verifier and revocation caches `kyso verify` uses).
//
// Contract: every Submit()ted job gets exactly one call of `done`, with its report or, when the
// backend itself failed (the stream broke, the server went away), with that error; a job submitted
// after a failure gets the error at once. The runner bounds how many jobs are in flight, so
// Submit() never needs to refuse.
#ifndef KYSO_SERVICE_BATCH_VERIFY_BACKEND_H_
#define KYSO_SERVICE_BATCH_VERIFY_BACKEND_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crypto/report.h"

namespace kyso::batch {

struct VerifyJob {
  uint64_t id = 0;
  std::string bytes;
  std::optional<std::string> content;  // detached content, with its file name
  std::string content_name;
  absl::Time validation_time;
};

class VerifyBackend {
 public:
  using Done = std::function<void(uint64_t id, absl::StatusOr<DocumentReport> report)>;
  virtual ~VerifyBackend() = default;

  // Called once before the first Submit(); `done` may run on any thread.
  virtual absl::Status Start(Done done) = 0;
  virtual void Submit(VerifyJob job) = 0;
  // After the last Submit() and once every job is done: releases the backend. The backend's
  // failure, if it had one.
  virtual absl::Status Finish() = 0;
};

}  // namespace kyso::batch

#endif  // KYSO_SERVICE_BATCH_VERIFY_BACKEND_H_
