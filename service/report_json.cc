#include "service/report_json.h"

namespace kyso {
namespace {

using nlohmann::json;

json MessagesJson(const std::vector<Message>& messages) {
  json out = json::array();
  for (const Message& m : messages) {
    out.push_back(
        {{"code", m.code}, {"severity", ToString(m.severity)}, {"en", m.en}, {"vi", m.vi}});
  }
  return out;
}

json IdentityJson(const SignerIdentity& id) {
  // One value per code: a subject carrying the same code twice keeps the first.
  json identifiers = json::object();
  for (const Identifier& i : id.identifiers) {
    if (!identifiers.contains(i.first)) identifiers[i.first] = i.second;
  }
  return {{"subject", id.subject},
          {"issuer", id.issuer},
          {"serial", id.serial},
          {"certificate_sha256", id.certificate_sha256},
          {"identifiers", identifiers}};
}

json OptionalTime(const std::optional<absl::Time>& t) {
  return t ? json(FormatRfc3339(*t)) : json(nullptr);
}

json RevocationJson(const RevocationReport& r) {
  return {{"status", ToString(r.status)},
          {"source", ToString(r.source)},
          {"url", r.url},
          {"from_cache", r.from_cache},
          {"produced_at", OptionalTime(r.produced_at)},
          {"this_update", OptionalTime(r.this_update)},
          {"next_update", OptionalTime(r.next_update)},
          {"revocation_time", OptionalTime(r.revocation_time)},
          {"revocation_reason", r.revocation_reason}};
}

}  // namespace

std::string FormatRfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

json ToJson(const DocumentReport& report) {
  json signatures = json::array();
  for (const SignatureReport& s : report.signatures) {
    json references = json::array();
    for (const SignedReference& r : s.signed_references) {
      references.push_back({{"uri", r.uri},
                            {"type", r.type},
                            {"node_path", r.node_path},
                            {"digest_algorithm", r.digest_algorithm},
                            {"matched", r.matched}});
    }
    signatures.push_back({
        {"format", s.format},
        {"id", s.id},
        {"indication", ToString(s.verdict.indication)},
        {"sub_indication", ToString(s.verdict.sub_indication)},
        {"signer", s.signer ? IdentityJson(*s.signer) : json(nullptr)},
        {"trust_anchor", s.trust_anchor},
        {"chain", s.chain},
        {"signing_time", OptionalTime(s.signing_time)},
        {"digest_algorithm", s.digest_algorithm},
        {"signature_algorithm", s.signature_algorithm},
        {"revocation", RevocationJson(s.revocation)},
        {"signed_references", references},
        {"document_root_covered",
         s.document_root_covered ? json(*s.document_root_covered) : json(nullptr)},
        {"messages", MessagesJson(s.messages)},
    });
  }
  return {{"file", report.file},
          {"format", report.format},
          {"document_sha256", report.document_sha256},
          {"indication", ToString(report.verdict.indication)},
          {"sub_indication", ToString(report.verdict.sub_indication)},
          {"signatures", signatures},
          {"messages", MessagesJson(report.messages)}};
}

json ToJson(const CertificateReport& report) {
  return {{"file", report.file},
          {"indication", ToString(report.verdict.indication)},
          {"sub_indication", ToString(report.verdict.sub_indication)},
          {"certificate", report.subject ? IdentityJson(*report.subject) : json(nullptr)},
          {"trust_anchor", report.trust_anchor},
          {"chain", report.chain},
          {"revocation", RevocationJson(report.revocation)},
          {"messages", MessagesJson(report.messages)}};
}

}  // namespace kyso
