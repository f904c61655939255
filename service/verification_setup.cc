#include "service/verification_setup.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "crypto/status_macros.h"
#include "service/revocation/evidence_store.h"
#include "service/trust_loader.h"

namespace kyso {

absl::StatusOr<absl::Time> ParseValidationTime(const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--at: '", text, "' is not an RFC 3339 time (2025-07-01T08:00:00Z)"));
  }
  return t;
}

absl::StatusOr<IntermediateRevocation> ParseIntermediateRevocation(const std::string& text) {
  if (text == "if_advertised") return IntermediateRevocation::kIfAdvertised;
  if (text == "require") return IntermediateRevocation::kRequire;
  if (text == "off") return IntermediateRevocation::kOff;
  return absl::InvalidArgumentError(
      "revocation.intermediates must be if_advertised, require or off");
}

OnlineSourceOptions OnlineOptions(const RevocationConfig& config) {
  OnlineSourceOptions options;
  options.ocsp_timeout = absl::Milliseconds(config.ocsp_timeout_ms);
  options.ocsp_overrides = config.ocsp_overrides;
  options.crl_overrides = config.crl_overrides;
  options.nonce = config.ocsp_nonce;
  return options;
}

absl::StatusOr<VerificationSetup> BuildVerificationSetup(const SetupOptions& o,
                                                         std::ostream& warnings) {
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
  VerificationSetup setup;
  VerificationContext& ctx = setup.context;
  KYSO_ASSIGN_OR_RETURN(ctx.trust, LoadTrustStore(anchors, intermediates, /*generation=*/1));
  ctx.policy = config.policy;
  ctx.now = absl::Now();
  ctx.validation_time = ctx.now;
  if (!o.at.empty()) {
    KYSO_ASSIGN_OR_RETURN(ctx.validation_time, ParseValidationTime(o.at));
  }
  KYSO_ASSIGN_OR_RETURN(ctx.intermediates,
                        ParseIntermediateRevocation(config.revocation.intermediates));
  KYSO_ASSIGN_OR_RETURN(setup.crl_files, CrlFileSource::Load(o.crl_paths, *ctx.trust));
  std::unique_ptr<EvidenceStore> store;
  if (!o.config_path.empty() && !config.revocation.cache_path.empty() &&
      config.policy.revocation != RevocationMode::kOff) {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> opened =
        EvidenceStore::Open(config.revocation.cache_path);
    if (opened.ok()) {
      store = *std::move(opened);
      if (store->rebuilt()) {
        warnings << "kyso: revocation cache rebuilt: " << store->rebuild_reason() << "\n";
      }
    } else {
      warnings << "kyso: revocation cache disabled: " << opened.status().message() << "\n";
    }
  }
  setup.online =
      std::make_unique<OnlineRevocationSource>(OnlineOptions(config.revocation), std::move(store));
  setup.sources = std::make_unique<CompositeRevocationSource>(
      std::vector<RevocationSource*>{setup.crl_files.get(), setup.online.get()});
  ctx.revocation = setup.sources.get();
  return setup;
}

}  // namespace kyso
