#include "service/batch/html_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace kyso::batch {
namespace {

std::string Escape(absl::string_view s) {
  return absl::StrReplaceAll(
      s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

constexpr const char* kPassColor = "#2e7d32";
constexpr const char* kFailColor = "#c62828";
constexpr const char* kIndeterminateColor = "#ef6c00";

struct Bar {
  std::string label;
  int passed = 0;      // drawn green
  int not_passed = 0;  // drawn red (or `color` when set)
  std::string color;
};

// A horizontal bar chart as inline SVG: one row per bar, the value written after it.
std::string BarChart(const std::string& title, const std::vector<Bar>& bars) {
  const int label_width = 430, bar_width = 400, row_height = 24;
  const int height = 30 + row_height * static_cast<int>(std::max<size_t>(bars.size(), 1));
  int max_total = 1;
  for (const Bar& b : bars) max_total = std::max(max_total, b.passed + b.not_passed);
  std::string svg =
      absl::StrCat("<figure><figcaption>", Escape(title),
                   "</figcaption><svg xmlns='http://www.w3.org/2000/svg' width='",
                   label_width + bar_width + 90, "' height='", height, "' role='img'>");
  int y = 10;
  for (const Bar& b : bars) {
    const int total = b.passed + b.not_passed;
    const int pass_w = bar_width * b.passed / max_total;
    const int fail_w = bar_width * b.not_passed / max_total;
    absl::StrAppend(&svg, "<text x='", label_width - 8, "' y='", y + 16,
                    "' text-anchor='end' font-size='13'>", Escape(b.label), "</text>");
    if (pass_w > 0) {
      absl::StrAppend(&svg, "<rect x='", label_width, "' y='", y + 3, "' width='", pass_w,
                      "' height='", row_height - 6, "' fill='", kPassColor, "'/>");
    }
    if (fail_w > 0) {
      absl::StrAppend(&svg, "<rect x='", label_width + pass_w, "' y='", y + 3, "' width='", fail_w,
                      "' height='", row_height - 6, "' fill='",
                      b.color.empty() ? kFailColor : b.color, "'/>");
    }
    absl::StrAppend(&svg, "<text x='", label_width + pass_w + fail_w + 6, "' y='", y + 16,
                    "' font-size='13'>", total, "</text>");
    y += row_height;
  }
  absl::StrAppend(&svg, "</svg></figure>\n");
  return svg;
}

std::string Tile(const std::string& id, const std::string& label, int value, const char* color) {
  return absl::StrCat("<div class='tile' style='border-color:", color, "'><div class='n' id='", id,
                      "'>", value, "</div><div>", label, "</div></div>");
}

constexpr const char* kStyle = R"CSS(
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px} .meta{color:#666;font-size:12px;margin-bottom:16px}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0 20px}
.tile{border-left:6px solid;padding:8px 14px;background:#f6f6f6;min-width:120px}
.tile .n{font-size:28px;font-weight:bold}
figure{margin:0 0 18px} figcaption{font-weight:bold;margin-bottom:4px}
table{border-collapse:collapse;width:100%;font-size:12px} td,th{border:1px solid #ddd;padding:4px;
vertical-align:top;text-align:left} th{background:#eee} .controls{margin:8px 0}
)CSS";

// Fills the table from the embedded JSON and filters it by text and verdict. Plain DOM, no
// libraries.
constexpr const char* kScript = R"JS(
(function(){
  var rows = JSON.parse(document.getElementById('failed-data').textContent);
  var body = document.getElementById('failed-body');
  var text = document.getElementById('filter-text');
  var verdict = document.getElementById('filter-verdict');
  var shown = document.getElementById('shown');
  var seen = {};
  rows.forEach(function(r){ seen[r.v] = true; });
  Object.keys(seen).sort().forEach(function(v){
    var o = document.createElement('option'); o.value = v; o.textContent = v; verdict.appendChild(o);
  });
  function cell(tr, t){ var td = document.createElement('td'); td.textContent = t; tr.appendChild(td); }
  function render(){
    var q = text.value.toLowerCase(), want = verdict.value, n = 0;
    while (body.firstChild) body.removeChild(body.firstChild);
    rows.forEach(function(r){
      if (want && r.v !== want) return;
      if (q && (r.p + ' ' + r.ca + ' ' + r.en + ' ' + r.vi).toLowerCase().indexOf(q) < 0) return;
      var tr = document.createElement('tr');
      cell(tr, r.p); cell(tr, r.v); cell(tr, r.ca); cell(tr, r.vi); cell(tr, r.en);
      body.appendChild(tr); n++;
    });
    shown.textContent = 'showing ' + n + ' of ' + rows.length;
  }
  text.addEventListener('input', render); verdict.addEventListener('change', render);
  render();
})();
)JS";

}  // namespace

std::string RenderHtmlReport(const std::vector<ResultRow>& rows, const Summary& s,
                             const HtmlReportInfo& info) {
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang='vi'><head><meta charset='utf-8'>"
      "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
      "<title>",
      Escape(info.title), "</title><style>", kStyle, "</style></head><body>\n<h1>",
      Escape(info.title), " — kết quả kiểm tra lại chữ ký / signature re-verification</h1>",
      "<div class='meta'>", Escape(info.generated_at));
  for (const std::string& input : info.inputs) absl::StrAppend(&html, " · ", Escape(input));
  absl::StrAppend(&html, "</div>\n<div class='tiles'>",
                  Tile("n-files", "tệp / files", s.files, "#555"),
                  Tile("n-passed", "hợp lệ / passed", s.passed, kPassColor),
                  Tile("n-failed", "không hợp lệ / failed", s.failed, kFailColor),
                  Tile("n-indeterminate", "chưa xác định / indeterminate", s.indeterminate,
                       kIndeterminateColor),
                  Tile("n-skipped", "bỏ qua / skipped", s.skipped, "#777"),
                  Tile("n-errors", "lỗi đọc / unreadable", s.errors, "#000"), "</div>\n");

  std::vector<Bar> verdicts;
  for (const auto& [key, n] : s.by_verdict) {
    Bar b{key, 0, 0, ""};
    if (key == "TOTAL_PASSED") {
      b.passed = n;
    } else {
      b.not_passed = n;
      if (key.rfind("INDETERMINATE", 0) == 0) b.color = kIndeterminateColor;
    }
    verdicts.push_back(b);
  }
  absl::StrAppend(&html, BarChart("Kết quả theo chỉ báo / Results by indication", verdicts));
  std::vector<Bar> cas;
  for (const auto& [ca, c] : s.by_ca) {
    cas.push_back({ca.empty() ? "(không có / none)" : ca, c.passed, c.not_passed, ""});
  }
  absl::StrAppend(&html,
                  BarChart("Theo CA phát hành / By issuing CA (xanh: đạt / green: passed)", cas));
  std::vector<Bar> months;
  for (const auto& [month, c] : s.by_month) {
    months.push_back({month.empty() ? "(không có / none)" : month, c.passed, c.not_passed, ""});
  }
  absl::StrAppend(
      &html, BarChart("Theo tháng ký (thời điểm tự khai) / By month of signing (claimed)", months));

  nlohmann::json failed = nlohmann::json::array();
  const size_t not_passed = static_cast<size_t>(s.failed + s.indeterminate + s.errors);
  size_t listed = 0;
  for (const ResultRow& r : rows) {
    if (r.kind == ResultRow::Kind::kSkipped || r.passed()) continue;
    if (++listed > kMaxHtmlTableRows) break;
    std::string en, vi;
    if (r.kind == ResultRow::Kind::kError) {
      en = r.detail;
      vi = "không đọc được tệp: " + r.detail;
    }
    for (const Reason& reason : r.reasons) {
      absl::StrAppend(&en, en.empty() ? "" : "; ", reason.en);
      absl::StrAppend(&vi, vi.empty() ? "" : "; ", reason.vi);
    }
    failed.push_back({{"p", r.path},
                      {"v", r.kind == ResultRow::Kind::kError ? "UNREADABLE" : VerdictKey(r)},
                      {"ca", r.ca},
                      {"en", en},
                      {"vi", vi}});
  }
  // Inside <script>, "</" would end the element: JSON allows "<\/" for it.
  const std::string data = absl::StrReplaceAll(
      failed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), {{"</", "<\\/"}});
  absl::StrAppend(
      &html, "<h2>Tài liệu không đạt / Documents that did not pass (", not_passed,
      not_passed > failed.size() ? absl::StrCat(", the first ", failed.size(), " listed") : "",
      ")</h2>\n<div class='controls'><input id='filter-text' placeholder='lọc / "
      "filter' size='40'> <select id='filter-verdict'><option value=''>tất cả / "
      "all</option></select> <span id='shown'></span></div>\n"
      "<table><thead><tr><th>tệp / file</th><th>kết quả / result</th><th>CA</th>"
      "<th>lý do</th><th>reason</th></tr></thead><tbody id='failed-body'></tbody>"
      "</table>\n<script type='application/json' id='failed-data'>",
      data, "</script>\n<script>", kScript, "</script>\n</body></html>\n");
  return html;
}

}  // namespace kyso::batch
