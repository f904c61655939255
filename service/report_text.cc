#include "service/report_text.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "service/report_json.h"

namespace kyso {
namespace {

struct Labels {
  const char* signature;
  const char* signer;
  const char* ids;
  const char* anchor;
  const char* none;
  const char* signing_time;
  const char* claimed;
  const char* algorithm;
  const char* revocation;
  const char* total;
  const char* result;
  const char* count;
  const char* covers;
  const char* detached;
  const char* changed;
};

const Labels& L(Language lang) {
  static const Labels kEn{"signature",
                          "signer",
                          "identifiers",
                          "trusted CA",
                          "(none)",
                          "signing time",
                          "claimed by the signer",
                          "algorithm",
                          "revocation",
                          "total",
                          "result",
                          "files",
                          "signed element",
                          "detached content",
                          "CHANGED"};
  static const Labels kVi{"chữ ký",
                          "người ký",
                          "mã định danh",
                          "CA tin cậy",
                          "(không có)",
                          "thời gian ký",
                          "do người ký tự khai",
                          "thuật toán",
                          "thu hồi",
                          "tổng",
                          "kết quả",
                          "số tệp",
                          "phần tử được ký",
                          "nội dung tách rời",
                          "ĐÃ BỊ SỬA"};
  return lang == Language::kVietnamese ? kVi : kEn;
}

// Columns are counted in code points, not bytes: Vietnamese labels are multi-byte UTF-8.
size_t DisplayWidth(absl::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<uint8_t>(c) & 0xc0) != 0x80;
  return n;
}

absl::string_view RevocationText(RevocationStatus status, Language lang) {
  if (status == RevocationStatus::kNotChecked) {
    return lang == Language::kVietnamese ? "chưa kiểm tra" : "not checked";
  }
  return ToString(status);
}

std::string VerdictText(const Verdict& v) {
  if (v.sub_indication == SubIndication::kNone) return std::string(ToString(v.indication));
  return absl::StrCat(ToString(v.indication), " / ", ToString(v.sub_indication));
}

void AppendMessages(const std::vector<Message>& messages, Language lang, const char* indent,
                    std::string* out) {
  for (const Message& m : messages) {
    if (m.severity == Severity::kInfo) continue;  // the text form shows what needs attention
    absl::StrAppend(out, indent, "- [", m.code, "] ", lang == Language::kVietnamese ? m.vi : m.en,
                    "\n");
  }
}

std::string IdentifiersText(const SignerIdentity& id) {
  std::vector<std::string> parts;
  for (const Identifier& i : id.identifiers) parts.push_back(absl::StrCat(i.first, " ", i.second));
  return absl::StrJoin(parts, ", ");
}

}  // namespace

std::string ToText(const DocumentReport& report, Language lang) {
  const Labels& l = L(lang);
  std::string out = absl::StrCat(report.file, ": ", VerdictText(report.verdict), "\n");
  AppendMessages(report.messages, lang, "  ", &out);
  int n = 0;
  for (const SignatureReport& s : report.signatures) {
    absl::StrAppend(&out, "  ", l.signature, " ", ++n,
                    s.id.empty() ? "" : absl::StrCat(" (", s.id, ")"), " [", s.format,
                    "]: ", VerdictText(s.verdict), "\n");
    if (s.signer) {
      absl::StrAppend(&out, "    ", l.signer, ": ", s.signer->subject, "\n");
      if (!s.signer->identifiers.empty()) {
        absl::StrAppend(&out, "    ", l.ids, ": ", IdentifiersText(*s.signer), "\n");
      }
    }
    absl::StrAppend(&out, "    ", l.anchor, ": ", s.trust_anchor.empty() ? l.none : s.trust_anchor,
                    "\n");
    if (s.signing_time) {
      absl::StrAppend(&out, "    ", l.signing_time, ": ", FormatRfc3339(*s.signing_time), " (",
                      l.claimed, ")\n");
    }
    if (!s.signature_algorithm.empty()) {
      absl::StrAppend(&out, "    ", l.algorithm, ": ", s.signature_algorithm, " / ",
                      s.digest_algorithm, "\n");
    }
    absl::StrAppend(&out, "    ", l.revocation, ": ", RevocationText(s.revocation.status, lang),
                    "\n");
    for (const SignedReference& r : s.signed_references) {
      absl::StrAppend(&out, "    ", l.covers, ": ",
                      r.node_path.empty() ? absl::StrCat(l.detached, " ", r.uri) : r.node_path,
                      r.matched ? "" : absl::StrCat(" (", l.changed, ")"), "\n");
    }
    AppendMessages(s.messages, lang, "    ", &out);
  }
  return out;
}

std::string ToText(const CertificateReport& report, Language lang) {
  const Labels& l = L(lang);
  std::string out = absl::StrCat(report.file, ": ", VerdictText(report.verdict), "\n");
  if (report.subject) {
    absl::StrAppend(&out, "  ", report.subject->subject, "\n");
    if (!report.subject->identifiers.empty()) {
      absl::StrAppend(&out, "  ", l.ids, ": ", IdentifiersText(*report.subject), "\n");
    }
  }
  absl::StrAppend(&out, "  ", l.anchor, ": ",
                  report.trust_anchor.empty() ? l.none : report.trust_anchor, "\n");
  AppendMessages(report.messages, lang, "  ", &out);
  return out;
}

std::string TableRow(const DocumentReport& report, size_t file_width) {
  std::vector<std::string> who;
  for (const SignatureReport& s : report.signatures) {
    std::string entry = s.signer ? IdentifiersText(*s.signer) : "?";
    if (entry.empty() && s.signer) entry = s.signer->subject.substr(0, 40);
    const size_t cn = s.trust_anchor.find("CN=");
    if (cn != std::string::npos) {
      absl::StrAppend(&entry, " <- ",
                      s.trust_anchor.substr(cn + 3, s.trust_anchor.find(',', cn) - cn - 3));
    }
    who.push_back(entry);
  }
  const std::string verdict = VerdictText(report.verdict);
  std::string out = report.file;
  out.append(file_width > DisplayWidth(report.file) ? file_width - DisplayWidth(report.file) : 0,
             ' ');
  absl::StrAppend(&out, "  ", verdict,
                  std::string(verdict.size() < 50 ? 50 - verdict.size() : 1, ' '),
                  absl::StrJoin(who, "; "), "\n");
  return out;
}

std::string SummaryTable(const std::vector<Verdict>& verdicts, Language lang) {
  const Labels& l = L(lang);
  std::map<std::string, int> counts;
  for (const Verdict& v : verdicts) ++counts[VerdictText(v)];
  size_t width = DisplayWidth(l.result);
  for (const auto& [k, _] : counts) width = std::max(width, k.size());
  std::string out;
  auto row = [&](absl::string_view label, absl::string_view value) {
    absl::StrAppend(&out, label, std::string(width - DisplayWidth(label) + 2, ' '), value, "\n");
  };
  row(l.result, l.count);
  for (const auto& [k, c] : counts) row(k, absl::StrCat(c));
  row(l.total, absl::StrCat(verdicts.size()));
  return out;
}

}  // namespace kyso
