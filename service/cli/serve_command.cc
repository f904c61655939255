#include "service/cli/serve_command.h"

#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "service/cli/json_log.h"
#include "service/config.h"
#include "service/file_io.h"
#include "service/revocation/evidence_store.h"
#include "service/revocation/online_source.h"
#include "service/server/admin_server.h"
#include "service/server/metrics.h"
#include "service/server/server.h"
#include "service/trust_loader.h"
#include "service/verification_setup.h"
#include "service/worker_pool.h"

namespace kyso::cli {
namespace {

struct Snapshot {
  std::shared_ptr<const TrustStore> trust;
  Policy policy;
  IntermediateRevocation intermediates = IntermediateRevocation::kIfAdvertised;
};

// The current snapshot, swapped whole by a reload.
class SnapshotHolder final {
 public:
  explicit SnapshotHolder(Snapshot initial)
      : current_(std::make_shared<const Snapshot>(std::move(initial))) {}
  std::shared_ptr<const Snapshot> Get() const {
    absl::MutexLock lock(&mu_);
    return current_;
  }
  void Set(Snapshot next) {
    auto replacement = std::make_shared<const Snapshot>(std::move(next));
    absl::MutexLock lock(&mu_);
    current_ = std::move(replacement);
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const Snapshot> current_ ABSL_GUARDED_BY(mu_);
};

// "127.0.0.1" of "127.0.0.1:0", "[::1]" of "[::1]:0": to say where a port-0 listener landed.
std::string HostOf(const std::string& listen) { return listen.substr(0, listen.rfind(':')); }

IntermediateRevocation ParseIntermediates(const Config& config) {
  // LoadConfig has checked the value already.
  return ParseIntermediateRevocation(config.revocation.intermediates)
      .value_or(IntermediateRevocation::kIfAdvertised);
}

absl::StatusOr<Snapshot> LoadSnapshot(const std::string& config_path, uint64_t generation) {
  absl::StatusOr<Config> config = LoadConfig(config_path);
  if (!config.ok()) return config.status();
  absl::StatusOr<std::shared_ptr<const TrustStore>> trust =
      LoadTrustStore(config->trust.anchors, config->trust.intermediates, generation);
  if (!trust.ok()) return trust.status();
  return Snapshot{*std::move(trust), config->policy, ParseIntermediates(*config)};
}

}  // namespace

int RunServe(const ServeOptions& o, std::ostream& err) {
  // SIGTERM, SIGINT and SIGHUP are taken with sigwait below; block them before any thread starts
  // so that every thread inherits the mask and none is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  JsonLog log(err);
  auto fail = [&log](const std::string& what) {
    log.Error("start_failed", what);
    return 2;
  };
  if (o.config_path.empty()) return fail("--config is required");
  absl::StatusOr<Config> config = LoadConfig(o.config_path);
  if (!config.ok()) return fail(std::string(config.status().message()));
  if (o.print_config) {
    std::cout << ConfigToYaml(*config);
    return 0;
  }
  // The probe port first, NOT_SERVING: a probe that asks while the trust store loads (large
  // stores take a while) hears "not yet" rather than finding nothing.
  const std::string admin_listen =
      o.admin_listen.empty() ? config->server.admin_listen : o.admin_listen;
  std::unique_ptr<AdminServer> admin;
  if (!admin_listen.empty()) {
    absl::StatusOr<std::unique_ptr<AdminServer>> started = AdminServer::Start(admin_listen);
    if (!started.ok()) return fail(std::string(started.status().message()));
    admin = *std::move(started);
    const std::string address = absl::StrCat(HostOf(admin_listen), ":", admin->port());
    log.Info("admin_listening", "health and reflection (plaintext) on " + address,
             {{"address", address}});
  }
  absl::StatusOr<std::shared_ptr<const TrustStore>> trust =
      LoadTrustStore(config->trust.anchors, config->trust.intermediates, 1);
  if (!trust.ok()) return fail(std::string(trust.status().message()));
  std::unique_ptr<EvidenceStore> store;
  if (config->revocation.mode != RevocationMode::kOff && !config->revocation.cache_path.empty()) {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> opened =
        EvidenceStore::Open(config->revocation.cache_path);
    if (opened.ok()) {
      store = *std::move(opened);
    } else {
      log.Warn("cache_disabled",
               absl::StrCat("revocation cache disabled: ", opened.status().message()));
    }
  }
  OnlineRevocationSource online(OnlineOptions(config->revocation), std::move(store));
  Verifier verifier;
  WorkerPool cpu(config->workers, /*queue_capacity=*/1024);
  // What a reload replaces, as one value: documents take the current snapshot when they start and
  // finish on it, whatever reloads happen meanwhile.
  SnapshotHolder snapshots(Snapshot{*trust, config->policy, ParseIntermediates(*config)});
  VerifierServiceOptions service_options;
  service_options.max_document_bytes = static_cast<size_t>(config->server.max_message_bytes);
  // The audit log: one JSON line per document on standard output (spdlog's sink is thread-safe).
  // Buffered, not flushed per line (a write() per document was a visible share of a streaming
  // server's time): it is flushed when the service falls idle, and at least every second.
  auto audit_sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(std::cout,
                                                                     /*force_flush=*/false);
  auto audit = std::make_shared<spdlog::logger>("kyso-audit", audit_sink);
  audit->set_pattern("%v");
  spdlog::drop("kyso-audit");  // a previous RunServe in this process may have left it registered
  spdlog::register_logger(audit);
  spdlog::flush_every(std::chrono::seconds(1));
  ServiceMetrics* metrics_sink = nullptr;            // set below, before the server takes any call
  const VerifierService* audited_service = nullptr;  // idem
  service_options.audit = [audit, &metrics_sink, &audited_service](const AuditRecord& r) {
    if (metrics_sink != nullptr) metrics_sink->RecordDocument(r);
    nlohmann::ordered_json line = {{"time", LogTimestamp()},
                                   {"event", "verified"},
                                   {"method", r.method},
                                   {"request_id", r.request_id},
                                   {"client", r.client},
                                   {"document_sha256", r.document_sha256},
                                   {"signer_sha256", r.signer_sha256},
                                   {"indication", ToString(r.verdict.indication)},
                                   {"sub_indication", ToString(r.verdict.sub_indication)},
                                   {"latency_ms", absl::ToDoubleMilliseconds(r.latency)}};
    audit->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    // This document is still counted in flight: 1 means nothing else is.
    if (audited_service != nullptr && audited_service->documents_in_flight() <= 1) audit->flush();
  };
  service_options.on_call = [&metrics_sink](const CallRecord& r) {
    if (metrics_sink != nullptr) metrics_sink->RecordCall(r);
  };
  VerifierService service(
      service_options, &verifier,
      [&snapshots] {
        const std::shared_ptr<const Snapshot> snapshot = snapshots.Get();
        VerificationContext ctx;
        ctx.trust = snapshot->trust;
        ctx.policy = snapshot->policy;
        ctx.now = absl::Now();
        ctx.validation_time = ctx.now;
        ctx.intermediates = snapshot->intermediates;
        return ctx;
      },
      &online, &cpu);
  audited_service = &service;
  const std::string metrics_listen =
      o.metrics_listen.empty() ? config->server.metrics_listen : o.metrics_listen;
  std::unique_ptr<ServiceMetrics> metrics;
  if (!metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<ServiceMetrics>> started =
        ServiceMetrics::Start(metrics_listen, &service, &cpu, &online);
    if (!started.ok()) return fail(std::string(started.status().message()));
    metrics = *std::move(started);
    metrics_sink = metrics.get();
    const std::string url =
        absl::StrCat("http://", HostOf(metrics_listen), ":", metrics->port(), "/metrics");
    log.Info("metrics_listening", "Prometheus metrics at " + url, {{"url", url}});
  }
  ServerOptions server_options;
  server_options.listen = o.listen.empty() ? config->server.listen : o.listen;
  server_options.max_message_bytes = static_cast<size_t>(config->server.max_message_bytes);
  const TlsConfig& tls = config->server.tls;
  if (!tls.cert.empty()) {
    for (const auto& [path, pem] : {std::pair{tls.cert, &server_options.tls_cert_pem},
                                    std::pair{tls.key, &server_options.tls_key_pem},
                                    std::pair{tls.client_ca, &server_options.tls_client_ca_pem}}) {
      if (path.empty()) continue;
      absl::StatusOr<std::string> data = ReadFile(path, 1 << 20);
      if (!data.ok()) return fail(absl::StrCat("server.tls: ", data.status().message()));
      *pem = *std::move(data);
    }
  }
  absl::StatusOr<std::unique_ptr<KysoServer>> server = KysoServer::Start(server_options, &service);
  if (!server.ok()) return fail(std::string(server.status().message()));
  const std::string address = absl::StrCat(HostOf(server_options.listen), ":", (*server)->port());
  auto set_serving = [&](bool serving) {
    if (admin) admin->SetServing(serving);
    if (metrics) metrics->SetServing(serving);
  };
  set_serving(true);  // before the log line: whoever reads "listening" sees SERVING
  log.Info("listening", "listening on " + address,
           {{"address", address},
            {"tls", !tls.cert.empty()},
            {"mtls", !tls.client_ca.empty()},
            {"workers", cpu.threads()}});

  uint64_t generation = 1;
  int signal = 0;
  for (;;) {
    sigwait(&signals, &signal);
    if (signal != SIGHUP) break;
    // SIGHUP: trust store and policy again, all or nothing. A reload that fails keeps serving
    // with the old snapshot and says why; health stays SERVING either way.
    absl::StatusOr<Snapshot> reloaded = LoadSnapshot(o.config_path, generation + 1);
    // Metrics before the log line: whoever reads the line finds them counted.
    if (!reloaded.ok()) {
      if (metrics) metrics->RecordReload(false, generation);
      log.Warn("reload_failed",
               absl::StrCat("reload failed, keeping the current trust store and policy: ",
                            reloaded.status().message()),
               {{"generation", generation}});
      continue;
    }
    ++generation;
    snapshots.Set(*std::move(reloaded));
    if (metrics) metrics->RecordReload(true, generation);
    log.Info("reloaded",
             absl::StrCat("reloaded trust store and policy (generation ", generation, ")"),
             {{"generation", generation}});
  }
  // Drain: probes hear NOT_SERVING first, then the main port stops taking calls and those in
  // flight get the grace period to finish.
  const absl::Duration grace = absl::Milliseconds(config->server.shutdown_grace_ms);
  set_serving(false);  // before the log line: whoever reads "draining" sees NOT_SERVING
  log.Info("draining", absl::StrCat("signal ", signal, ": draining"),
           {{"signal", signal}, {"grace_ms", config->server.shutdown_grace_ms}});
  (*server)->Shutdown(grace);
  audit->flush();
  spdlog::drop("kyso-audit");
  log.Info("stopped", "stopped");
  return 0;
}

}  // namespace kyso::cli
