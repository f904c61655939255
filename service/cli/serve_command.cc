#include "service/cli/serve_command.h"

#include <signal.h>

#include <ostream>

#include "absl/time/clock.h"
#include "service/config.h"
#include "service/revocation/evidence_store.h"
#include "service/revocation/online_source.h"
#include "service/server/server.h"
#include "service/trust_loader.h"
#include "service/worker_pool.h"

namespace kyso::cli {
namespace {

constexpr absl::Duration kShutdownGrace = absl::Seconds(10);

}  // namespace

int RunServe(const ServeOptions& o, std::ostream& err) {
  // SIGTERM and SIGINT are taken with sigwait below; block them before any thread starts so that
  // every thread inherits the mask and none is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (o.config_path.empty()) {
    err << "kyso serve: --config is required\n";
    return 2;
  }
  absl::StatusOr<Config> config = LoadConfig(o.config_path);
  if (!config.ok()) {
    err << "kyso serve: " << config.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::shared_ptr<const TrustStore>> trust =
      LoadTrustStore(config->trust.anchors, config->trust.intermediates, 1);
  if (!trust.ok()) {
    err << "kyso serve: " << trust.status().message() << "\n";
    return 2;
  }
  std::unique_ptr<EvidenceStore> store;
  if (config->revocation.mode != RevocationMode::kOff && !config->revocation.cache_path.empty()) {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> opened =
        EvidenceStore::Open(config->revocation.cache_path);
    if (opened.ok()) {
      store = *std::move(opened);
    } else {
      err << "kyso serve: revocation cache disabled: " << opened.status().message() << "\n";
    }
  }
  OnlineSourceOptions online_options;
  online_options.ocsp_timeout = absl::Milliseconds(config->revocation.ocsp_timeout_ms);
  online_options.ocsp_overrides = config->revocation.ocsp_overrides;
  online_options.crl_overrides = config->revocation.crl_overrides;
  online_options.nonce = config->revocation.ocsp_nonce;
  OnlineRevocationSource online(online_options, std::move(store));
  Verifier verifier;
  WorkerPool cpu(config->workers, /*queue_capacity=*/1024);
  IntermediateRevocation intermediates = IntermediateRevocation::kIfAdvertised;
  if (config->revocation.intermediates == "require")
    intermediates = IntermediateRevocation::kRequire;
  if (config->revocation.intermediates == "off") intermediates = IntermediateRevocation::kOff;
  const std::shared_ptr<const TrustStore> snapshot = *trust;
  const Policy policy = config->policy;
  VerifierServiceOptions service_options;
  service_options.max_document_bytes = static_cast<size_t>(config->server.max_message_bytes);
  VerifierService service(
      service_options, &verifier,
      [snapshot, policy, intermediates] {
        VerificationContext ctx;
        ctx.trust = snapshot;
        ctx.policy = policy;
        ctx.now = absl::Now();
        ctx.validation_time = ctx.now;
        ctx.intermediates = intermediates;
        return ctx;
      },
      config->policy.revocation == RevocationMode::kOff ? nullptr : &online, &cpu);
  ServerOptions server_options;
  server_options.listen = o.listen.empty() ? config->server.listen : o.listen;
  server_options.max_message_bytes = static_cast<size_t>(config->server.max_message_bytes);
  absl::StatusOr<std::unique_ptr<KysoServer>> server = KysoServer::Start(server_options, &service);
  if (!server.ok()) {
    err << "kyso serve: " << server.status().message() << "\n";
    return 2;
  }
  const std::string host = server_options.listen.substr(0, server_options.listen.rfind(':'));
  err << "kyso serve: listening on " << host << ":" << (*server)->port() << std::endl;

  int signal = 0;
  sigwait(&signals, &signal);
  err << "kyso serve: shutting down (signal " << signal << ")" << std::endl;
  (*server)->Shutdown(kShutdownGrace);
  return 0;
}

}  // namespace kyso::cli
