#include "service/batch/summary.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace kyso::batch {
namespace {

std::string String(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// "CN=VNPT-CA Public (Demo),O=VNPT (Demo),C=VN" -> "VNPT-CA Public (Demo)"; the whole name when
// it has no CN.
std::string CommonName(const std::string& dn) {
  const size_t cn = dn.find("CN=");
  if (cn == std::string::npos) return dn;
  size_t end = cn + 3;
  while (end < dn.size() && dn[end] != ',') end += dn[end] == '\\' ? 2 : 1;
  return dn.substr(cn + 3, std::min(end, dn.size()) - cn - 3);
}

void AddReasons(const nlohmann::json& messages, std::vector<Reason>* out) {
  if (!messages.is_array()) return;
  for (const nlohmann::json& m : messages) {
    const std::string severity = String(m, "severity");
    if (severity != "error" && severity != "warning") continue;
    out->push_back({String(m, "code"), String(m, "en"), String(m, "vi")});
  }
}

}  // namespace

std::string VerdictKey(const ResultRow& row) {
  return row.sub_indication.empty() ? row.indication
                                    : absl::StrCat(row.indication, "/", row.sub_indication);
}

ResultRow ParseResultLine(const std::string& line) {
  ResultRow row;
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    row.kind = ResultRow::Kind::kError;
    row.detail = "not a result line";
    return row;
  }
  row.path = String(j, "path");
  row.sha256 = String(j, "sha256");
  if (j.contains("skipped")) {
    row.kind = ResultRow::Kind::kSkipped;
    row.detail = String(j, "skipped");
    return row;
  }
  if (j.contains("error")) {
    row.kind = ResultRow::Kind::kError;
    row.detail = String(j["error"], "message");
    return row;
  }
  const nlohmann::json& report = j.contains("report") ? j["report"] : nlohmann::json();
  row.format = String(report, "format");
  row.indication = String(report, "indication");
  row.sub_indication = String(report, "sub_indication");
  if (report.is_object()) AddReasons(report.value("messages", nlohmann::json()), &row.reasons);
  const nlohmann::json signatures =
      report.is_object() ? report.value("signatures", nlohmann::json()) : nlohmann::json();
  if (signatures.is_array()) {
    for (const nlohmann::json& s : signatures) {
      if (row.ca.empty() && s.contains("signer") && s["signer"].is_object()) {
        row.ca = CommonName(String(s["signer"], "issuer"));
      }
      const std::string time = String(s, "signing_time");
      if (row.signing_month.empty() && time.size() >= 7) row.signing_month = time.substr(0, 7);
      AddReasons(s.value("messages", nlohmann::json()), &row.reasons);
    }
  }
  return row;
}

absl::Status ForEachResult(const std::string& path, const std::function<void(ResultRow)>& fn) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (in.eof()) break;  // no newline: a line torn by a kill
    ResultRow row = ParseResultLine(line);
    if (row.path.empty()) {
      return absl::DataLossError(absl::StrCat(path, ": line ", number, " is not a result"));
    }
    fn(std::move(row));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ResultRow>> ReadResults(const std::string& path) {
  std::vector<ResultRow> rows;
  const absl::Status status =
      ForEachResult(path, [&rows](ResultRow row) { rows.push_back(std::move(row)); });
  if (!status.ok()) return status;
  return rows;
}

void Summary::Add(const ResultRow& r) {
  ++files;
  switch (r.kind) {
    case ResultRow::Kind::kSkipped:
      ++skipped;
      return;
    case ResultRow::Kind::kError:
      ++errors;
      return;
    case ResultRow::Kind::kReport:
      break;
  }
  if (r.indication == "TOTAL_PASSED") {
    ++passed;
  } else if (r.indication == "TOTAL_FAILED") {
    ++failed;
  } else {
    ++indeterminate;
  }
  ++by_verdict[VerdictKey(r)];
  Counts& ca = by_ca[r.ca];
  Counts& month = by_month[r.signing_month];
  (r.passed() ? ca.passed : ca.not_passed)++;
  (r.passed() ? month.passed : month.not_passed)++;
}

Summary Summarize(const std::vector<ResultRow>& rows) {
  Summary s;
  for (const ResultRow& r : rows) s.Add(r);
  return s;
}

std::string SummaryText(const Summary& s, Language lang) {
  const bool vi = lang == Language::kVietnamese;
  std::string out;
  const auto row = [&out](const std::string& label, const std::string& value) {
    absl::StrAppend(&out, "  ", label, std::string(label.size() < 56 ? 56 - label.size() : 1, ' '),
                    value, "\n");
  };
  absl::StrAppend(&out, vi ? "Kết quả theo chỉ báo" : "Results by indication", "\n");
  for (const auto& [key, n] : s.by_verdict) row(key, absl::StrCat(n));
  row(vi ? "(bỏ qua)" : "(skipped)", absl::StrCat(s.skipped));
  row(vi ? "(lỗi đọc tệp)" : "(unreadable)", absl::StrCat(s.errors));
  row(vi ? "Tổng số tệp" : "Total files", absl::StrCat(s.files));
  absl::StrAppend(
      &out, "\n",
      vi ? "Theo CA phát hành (đạt / không đạt)" : "By issuing CA (passed / not passed)", "\n");
  for (const auto& [ca, c] : s.by_ca) {
    row(ca.empty() ? (vi ? "(không xác định người ký)" : "(no signer found)") : ca,
        absl::StrCat(c.passed, " / ", c.not_passed));
  }
  return out;
}

}  // namespace kyso::batch
