#include "service/revocation/async_verify.h"

#include <chrono>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace kyso {
namespace {

std::string QueryKey(const RevocationQuery& q) {
  return absl::StrCat(q.cert->sha256(), q.issuer->sha256());
}

// Pass 1: answers from the memory cache, records every miss.
class CacheOnlySource final : public RevocationSource {
 public:
  explicit CacheOnlySource(OnlineRevocationSource* online) : online_(online) {}

  absl::StatusOr<RevocationReport> Check(const RevocationQuery& query) override {
    if (std::optional<RevocationReport> cached = online_->TryCached(query)) return *cached;
    absl::MutexLock lock(&mu_);
    misses_.emplace(QueryKey(query), query);
    return absl::UnavailableError("revocation evidence is being fetched");
  }

  absl::flat_hash_map<std::string, RevocationQuery> TakeMisses() {
    absl::MutexLock lock(&mu_);
    return std::move(misses_);
  }

 private:
  OnlineRevocationSource* online_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, RevocationQuery> misses_ ABSL_GUARDED_BY(mu_);
};

// Pass 2: the answers gathered for pass 1's misses, the cache for anything else.
class GatheredSource final : public RevocationSource {
 public:
  GatheredSource(OnlineRevocationSource* online,
                 absl::flat_hash_map<std::string, absl::StatusOr<RevocationReport>> answers)
      : online_(online), answers_(std::move(answers)) {}

  absl::StatusOr<RevocationReport> Check(const RevocationQuery& query) override {
    auto it = answers_.find(QueryKey(query));
    if (it != answers_.end()) return it->second;
    if (std::optional<RevocationReport> cached = online_->TryCached(query)) return *cached;
    return absl::UnavailableError("no revocation evidence was gathered for this certificate");
  }

 private:
  OnlineRevocationSource* online_;
  const absl::flat_hash_map<std::string, absl::StatusOr<RevocationReport>> answers_;
};

// One document between its passes: owns its bytes and collects the answers.
struct Pending {
  Verifier* verifier;
  std::string bytes;
  std::vector<std::string> owned;  // the detached contents' bytes; `detached` views them
  std::vector<DetachedContent> detached;
  VerificationContext context;
  OnlineRevocationSource* online;
  Executor cpu;
  std::function<void(DocumentReport)> done;

  absl::Mutex mu;
  std::chrono::steady_clock::time_point fetch_started;  // set before the fetches start
  size_t outstanding ABSL_GUARDED_BY(mu) = 0;
  absl::flat_hash_map<std::string, absl::StatusOr<RevocationReport>> answers ABSL_GUARDED_BY(mu);
};

DocumentReport Run(Pending& p, RevocationSource* source) {
  VerificationContext ctx = p.context;
  ctx.revocation = source;
  return p.verifier->VerifyDocument(p.bytes, p.detached, ctx);
}

}  // namespace

void VerifyWithAsyncRevocation(Verifier* verifier, absl::string_view bytes,
                               absl::Span<const DetachedContent> detached,
                               VerificationContext context, OnlineRevocationSource* online,
                               Executor cpu, std::function<void(DocumentReport)> done) {
  // Pass 1 on the caller's views: in steady state it is the whole verification, and nothing is
  // copied.
  CacheOnlySource pass1(online);
  context.revocation = &pass1;
  DocumentReport report = verifier->VerifyDocument(bytes, detached, context);
  absl::flat_hash_map<std::string, RevocationQuery> misses = pass1.TakeMisses();
  if (misses.empty()) {
    done(std::move(report));
    return;
  }
  // Misses: the document outlives this call, so it is copied for pass 2.
  auto p = std::make_shared<Pending>();
  p->verifier = verifier;
  p->bytes = std::string(bytes);
  p->owned.reserve(detached.size());
  for (const DetachedContent& d : detached) {
    p->owned.emplace_back(d.bytes);
    p->detached.push_back({d.name, p->owned.back()});
  }
  p->context = std::move(context);
  p->online = online;
  p->cpu = std::move(cpu);
  p->done = std::move(done);
  {
    absl::MutexLock lock(&p->mu);
    p->outstanding = misses.size();
  }
  p->fetch_started = std::chrono::steady_clock::now();
  for (auto& [key, query] : misses) {
    online->CheckAsync(query, [p, key = key](absl::StatusOr<RevocationReport> answer) {
      {
        absl::MutexLock lock(&p->mu);
        p->answers.emplace(key, std::move(answer));
        if (--p->outstanding > 0) return;
      }
      // The last answer: back to the CPU pool for the second pass.
      p->cpu([p] {
        absl::flat_hash_map<std::string, absl::StatusOr<RevocationReport>> answers;
        {
          absl::MutexLock lock(&p->mu);
          answers = std::move(p->answers);
        }
        GatheredSource pass2(p->online, std::move(answers));
        // The first pass's time is in the report of neither pass; the wait for evidence is.
        const absl::Duration waited =
            absl::FromChrono(std::chrono::steady_clock::now() - p->fetch_started);
        DocumentReport report = Run(*p, &pass2);
        report.stage_times.revocation += waited;
        p->done(std::move(report));
      });
    });
  }
}

}  // namespace kyso
