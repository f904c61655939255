// Revocation evidence fetched from the network and cached: OCSP first (responder from the
// certificate's AIA, or a per-CA override from the config), the CA's CRL as the fallback.
//
// Cache tiers.
//   Memory. Key: the certificate's CertID (issuer certificate SHA-256 + serial) for OCSP, the
//     issuer's SHA-256 for CRLs. Bound: `memory_entries`, least recently used evicted. Holds the
//     verified evidence and its expiry (min(nextUpdate, fetched + max_age)); every use re-checks
//     the expiry against the request's clock.
//   Persistent (optional, EvidenceStore over SQLite): the DER as received, re-verified when it is
//     loaded into memory, so a tampered file can never produce a "good".
// Only verified good or revoked answers are cached; unknown, errors and unverifiable responses
// never are. Concurrent misses for one key share one fetch (SingleFlight).
//
// Thread-safety: thread-safe. Check() blocks the calling thread during a fetch (bounded by the
// timeouts); the gRPC service will prefetch on an I/O pool so that CPU workers never wait.
// Refreshes ahead of expiry and CheckAsync run on the source's own I/O threads.
#ifndef KYSO_SERVICE_REVOCATION_ONLINE_SOURCE_H_
#define KYSO_SERVICE_REVOCATION_ONLINE_SOURCE_H_

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "crypto/lru_cache.h"
#include "crypto/revocation/crl.h"
#include "crypto/revocation/revocation_source.h"
#include "service/revocation/evidence_store.h"
#include "service/revocation/http_fetch.h"
#include "service/revocation/single_flight.h"
#include "service/worker_pool.h"

namespace kyso {

struct OnlineSourceOptions {
  absl::Duration ocsp_timeout = absl::Seconds(3);
  absl::Duration crl_timeout = absl::Seconds(10);
  size_t ocsp_max_bytes = 64 << 10;
  size_t crl_max_bytes = 16 << 20;
  bool nonce = false;
  // Issuer subject (RFC 2253, as kyso prints it) or issuer CN -> responder URL / CRL URL, used
  // instead of what the certificate advertises (a CA's moved service, a local mirror, tests).
  std::map<std::string, std::string> ocsp_overrides;
  std::map<std::string, std::string> crl_overrides;
  absl::Duration max_age = absl::Hours(24);  // cap on how long one answer is reused
  absl::Duration clock_skew = absl::Minutes(5);
  size_t memory_entries = 100000;
  bool crl_fallback = true;
  int io_threads = 4;  // CheckAsync and refreshes run here
  // Refresh ahead: an OCSP answer used at least `refresh_after_uses` times and expiring within
  // `refresh_ahead` is fetched again in the background, so a hot signer never misses. Zero
  // disables it.
  absl::Duration refresh_ahead = absl::Minutes(5);
  int refresh_after_uses = 3;
};

// Counters for one responder or CRL URL, for the service's metrics.
struct FetchStats {
  uint64_t requests = 0;
  uint64_t errors = 0;
  absl::Duration total_latency;
};

struct CacheStats {
  uint64_t memory_hits = 0;
  uint64_t persistent_hits = 0;
  uint64_t misses = 0;
};

class OnlineRevocationSource final : public RevocationSource {
 public:
  // `store` may be null (memory only).
  OnlineRevocationSource(OnlineSourceOptions options, std::unique_ptr<EvidenceStore> store);
  ~OnlineRevocationSource() override;

  OnlineRevocationSource(const OnlineRevocationSource&) = delete;
  OnlineRevocationSource& operator=(const OnlineRevocationSource&) = delete;

  absl::StatusOr<RevocationReport> Check(const RevocationQuery& query) override;

  // The answer the memory tier holds for `query`, without blocking: nullopt on a miss (then use
  // CheckAsync, or Check on a thread that may wait).
  std::optional<RevocationReport> TryCached(const RevocationQuery& query);

  // Check() on the source's I/O threads; `done` runs there when the answer is known. Concurrent
  // misses for one certificate still share one fetch, and no caller thread waits.
  void CheckAsync(RevocationQuery query,
                  std::function<void(absl::StatusOr<RevocationReport>)> done);

  std::map<std::string, FetchStats> fetch_stats() const;
  CacheStats cache_stats() const;
  uint64_t refreshes() const { return refreshes_.load(std::memory_order_relaxed); }

 private:
  struct Cached {
    RevocationReport evidence;  // OCSP: the answer; CRL: only its url
    std::shared_ptr<const revocation::Crl> crl;
    absl::Time expires;
    std::shared_ptr<std::atomic<int>> uses = std::make_shared<std::atomic<int>>(0);
  };

  absl::StatusOr<RevocationReport> CheckOcsp(const RevocationQuery& query, const std::string& key);
  // Asks the responders and caches a usable answer; no cache lookup.
  absl::StatusOr<RevocationReport> FetchOcsp(const RevocationQuery& query, const std::string& key);
  void ScheduleRefresh(const std::string& key, const RevocationQuery& query);
  absl::StatusOr<RevocationReport> CheckCrl(const RevocationQuery& query);
  std::vector<std::string> OcspUrls(const Certificate& cert, const Certificate& issuer) const;
  // One HTTP exchange, counted under `service` (the responder or CRL URL).
  absl::StatusOr<std::string> Fetch(const std::string& service, const HttpFetchRequest& request);
  absl::Time ExpiryOf(const RevocationReport& evidence, absl::Time fetched) const;
  std::optional<Cached> Lookup(const std::string& key, absl::Time now);

  const OnlineSourceOptions options_;
  std::unique_ptr<EvidenceStore> store_;
  LruCache<std::string, Cached> memory_;
  SingleFlight<absl::StatusOr<RevocationReport>> flights_;
  mutable absl::Mutex stats_mu_;
  std::map<std::string, FetchStats> fetch_stats_ ABSL_GUARDED_BY(stats_mu_);
  std::atomic<uint64_t> memory_hits_{0}, persistent_hits_{0}, misses_{0}, refreshes_{0};

  // Refreshes in progress or queued, so that each key is fetched again at most once at a time.
  absl::Mutex refresh_mu_;
  absl::flat_hash_set<std::string> refresh_scheduled_ ABSL_GUARDED_BY(refresh_mu_);
  // Declared last: destroyed first, so queued tasks finish while the rest is still alive.
  WorkerPool io_;
};

}  // namespace kyso

#endif  // KYSO_SERVICE_REVOCATION_ONLINE_SOURCE_H_
