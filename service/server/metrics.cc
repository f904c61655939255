#include "service/server/metrics.h"

#include <prometheus/metric_family.h>

#include <iterator>
#include <map>
#include <utility>

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
    auto in_flight = Family("kyso_documents_in_flight",
                            "Documents admitted and not yet answered (queued, verifying, waiting "
                            "for revocation evidence, or waiting to be written).",
                            MetricType::Gauge);
    AddValue(&in_flight, {}, static_cast<double>(service_->documents_in_flight()));
    out.push_back(std::move(in_flight));
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
  m->stage_ = &prometheus::BuildHistogram()
                   .Name("kyso_stage_seconds")
                   .Help(
                       "Time per verification stage (parse, signature, chain, revocation), "
                       "one observation per document and stage.")
                   .Register(*m->registry_);
  m->calls_ = &prometheus::BuildCounter()
                   .Name("kyso_rpc_calls_total")
                   .Help("Finished RPCs by method and gRPC status code.")
                   .Register(*m->registry_);
  m->call_latency_ = &prometheus::BuildHistogram()
                          .Name("kyso_rpc_seconds")
                          .Help(
                              "RPC latency from the handler's start to Finish, by method and "
                              "gRPC status code (a stream's whole life).")
                          .Register(*m->registry_);
  m->reloads_ = &prometheus::BuildCounter()
                     .Name("kyso_reloads_total")
                     .Help("SIGHUP reloads of the trust store and policy, by result (ok, failed).")
                     .Register(*m->registry_);
  m->generation_ = &prometheus::BuildGauge()
                        .Name("kyso_trust_generation")
                        .Help("Generation of the trust store and policy serving now (1 at start).")
                        .Register(*m->registry_)
                        .Add({});
  m->generation_->Set(1);
  m->serving_ = &prometheus::BuildGauge()
                     .Name("kyso_serving")
                     .Help("1 while health says SERVING, 0 before and while draining.")
                     .Register(*m->registry_)
                     .Add({});
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

namespace {

// The canonical names (grpc/status.h), as other gRPC tooling labels them.
std::string StatusCodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  if (i >= 0 && i < static_cast<int>(std::size(kNames))) return kNames[i];
  return absl::StrCat(i);
}

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return *buckets;
}

// Stages are microseconds when caches are warm, milliseconds to seconds when evidence is fetched.
const prometheus::Histogram::BucketBoundaries& StageBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
      0.005,   0.01,     0.025,   0.05,   0.1,     0.25,   1,     5};
  return *buckets;
}

}  // namespace

void ServiceMetrics::RecordCall(const CallRecord& record) {
  const std::map<std::string, std::string> labels = {{"method", record.method},
                                                     {"code", StatusCodeName(record.code)}};
  calls_->Add(labels).Increment();
  call_latency_->Add(labels, LatencyBuckets()).Observe(absl::ToDoubleSeconds(record.latency));
}

void ServiceMetrics::RecordReload(bool ok, uint64_t generation) {
  reloads_->Add({{"result", ok ? "ok" : "failed"}}).Increment();
  generation_->Set(static_cast<double>(generation));
}

void ServiceMetrics::SetServing(bool serving) { serving_->Set(serving ? 1 : 0); }

void ServiceMetrics::RecordDocument(const AuditRecord& record) {
  documents_
      ->Add({{"format", record.format},
             {"indication", std::string(ToString(record.verdict.indication))},
             {"sub_indication", std::string(ToString(record.verdict.sub_indication))}})
      .Increment();
  latency_->Add({{"method", record.method}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(record.latency));
  const StageTimes& t = record.stage_times;
  for (const auto& [stage, time] :
       {std::pair{"parse", t.parse}, std::pair{"signature", t.signature},
        std::pair{"chain", t.chain}, std::pair{"revocation", t.revocation}}) {
    stage_->Add({{"stage", stage}}, StageBuckets()).Observe(absl::ToDoubleSeconds(time));
  }
}

}  // namespace kyso
