// What a `kyso batch` output holds, read back from its JSON lines: one row per file, and the
// counts the closing table (terminal) and the HTML report show.
//
// The summary is always computed from the output file, not from the run's memory, so a resumed
// run's summary covers the files of every run that wrote to that file.
#ifndef KYSO_SERVICE_BATCH_SUMMARY_H_
#define KYSO_SERVICE_BATCH_SUMMARY_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "service/report_text.h"

namespace kyso::batch {

struct Reason {
  std::string code, en, vi;
};

struct ResultRow {
  enum class Kind { kReport, kSkipped, kError };
  Kind kind = Kind::kReport;
  std::string path;
  std::string sha256;
  std::string format;
  std::string indication;       // kReport: TOTAL_PASSED | TOTAL_FAILED | INDETERMINATE
  std::string sub_indication;   // kReport: ETSI name or empty
  std::string ca;               // the issuer (common name) of the first signer; "" if none
  std::string signing_month;    // "2025-07" from the first claimed signing time; "" if none
  std::string detail;           // kSkipped: the reason; kError: the error
  std::vector<Reason> reasons;  // error and warning messages of the document and its signatures

  bool passed() const { return kind == Kind::kReport && indication == "TOTAL_PASSED"; }
};

// Calls `fn` for each line of a results file, reading line by line (an output of millions of
// files does not fit in memory). A line that does not parse is an error; a torn last line (no
// newline) is ignored, as --resume does.
absl::Status ForEachResult(const std::string& path, const std::function<void(ResultRow)>& fn);
// All rows at once, for small outputs and tests.
absl::StatusOr<std::vector<ResultRow>> ReadResults(const std::string& path);
ResultRow ParseResultLine(const std::string& line);  // kError row with detail on bad JSON

struct Counts {
  int passed = 0;
  int not_passed = 0;  // failed or indeterminate
};

struct Summary {
  int files = 0;
  int passed = 0, failed = 0, indeterminate = 0, skipped = 0, errors = 0;
  std::map<std::string, int> by_verdict;   // "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND" -> n
  std::map<std::string, Counts> by_ca;     // issuer CN ("" = no signer found)
  std::map<std::string, Counts> by_month;  // "2025-07" ("" = no claimed signing time)

  void Add(const ResultRow& row);

  // DESIGN.md exit statuses: 0 every signature passed (skipped files are not failures), 1 some
  // document did not pass or some file could not be read.
  int ExitStatus() const { return failed + indeterminate + errors > 0 ? 1 : 0; }
};

Summary Summarize(const std::vector<ResultRow>& rows);

// The closing table on the terminal: by indication and sub-indication, then by issuing CA.
std::string SummaryText(const Summary& summary, Language lang);

// "TOTAL_FAILED/HASH_FAILURE", or just the indication when there is no sub-indication.
std::string VerdictKey(const ResultRow& row);

}  // namespace kyso::batch

#endif  // KYSO_SERVICE_BATCH_SUMMARY_H_
