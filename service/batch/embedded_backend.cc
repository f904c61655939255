#include "service/batch/embedded_backend.h"

#include <iostream>

#include "absl/time/clock.h"
#include "crypto/status_macros.h"
#include "crypto/verifier.h"
#include "service/revocation/async_verify.h"
#include "service/verification_setup.h"
#include "service/worker_pool.h"

namespace kyso::batch {
namespace {

// The context is built as `kyso verify`'s is (service/verification_setup.h), so a batch run and
// a verify run judge a document alike.
class EmbeddedBackend final : public VerifyBackend {
 public:
  static absl::StatusOr<std::unique_ptr<EmbeddedBackend>> Make(const EmbeddedOptions& o) {
    auto b = std::unique_ptr<EmbeddedBackend>(new EmbeddedBackend(o.threads));
    KYSO_ASSIGN_OR_RETURN(b->setup_, BuildVerificationSetup(o.setup, std::cerr));
    // Local CRL files are consulted by the blocking path only (the asynchronous one asks the
    // online source alone), so with --crl every worker verifies start to end itself.
    b->async_revocation_ =
        o.setup.crl_paths.empty() && b->setup_.context.policy.revocation != RevocationMode::kOff;
    return b;
  }

  ~EmbeddedBackend() override { pool_.reset(); }

  absl::Status Start(Done done) override {
    done_ = std::move(done);
    return absl::OkStatus();
  }

  // The runner's window bounds what is queued, so Submit (always queue) is safe here.
  void Submit(VerifyJob job) override {
    if (!pool_) {
      done_(job.id, absl::FailedPreconditionError("Submit after Finish"));
      return;
    }
    pool_->Submit([this, job = std::move(job)]() mutable {
      VerificationContext context = setup_.context;
      context.validation_time = job.validation_time;
      context.now = absl::Now();
      if (async_revocation_) {
        // The service's path: revocation misses are fetched on the online source's I/O threads
        // and the second pass comes back to this pool, so no worker waits on the network.
        std::vector<DetachedContent> detached;
        if (job.content) detached.push_back({job.content_name, *job.content});
        VerifyWithAsyncRevocation(
            &verifier_, job.bytes, detached, context, setup_.online.get(),
            [this](std::function<void()> task) { pool_->Submit(std::move(task)); },
            [this, id = job.id](DocumentReport report) { done_(id, std::move(report)); });
        return;
      }
      std::vector<DetachedContent> detached;
      if (job.content) detached.push_back({job.content_name, *job.content});
      done_(job.id, verifier_.VerifyDocument(job.bytes, detached, context));
    });
  }

  // Joins the workers: no `done` runs after this returns.
  absl::Status Finish() override {
    pool_.reset();
    return absl::OkStatus();
  }

 private:
  explicit EmbeddedBackend(int threads)
      : pool_(std::make_unique<WorkerPool>(threads, /*queue_capacity=*/1)) {}

  Verifier verifier_;
  VerificationSetup setup_;
  bool async_revocation_ = false;
  Done done_;
  std::unique_ptr<WorkerPool> pool_;  // last: its destructor runs queued work, which uses the rest
};

}  // namespace

absl::StatusOr<std::unique_ptr<VerifyBackend>> MakeEmbeddedBackend(const EmbeddedOptions& options) {
  KYSO_ASSIGN_OR_RETURN(std::unique_ptr<EmbeddedBackend> backend, EmbeddedBackend::Make(options));
  return std::unique_ptr<VerifyBackend>(std::move(backend));
}

}  // namespace kyso::batch
