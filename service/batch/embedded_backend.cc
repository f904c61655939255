#include "service/batch/embedded_backend.h"

#include <iostream>

#include "absl/time/clock.h"
#include "crypto/status_macros.h"
#include "crypto/verifier.h"
#include "service/config.h"
#include "service/revocation/async_verify.h"
#include "service/revocation/composite_source.h"
#include "service/revocation/crl_file_source.h"
#include "service/revocation/evidence_store.h"
#include "service/revocation/online_source.h"
#include "service/trust_loader.h"
#include "service/worker_pool.h"

namespace kyso::batch {
namespace {

absl::StatusOr<IntermediateRevocation> ParseIntermediates(const std::string& text) {
  if (text == "if_advertised") return IntermediateRevocation::kIfAdvertised;
  if (text == "require") return IntermediateRevocation::kRequire;
  if (text == "off") return IntermediateRevocation::kOff;
  return absl::InvalidArgumentError(
      "revocation.intermediates must be if_advertised, require or off");
}

// The context is built as service/cli/commands.cc builds `kyso verify`'s (config, then flags on
// top; DESIGN.md "Config"), so a batch run and a verify run judge a document alike.
class EmbeddedBackend final : public VerifyBackend {
 public:
  static absl::StatusOr<std::unique_ptr<EmbeddedBackend>> Make(const EmbeddedOptions& o) {
    Config config;
    if (!o.config_path.empty()) {
      KYSO_ASSIGN_OR_RETURN(config, LoadConfig(o.config_path));
    }
    if (!o.revocation.empty()) {
      KYSO_ASSIGN_OR_RETURN(config.revocation.mode, ParseRevocationMode(o.revocation));
    }
    config.policy.revocation = config.revocation.mode;
    std::vector<std::string> anchors = config.trust.anchors;
    anchors.insert(anchors.end(), o.trust_anchors.begin(), o.trust_anchors.end());
    std::vector<std::string> intermediates = config.trust.intermediates;
    intermediates.insert(intermediates.end(), o.intermediates.begin(), o.intermediates.end());
    auto b = std::unique_ptr<EmbeddedBackend>(new EmbeddedBackend(o.threads));
    KYSO_ASSIGN_OR_RETURN(b->context_.trust,
                          LoadTrustStore(anchors, intermediates, /*generation=*/1));
    b->context_.policy = config.policy;
    KYSO_ASSIGN_OR_RETURN(b->context_.intermediates,
                          ParseIntermediates(config.revocation.intermediates));
    KYSO_ASSIGN_OR_RETURN(b->crl_files_, CrlFileSource::Load(o.crl_paths, *b->context_.trust));
    std::unique_ptr<EvidenceStore> store;
    if (!o.config_path.empty() && !config.revocation.cache_path.empty() &&
        config.policy.revocation != RevocationMode::kOff) {
      absl::StatusOr<std::unique_ptr<EvidenceStore>> opened =
          EvidenceStore::Open(config.revocation.cache_path);
      if (opened.ok()) {
        store = *std::move(opened);
      } else {
        std::cerr << "kyso batch: revocation cache disabled: " << opened.status().message() << "\n";
      }
    }
    OnlineSourceOptions online;
    online.ocsp_timeout = absl::Milliseconds(config.revocation.ocsp_timeout_ms);
    online.ocsp_overrides = config.revocation.ocsp_overrides;
    online.crl_overrides = config.revocation.crl_overrides;
    online.nonce = config.revocation.ocsp_nonce;
    b->online_ = std::make_unique<OnlineRevocationSource>(online, std::move(store));
    b->revocation_ = std::make_unique<CompositeRevocationSource>(
        std::vector<RevocationSource*>{b->crl_files_.get(), b->online_.get()});
    b->context_.revocation = b->revocation_.get();
    // Local CRL files are consulted by the blocking path only (the asynchronous one asks the
    // online source alone), so with --crl every worker verifies start to end itself.
    b->async_revocation_ = o.crl_paths.empty() && config.policy.revocation != RevocationMode::kOff;
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
      VerificationContext context = context_;
      context.validation_time = job.validation_time;
      context.now = absl::Now();
      if (async_revocation_) {
        // The service's path: revocation misses are fetched on the online source's I/O threads
        // and the second pass comes back to this pool, so no worker waits on the network.
        std::vector<OwnedDetachedContent> detached;
        if (job.content) detached.push_back({job.content_name, std::move(*job.content)});
        VerifyWithAsyncRevocation(
            &verifier_, std::move(job.bytes), std::move(detached), context, online_.get(),
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
  VerificationContext context_;
  bool async_revocation_ = false;
  std::unique_ptr<CrlFileSource> crl_files_;
  std::unique_ptr<OnlineRevocationSource> online_;
  std::unique_ptr<CompositeRevocationSource> revocation_;
  Done done_;
  std::unique_ptr<WorkerPool> pool_;  // last: its destructor runs queued work, which uses the rest
};

}  // namespace

absl::StatusOr<std::unique_ptr<VerifyBackend>> MakeEmbeddedBackend(const EmbeddedOptions& options) {
  KYSO_ASSIGN_OR_RETURN(std::unique_ptr<EmbeddedBackend> backend, EmbeddedBackend::Make(options));
  return std::unique_ptr<VerifyBackend>(std::move(backend));
}

}  // namespace kyso::batch
