#include "service/cli/commands.h"

#include <filesystem>
#include <iostream>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "crypto/status_macros.h"
#include "crypto/verifier.h"
#include "service/cli/remote_verify.h"
#include "service/config.h"
#include "service/file_io.h"
#include "service/report_json.h"
#include "service/revocation/composite_source.h"
#include "service/revocation/crl_file_source.h"
#include "service/revocation/evidence_store.h"
#include "service/revocation/online_source.h"
#include "service/trust_loader.h"

namespace kyso::cli {
namespace {

// The largest document `kyso verify` reads into memory (matches the service's default limit).
constexpr size_t kMaxDocumentBytes = size_t{64} << 20;

absl::StatusOr<absl::Time> ParseValidationTime(const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--at: '", text, "' is not an RFC 3339 time (2025-07-01T08:00:00Z)"));
  }
  return t;
}

// What a command verifies against: the context, and the revocation sources it points to.
struct Setup {
  VerificationContext context;
  std::unique_ptr<CrlFileSource> crl_files;
  std::unique_ptr<OnlineRevocationSource> online;
  std::unique_ptr<CompositeRevocationSource> revocation;
};

OnlineSourceOptions OnlineOptions(const RevocationConfig& config) {
  OnlineSourceOptions options;
  options.ocsp_timeout = absl::Milliseconds(config.ocsp_timeout_ms);
  options.ocsp_overrides = config.ocsp_overrides;
  options.crl_overrides = config.crl_overrides;
  options.nonce = config.ocsp_nonce;
  return options;
}

absl::StatusOr<IntermediateRevocation> ParseIntermediates(const std::string& text) {
  if (text == "if_advertised") return IntermediateRevocation::kIfAdvertised;
  if (text == "require") return IntermediateRevocation::kRequire;
  if (text == "off") return IntermediateRevocation::kOff;
  return absl::InvalidArgumentError(
      "revocation.intermediates must be if_advertised, require or off");
}

// Config file, then flags on top: flags override the file (DESIGN.md "Config").
absl::StatusOr<Setup> BuildSetup(const CommonOptions& o) {
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
  Setup setup;
  VerificationContext& ctx = setup.context;
  KYSO_ASSIGN_OR_RETURN(ctx.trust, LoadTrustStore(anchors, intermediates, /*generation=*/1));
  ctx.policy = config.policy;
  ctx.now = absl::Now();
  ctx.validation_time = ctx.now;
  if (!o.at.empty()) {
    KYSO_ASSIGN_OR_RETURN(ctx.validation_time, ParseValidationTime(o.at));
  }
  KYSO_ASSIGN_OR_RETURN(ctx.intermediates, ParseIntermediates(config.revocation.intermediates));
  // Revocation evidence: the CRL files given first (offline), then OCSP and CRL fetching, with
  // the persistent cache when the config names one. A cache that cannot be opened costs
  // persistence, not the run.
  KYSO_ASSIGN_OR_RETURN(setup.crl_files, CrlFileSource::Load(o.crl_paths, *ctx.trust));
  std::unique_ptr<EvidenceStore> store;
  if (!o.config_path.empty() && !config.revocation.cache_path.empty() &&
      config.policy.revocation != RevocationMode::kOff) {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> opened =
        EvidenceStore::Open(config.revocation.cache_path);
    if (opened.ok()) {
      store = *std::move(opened);
      if (store->rebuilt()) {
        std::cerr << "kyso: revocation cache rebuilt: " << store->rebuild_reason() << "\n";
      }
    } else {
      std::cerr << "kyso: revocation cache disabled: " << opened.status().message() << "\n";
    }
  }
  setup.online =
      std::make_unique<OnlineRevocationSource>(OnlineOptions(config.revocation), std::move(store));
  setup.revocation = std::make_unique<CompositeRevocationSource>(
      std::vector<RevocationSource*>{setup.crl_files.get(), setup.online.get()});
  ctx.revocation = setup.revocation.get();
  return setup;
}

// Reads each input, hands it to `verify` (which returns the printed report's verdict), and
// closes with the summary table. An unreadable file is reported and the others still run.
template <typename VerifyFn>
int ForEachInput(const CommonOptions& o, absl::string_view command, size_t max_bytes,
                 std::ostream& out, std::ostream& err, VerifyFn verify) {
  bool io_error = false;
  bool all_passed = true;
  std::vector<Verdict> verdicts;
  for (const std::string& path : o.files) {
    absl::StatusOr<std::string> bytes = ReadFile(path, max_bytes);
    if (!bytes.ok()) {
      err << "kyso " << command << ": " << bytes.status().message() << "\n";
      io_error = true;
      continue;
    }
    const Verdict verdict = verify(path, *bytes);
    all_passed = all_passed && verdict.passed();
    verdicts.push_back(verdict);
  }
  if (!o.json && o.files.size() > 1) out << "\n" << SummaryTable(verdicts, o.lang);
  if (io_error) return kExitError;
  return all_passed ? kExitPassed : kExitNotPassed;
}

template <typename Report>
void Print(const Report& report, const CommonOptions& o, std::ostream& out) {
  if (o.json) {
    out << ToJson(report).dump() << "\n";
  } else {
    out << ToText(report, o.lang);
  }
}

}  // namespace

int RunVerifyRemotely(const VerifyOptions& o, std::ostream& out, std::ostream& err) {
  std::optional<absl::Time> at;
  if (!o.at.empty()) {
    absl::StatusOr<absl::Time> parsed = ParseValidationTime(o.at);
    if (!parsed.ok()) {
      err << "kyso verify: " << parsed.status().message() << "\n";
      return kExitError;
    }
    at = *parsed;
  }
  std::optional<RevocationMode> revocation;
  if (!o.revocation.empty()) {
    absl::StatusOr<RevocationMode> parsed = ParseRevocationMode(o.revocation);
    if (!parsed.ok()) {
      err << "kyso verify: " << parsed.status().message() << "\n";
      return kExitError;
    }
    revocation = *parsed;
  }
  std::vector<std::string> contents;
  for (const std::string& path : o.content_paths) {
    absl::StatusOr<std::string> data = ReadFile(path, kMaxDocumentBytes);
    if (!data.ok()) {
      err << "kyso verify: --content " << data.status().message() << "\n";
      return kExitError;
    }
    contents.push_back(*std::move(data));
  }
  std::vector<DetachedContent> detached;
  for (size_t i = 0; i < contents.size(); ++i) {
    detached.push_back(
        {std::filesystem::path(o.content_paths[i]).filename().string(), contents[i]});
  }
  RemoteVerifier::Tls tls;
  for (const auto& [path, pem] :
       {std::pair{o.tls_ca, &tls.ca_pem}, std::pair{o.tls_cert, &tls.cert_pem},
        std::pair{o.tls_key, &tls.key_pem}}) {
    if (path.empty()) continue;
    absl::StatusOr<std::string> data = ReadFile(path, 1 << 20);
    if (!data.ok()) {
      err << "kyso verify: " << data.status().message() << "\n";
      return kExitError;
    }
    *pem = *std::move(data);
  }
  absl::StatusOr<std::unique_ptr<RemoteVerifier>> remote = RemoteVerifier::Connect(o.server, tls);
  if (!remote.ok()) {
    err << "kyso verify: " << remote.status().message() << "\n";
    return kExitError;
  }
  size_t file_width = 0;
  for (const std::string& f : o.files) file_width = std::max(file_width, f.size());
  // All files through one VerifyStream; results print as they finish (JSON lines carry their
  // file), the summary and the throughput at the end.
  bool io_error = false;
  bool all_passed = true;
  std::vector<Verdict> verdicts;
  const absl::Time start = absl::Now();
  const absl::Status stream_status = (*remote)->VerifyStream(
      [&](size_t i, std::string* bytes, bool* skip) {
        if (i >= o.files.size()) return false;
        absl::StatusOr<std::string> data = ReadFile(o.files[i], kMaxDocumentBytes);
        if (!data.ok()) {
          err << "kyso verify: " << data.status().message() << "\n";
          io_error = true;
          *skip = true;
          return true;
        }
        *bytes = *std::move(data);
        return true;
      },
      detached, at, revocation,
      [&](size_t i, const DocumentReport& result) {
        DocumentReport report = result;
        report.file = o.files.at(i);
        all_passed = all_passed && report.verdict.passed();
        verdicts.push_back(report.verdict);
        if (o.table && !o.json) {
          out << TableRow(report, file_width);
        } else {
          Print(report, o, out);
        }
      });
  if (!stream_status.ok()) {
    err << "kyso verify: " << stream_status.message() << "\n";
    return kExitError;
  }
  const absl::Duration elapsed = absl::Now() - start;
  if (!o.json && o.files.size() > 1) out << "\n" << SummaryTable(verdicts, o.lang);
  err << "kyso verify: " << verdicts.size() << " documents through VerifyStream in "
      << absl::FormatDuration(elapsed) << " ("
      << static_cast<int64_t>(verdicts.size() / std::max(absl::ToDoubleSeconds(elapsed), 1e-6))
      << " documents/s)\n";
  // An unreadable file, or a document the server never answered, is an I/O failure of the run.
  if (io_error || verdicts.size() < o.files.size()) return kExitError;
  return all_passed ? kExitPassed : kExitNotPassed;
}

int RunVerify(const VerifyOptions& o, std::ostream& out, std::ostream& err) {
  if (!o.server.empty()) return RunVerifyRemotely(o, out, err);
  absl::StatusOr<Setup> setup = BuildSetup(o);
  if (!setup.ok()) {
    err << "kyso verify: " << setup.status().message() << "\n";
    return kExitError;
  }
  const VerificationContext* ctx = &setup->context;
  std::vector<std::string> contents;  // owns the bytes `detached` points into
  std::vector<DetachedContent> detached;
  for (const std::string& path : o.content_paths) {
    absl::StatusOr<std::string> data = ReadFile(path, kMaxDocumentBytes);
    if (!data.ok()) {
      err << "kyso verify: --content " << data.status().message() << "\n";
      return kExitError;
    }
    contents.push_back(*std::move(data));
  }
  for (size_t i = 0; i < contents.size(); ++i) {
    detached.push_back(
        {std::filesystem::path(o.content_paths[i]).filename().string(), contents[i]});
  }
  Verifier verifier;
  size_t file_width = 0;
  for (const std::string& f : o.files) file_width = std::max(file_width, f.size());
  return ForEachInput(o, "verify", kMaxDocumentBytes, out, err,
                      [&](const std::string& path, const std::string& bytes) {
                        DocumentReport report = verifier.VerifyDocument(bytes, detached, *ctx);
                        report.file = path;
                        if (o.table && !o.json) {
                          out << TableRow(report, file_width);
                        } else {
                          Print(report, o, out);
                        }
                        return report.verdict;
                      });
}

int RunValidateCert(const ValidateCertOptions& o, std::ostream& out, std::ostream& err) {
  absl::StatusOr<Setup> setup = BuildSetup(o);
  if (!setup.ok()) {
    err << "kyso validate-cert: " << setup.status().message() << "\n";
    return kExitError;
  }
  const VerificationContext* ctx = &setup->context;
  Verifier verifier;
  const LeafUsage usage = o.any_usage ? LeafUsage::kAny : LeafUsage::kDocumentSigning;
  return ForEachInput(o, "validate-cert", 16 << 20, out, err,
                      [&](const std::string& path, const std::string& bytes) {
                        CertificateReport report = verifier.ValidateCertificate(bytes, *ctx, usage);
                        report.file = path;
                        Print(report, o, out);
                        return report.verdict;
                      });
}

}  // namespace kyso::cli
