// The JSON form of reports (DESIGN.md "Report"): one object per input file, printed one per line
// by `kyso verify --json`.
#ifndef KYSO_SERVICE_REPORT_JSON_H_
#define KYSO_SERVICE_REPORT_JSON_H_

#include <nlohmann/json.hpp>
#include <string>

#include "absl/time/time.h"
#include "crypto/report.h"

namespace kyso {

nlohmann::json ToJson(const DocumentReport& report);
nlohmann::json ToJson(const CertificateReport& report);

// RFC 3339 in UTC with a 'Z' ("2025-07-01T08:00:00Z").
std::string FormatRfc3339(absl::Time t);

}  // namespace kyso

#endif  // KYSO_SERVICE_REPORT_JSON_H_
