// In-process throughput: the documents of a folder verified by one shared Verifier on every core,
// with warm caches, the way the service's workers use it (same Verifier, context and revocation
// source as `kyso verify`), but without printing reports, which would measure the terminal.
//
//   kyso_inproc --config build/bench-data/kyso-run.yaml [--threads 0] [--duration 10]
//       [--at RFC3339] DIR_OR_FILE...
//
// First every document is verified once on one thread (certificates decoded, chains validated,
// revocation fetched and cached); then `threads` threads take documents round-robin from the set
// for `duration` seconds. Prints one JSON object: documents/s, passed and not passed counts.
// Exit status 0 when every verification of the timed run passed, 1 otherwise, 2 on usage errors.
#include <atomic>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "bench/bench_inputs.h"
#include "crypto/verifier.h"
#include "nlohmann/json.hpp"
#include "service/config.h"
#include "service/revocation/online_source.h"
#include "service/trust_loader.h"

namespace kyso {
namespace {

int Usage(const std::string& why) {
  std::cerr << "kyso_inproc: " << why
            << "\nusage: kyso_inproc --config FILE [--threads N] [--duration SECONDS] "
               "DIR_OR_FILE...\n";
  return 2;
}

int Main(int argc, char** argv) {
  std::string config_path;
  int threads = 0;
  double duration_s = 10;
  std::optional<absl::Time> at;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (arg == "--duration" && i + 1 < argc) {
      duration_s = std::atof(argv[++i]);
    } else if (arg == "--at" && i + 1 < argc) {
      absl::StatusOr<absl::Time> t = bench::ParseAt(argv[++i]);
      if (!t.ok()) return Usage(std::string(t.status().message()));
      at = *t;
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage("unknown option " + arg);
    } else {
      inputs.push_back(arg);
    }
  }
  if (config_path.empty() || inputs.empty()) return Usage("--config and documents are required");
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  absl::StatusOr<Config> config = LoadConfig(config_path);
  if (!config.ok()) return Usage(std::string(config.status().message()));
  VerificationContext ctx;
  absl::StatusOr<std::shared_ptr<const TrustStore>> trust =
      LoadTrustStore(config->trust.anchors, config->trust.intermediates, /*generation=*/1);
  if (!trust.ok()) return Usage(std::string(trust.status().message()));
  ctx.trust = *trust;
  ctx.policy = config->policy;
  ctx.policy.revocation = config->revocation.mode;
  ctx.now = absl::Now();
  ctx.validation_time = at ? *at : ctx.now;
  if (config->revocation.intermediates == "off") ctx.intermediates = IntermediateRevocation::kOff;
  if (config->revocation.intermediates == "require") {
    ctx.intermediates = IntermediateRevocation::kRequire;
  }
  OnlineSourceOptions options;
  options.ocsp_timeout = absl::Milliseconds(config->revocation.ocsp_timeout_ms);
  options.ocsp_overrides = config->revocation.ocsp_overrides;
  options.crl_overrides = config->revocation.crl_overrides;
  OnlineRevocationSource online(options, /*store=*/nullptr);  // memory tier only
  ctx.revocation = &online;

  absl::StatusOr<std::vector<std::string>> read = bench::ReadDocuments(inputs);
  if (!read.ok()) return Usage(std::string(read.status().message()));
  const std::vector<std::string> docs = *std::move(read);
  if (docs.empty()) return Usage("no documents");

  Verifier verifier;
  size_t warm_not_passed = 0;
  const absl::Time warm_start = absl::Now();
  for (const std::string& d : docs) {
    if (!verifier.VerifyDocument(d, std::nullopt, ctx).verdict.passed()) ++warm_not_passed;
  }
  const absl::Duration warm = absl::Now() - warm_start;

  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::atomic<size_t> passed{0}, not_passed{0};
  std::vector<std::thread> workers;
  const absl::Time start = absl::Now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      size_t ok = 0, bad = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        // Batches of 16 keep the shared counter off the per-document path.
        const size_t first = next.fetch_add(16, std::memory_order_relaxed);
        for (size_t i = first; i < first + 16; ++i) {
          const DocumentReport r =
              verifier.VerifyDocument(docs[i % docs.size()], std::nullopt, ctx);
          (r.verdict.passed() ? ok : bad)++;
        }
      }
      passed += ok;
      not_passed += bad;
    });
  }
  absl::SleepFor(absl::Seconds(duration_s));
  stop = true;
  for (std::thread& w : workers) w.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const size_t total = passed + not_passed;

  nlohmann::json out = {{"documents", docs.size()},
                        {"threads", threads},
                        {"seconds", seconds},
                        {"verified", total},
                        {"per_s", static_cast<double>(total) / seconds},
                        {"passed", passed.load()},
                        {"not_passed", not_passed.load()},
                        {"first_pass_seconds", absl::ToDoubleSeconds(warm)},
                        {"first_pass_not_passed", warm_not_passed}};
  std::cout << out.dump() << std::endl;
  return not_passed == 0 && warm_not_passed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace kyso

int main(int argc, char** argv) { return kyso::Main(argc, argv); }
