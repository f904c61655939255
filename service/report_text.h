// The human-readable form of reports, in Vietnamese or English (`kyso verify --lang vi|en`).
#ifndef KYSO_SERVICE_REPORT_TEXT_H_
#define KYSO_SERVICE_REPORT_TEXT_H_

#include <string>
#include <vector>

#include "crypto/report.h"

namespace kyso {

enum class Language { kEnglish, kVietnamese };

std::string ToText(const DocumentReport& report, Language lang);
std::string ToText(const CertificateReport& report, Language lang);

// One row of `kyso verify --table`: file, result, signers' identifiers, the CA each chains to.
std::string TableRow(const DocumentReport& report, size_t file_width);

// A closing table: how many inputs ended with each indication / sub-indication.
std::string SummaryTable(const std::vector<Verdict>& verdicts, Language lang);

}  // namespace kyso

#endif  // KYSO_SERVICE_REPORT_TEXT_H_
