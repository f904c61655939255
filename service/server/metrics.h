// Prometheus metrics of a running service, served in the text format at /metrics.
//
// Pushed as they happen: RPCs by method and gRPC status code with their latency; documents by
// format, indication and sub-indication, with their latency and its split over the stages (parse,
// signature, chain, revocation); trust-store reloads and their outcome.
// Pulled at each scrape (a Collectable), from counters the components already keep: RPCs refused
// for overload and work dropped after its deadline, the CPU queue depth and busy workers, and per
// revocation URL the requests, errors and fetch latency, plus cache hits by tier and misses, and
// the documents in flight.
//
// Thread-safety: thread-safe.
#ifndef KYSO_SERVICE_SERVER_METRICS_H_
#define KYSO_SERVICE_SERVER_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/revocation/online_source.h"
#include "service/server/verifier_service.h"
#include "service/worker_pool.h"

namespace kyso {

class ServiceMetrics final {
 public:
  // Starts serving /metrics on `listen` ("127.0.0.1:9464"; port 0 picks one). The components
  // must outlive this object.
  static absl::StatusOr<std::unique_ptr<ServiceMetrics>> Start(
      const std::string& listen, const VerifierService* service, const WorkerPool* cpu,
      const OnlineRevocationSource* online);
  ~ServiceMetrics();

  int port() const { return port_; }

  // One verified document (from the service's audit hook).
  void RecordDocument(const AuditRecord& record);
  // One finished RPC (from the service's call hook).
  void RecordCall(const CallRecord& record);
  // A SIGHUP reload: whether it took effect, and the trust generation now serving.
  void RecordReload(bool ok, uint64_t generation);
  // The health status the probes see.
  void SetServing(bool serving);

 private:
  class Pulled;
  ServiceMetrics() = default;

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<Pulled> pulled_;
  prometheus::Family<prometheus::Counter>* documents_ = nullptr;
  prometheus::Family<prometheus::Histogram>* latency_ = nullptr;
  prometheus::Family<prometheus::Histogram>* stage_ = nullptr;
  prometheus::Family<prometheus::Counter>* calls_ = nullptr;
  prometheus::Family<prometheus::Histogram>* call_latency_ = nullptr;
  prometheus::Family<prometheus::Counter>* reloads_ = nullptr;
  prometheus::Gauge* generation_ = nullptr;
  prometheus::Gauge* serving_ = nullptr;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace kyso

#endif  // KYSO_SERVICE_SERVER_METRICS_H_
