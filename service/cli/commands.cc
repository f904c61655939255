#include "service/cli/commands.h"

#include <filesystem>
#include <iostream>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "crypto/status_macros.h"
#include "crypto/verifier.h"
#include "service/cli/remote_verify.h"
#include "service/client_channel.h"
#include "service/config.h"
#include "service/file_io.h"
#include "service/report_json.h"
#include "service/revocation/composite_source.h"
#include "service/revocation/crl_file_source.h"
#include "service/revocation/evidence_store.h"
#include "service/revocation/online_source.h"
#include "service/trust_loader.h"
#include "service/verification_setup.h"

namespace kyso::cli {
namespace {

// The largest document `kyso verify` reads into memory (matches the service's default limit).
constexpr size_t kMaxDocumentBytes = size_t{64} << 20;

absl::StatusOr<VerificationSetup> BuildSetup(const CommonOptions& o) {
  SetupOptions options;
  options.config_path = o.config_path;
  options.trust_anchors = o.trust_anchors;
  options.intermediates = o.intermediates;
  options.revocation = o.revocation;
  options.at = o.at;
  options.crl_paths = o.crl_paths;
  return BuildVerificationSetup(options, std::cerr);
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
  absl::StatusOr<ClientTls> tls = ReadClientTls(o.tls_ca, o.tls_cert, o.tls_key);
  if (!tls.ok()) {
    err << "kyso verify: " << tls.status().message() << "\n";
    return kExitError;
  }
  absl::StatusOr<std::unique_ptr<RemoteVerifier>> remote = RemoteVerifier::Connect(o.server, *tls);
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
  absl::StatusOr<VerificationSetup> setup = BuildSetup(o);
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
  absl::StatusOr<VerificationSetup> setup = BuildSetup(o);
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
