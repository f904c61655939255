#include "service/cli/batch_command.h"

#include <cstdio>
#include <fstream>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "crypto/status_macros.h"
#include "service/batch/batch_runner.h"
#include "service/batch/embedded_backend.h"
#include "service/batch/html_report.h"
#include "service/batch/remote_backend.h"
#include "service/batch/summary.h"
#include "service/cli/commands.h"
#include "service/client_channel.h"
#include "service/report_json.h"

namespace kyso::cli {
namespace {

absl::Status Usage(absl::string_view message) { return absl::InvalidArgumentError(message); }

absl::Status CheckOptions(const BatchCommandOptions& o) {
  if (o.inputs.empty()) return Usage("--input is required");
  if (o.out.empty()) return Usage("--out is required");
  if (o.embedded && !o.server.empty()) return Usage("--server and --embedded exclude each other");
  if (o.of < 1 || o.shard < 0 || o.shard >= o.of) {
    return Usage(absl::StrCat("--shard ", o.shard, " --of ", o.of, ": need 0 <= I < N"));
  }
  if (o.concurrency < 1) return Usage("--concurrency must be at least 1");
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<batch::VerifyBackend>> MakeBackend(const BatchCommandOptions& o) {
  if (o.server.empty()) {
    batch::EmbeddedOptions e;
    e.setup.config_path = o.config_path;
    e.setup.trust_anchors = o.trust_anchors;
    e.setup.intermediates = o.intermediates;
    e.setup.crl_paths = o.crl_paths;
    e.setup.revocation = o.revocation;
    e.threads = o.threads;
    return batch::MakeEmbeddedBackend(e);
  }
  KYSO_ASSIGN_OR_RETURN(ClientTls tls, ReadClientTls(o.tls_ca, o.tls_cert, o.tls_key));
  return batch::ConnectRemoteBackend(o.server, tls);
}

}  // namespace

int RunBatchCommand(const BatchCommandOptions& o, std::ostream& out, std::ostream& err) {
  const auto fail = [&err](const absl::Status& status) {
    err << "kyso batch: " << status.message() << "\n";
    return kExitError;
  };
  if (absl::Status s = CheckOptions(o); !s.ok()) return fail(s);
  batch::BatchOptions options;
  options.inputs = o.inputs;
  options.out = o.out;
  options.resume = o.resume;
  options.window = static_cast<size_t>(o.concurrency);
  options.shard = {o.shard, o.of};
  options.progress = stderr;
  options.at = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  if (o.at == "signing-time") {
    options.basis = batch::TimeBasis::kSigningTime;
  } else if (!o.at.empty()) {
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, o.at, &options.at, &error)) {
      return fail(Usage(absl::StrCat("--at: '", o.at,
                                     "' is neither an RFC 3339 time (2025-07-01T08:00:00Z) nor "
                                     "signing-time")));
    }
    options.basis = batch::TimeBasis::kFixed;
  }
  absl::StatusOr<std::unique_ptr<batch::VerifyBackend>> backend = MakeBackend(o);
  if (!backend.ok()) return fail(backend.status());

  batch::BatchStats stats;
  const absl::Status run = batch::RunBatch(options, **backend, &stats);
  backend->reset();
  err << "kyso batch: " << stats.listed << " files, " << stats.verified
      << " documents verified by this run, " << stats.resumed << " already in " << o.out << ", in "
      << absl::FormatDuration(absl::Trunc(stats.elapsed, absl::Milliseconds(1))) << " ("
      << static_cast<int64_t>(static_cast<double>(stats.verified) /
                              std::max(absl::ToDoubleSeconds(stats.elapsed), 1e-6))
      << " documents/s)\n";
  if (!run.ok()) return fail(run);

  // The summary covers the whole output file (every run that wrote to it).
  // Streamed: only the rows the HTML table lists are kept.
  batch::Summary summary;
  std::vector<batch::ResultRow> listed;
  const absl::Status read = batch::ForEachResult(o.out, [&](batch::ResultRow row) {
    summary.Add(row);
    if (!o.report_html.empty() && !row.passed() && row.kind != batch::ResultRow::Kind::kSkipped &&
        listed.size() < batch::kMaxHtmlTableRows) {
      listed.push_back(std::move(row));
    }
  });
  if (!read.ok()) return fail(read);
  out << batch::SummaryText(summary, o.lang);
  if (!o.report_html.empty()) {
    batch::HtmlReportInfo info;
    info.generated_at = FormatRfc3339(absl::Now());
    info.inputs = o.inputs;
    std::ofstream html(o.report_html, std::ios::binary | std::ios::trunc);
    html << batch::RenderHtmlReport(listed, summary, info);
    html.close();
    if (!html) return fail(absl::UnavailableError(absl::StrCat(o.report_html, ": cannot write")));
  }
  return summary.ExitStatus();
}

}  // namespace kyso::cli
