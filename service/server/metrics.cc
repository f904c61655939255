#include "service/server/metrics.h"

#include <prometheus/metric_family.h>

#include "absl/strings/str_cat.h"

namespace kyso {
namespace {

prometheus::MetricFamily Family(const std::string& name, const std::string& help,
                                prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

void AddValue(prometheus::MetricFamily* family, std::vector<prometheus::ClientMetric::Label> labels,
              double value) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  if (family->type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  family->metric.push_back(std::move(m));
}

}  // namespace

// The metrics read from the components at scrape time.
class ServiceMetrics::Pulled final : public prometheus::Collectable {
 public:
  Pulled(const VerifierService* service, const WorkerPool* cpu,
         const OnlineRevocationSource* online)
      : service_(service), cpu_(cpu), online_(online) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    using prometheus::MetricType;
    std::vector<prometheus::MetricFamily> out;
    auto refused = Family("kyso_rpc_refused_total",
                          "Calls answered RESOURCE_EXHAUSTED because the work queue was full.",
                          MetricType::Counter);
    AddValue(&refused, {}, static_cast<double>(service_->refused()));
    out.push_back(std::move(refused));
    auto dropped = Family("kyso_rpc_dropped_total",
                          "Documents dropped because their deadline passed or their call was "
                          "cancelled before the work started.",
                          MetricType::Counter);
    AddValue(&dropped, {}, static_cast<double>(service_->dropped()));
    out.push_back(std::move(dropped));
    auto queue =
        Family("kyso_queue_depth", "Documents waiting for a CPU worker.", MetricType::Gauge);
    AddValue(&queue, {}, static_cast<double>(cpu_->queued()));
    out.push_back(std::move(queue));
    auto busy = Family("kyso_workers_busy", "CPU workers verifying now.", MetricType::Gauge);
    AddValue(&busy, {}, static_cast<double>(cpu_->busy()));
    out.push_back(std::move(busy));
    if (online_ == nullptr) return out;
    auto requests = Family("kyso_revocation_fetch_requests_total",
                           "OCSP and CRL requests, by responder or CRL URL.", MetricType::Counter);
    auto errors = Family("kyso_revocation_fetch_errors_total",
                         "OCSP and CRL requests that failed, by URL.", MetricType::Counter);
    auto seconds = Family("kyso_revocation_fetch_seconds_total",
                          "Time spent fetching revocation evidence, by URL.", MetricType::Counter);
    for (const auto& [url, stats] : online_->fetch_stats()) {
      AddValue(&requests, {{"url", url}}, static_cast<double>(stats.requests));
      AddValue(&errors, {{"url", url}}, static_cast<double>(stats.errors));
      AddValue(&seconds, {{"url", url}}, absl::ToDoubleSeconds(stats.total_latency));
    }
    out.push_back(std::move(requests));
    out.push_back(std::move(errors));
    out.push_back(std::move(seconds));
    const CacheStats cache = online_->cache_stats();
    auto hits = Family("kyso_revocation_cache_hits_total",
                       "Revocation answers served from a cache tier.", MetricType::Counter);
    AddValue(&hits, {{"tier", "memory"}}, static_cast<double>(cache.memory_hits));
    AddValue(&hits, {{"tier", "sqlite"}}, static_cast<double>(cache.persistent_hits));
    out.push_back(std::move(hits));
    auto misses = Family("kyso_revocation_cache_misses_total",
                         "Revocation questions that needed a fetch.", MetricType::Counter);
    AddValue(&misses, {}, static_cast<double>(cache.misses));
    out.push_back(std::move(misses));
    return out;
  }

 private:
  const VerifierService* service_;
  const WorkerPool* cpu_;
  const OnlineRevocationSource* online_;
};

absl::StatusOr<std::unique_ptr<ServiceMetrics>> ServiceMetrics::Start(
    const std::string& listen, const VerifierService* service, const WorkerPool* cpu,
    const OnlineRevocationSource* online) {
  std::unique_ptr<ServiceMetrics> m(new ServiceMetrics());
  m->registry_ = std::make_shared<prometheus::Registry>();
  m->documents_ = &prometheus::BuildCounter()
                       .Name("kyso_documents_total")
                       .Help("Verified documents by format, indication and sub-indication.")
                       .Register(*m->registry_);
  m->latency_ = &prometheus::BuildHistogram()
                     .Name("kyso_document_latency_seconds")
                     .Help("Time from admission to report, by RPC method.")
                     .Register(*m->registry_);
  m->pulled_ = std::make_shared<Pulled>(service, cpu, online);
  // civetweb reports a failure to bind by throwing; this is the adapter that turns it into a
  // status.
  try {
    m->exposer_ = std::make_unique<prometheus::Exposer>(listen);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics: cannot listen on ", listen, ": ", e.what()));
  }
  m->exposer_->RegisterCollectable(m->registry_);
  m->exposer_->RegisterCollectable(m->pulled_);
  const std::vector<int> ports = m->exposer_->GetListeningPorts();
  m->port_ = ports.empty() ? 0 : ports.front();
  return m;
}

ServiceMetrics::~ServiceMetrics() = default;

void ServiceMetrics::RecordDocument(const AuditRecord& record) {
  documents_
      ->Add({{"format", record.format},
             {"indication", std::string(ToString(record.verdict.indication))},
             {"sub_indication", std::string(ToString(record.verdict.sub_indication))}})
      .Increment();
  latency_
      ->Add({{"method", record.method}},
            prometheus::Histogram::BucketBoundaries{0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                    0.25, 0.5, 1, 2.5, 5})
      .Observe(absl::ToDoubleSeconds(record.latency));
}

}  // namespace kyso
