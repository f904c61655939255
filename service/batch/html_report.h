// `kyso batch --report report.html`: one self-contained HTML file for a person to read. No
// network, no external scripts, styles or fonts: the charts are inline SVG drawn here, and one
// inline script fills and filters the table of documents that did not pass (with each reason in
// Vietnamese and English) from JSON embedded in the page.
//
// Thread-safety: pure functions.
#ifndef KYSO_SERVICE_BATCH_HTML_REPORT_H_
#define KYSO_SERVICE_BATCH_HTML_REPORT_H_

#include <string>
#include <vector>

#include "service/batch/summary.h"

namespace kyso::batch {

struct HtmlReportInfo {
  std::string title = "kyso batch";
  std::string generated_at;  // RFC 3339
  std::vector<std::string> inputs;
};

// The table lists at most this many documents (the counts and charts always cover all).
inline constexpr size_t kMaxHtmlTableRows = 50000;

// `rows`: the documents to list (passed and skipped rows among them are left out); the counts
// and charts come from `summary`, which covers every file.
std::string RenderHtmlReport(const std::vector<ResultRow>& rows, const Summary& summary,
                             const HtmlReportInfo& info);

}  // namespace kyso::batch

#endif  // KYSO_SERVICE_BATCH_HTML_REPORT_H_
