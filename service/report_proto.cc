#include "service/report_proto.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

namespace kyso {
namespace {

// Sets a timestamp field only when there is a time: `mutable_x()` alone would create an empty
// one, which reads back as the epoch rather than as absent.
template <typename MutableField>
void SetTime(const std::optional<absl::Time>& t, MutableField mutable_field) {
  if (!t) return;
  *mutable_field() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(*t));
}

v1::RevocationStatus ToProto(RevocationStatus status) {
  switch (status) {
    case RevocationStatus::kNotChecked:
      return v1::NOT_CHECKED;
    case RevocationStatus::kGood:
      return v1::GOOD;
    case RevocationStatus::kRevoked:
      return v1::REVOKED_STATUS;
    case RevocationStatus::kUnknown:
      return v1::UNKNOWN_STATUS;
    case RevocationStatus::kUnavailable:
      return v1::UNAVAILABLE;
  }
  return v1::REVOCATION_STATUS_UNSPECIFIED;
}

v1::RevocationSource ToProto(RevocationSourceKind kind) {
  switch (kind) {
    case RevocationSourceKind::kNone:
      return v1::REVOCATION_SOURCE_UNSPECIFIED;
    case RevocationSourceKind::kOcsp:
      return v1::OCSP;
    case RevocationSourceKind::kCrl:
      return v1::CRL;
  }
  return v1::REVOCATION_SOURCE_UNSPECIFIED;
}

v1::DocumentFormat FormatToProto(const std::string& format) {
  if (format == "cms") return v1::CMS;
  if (format == "xml") return v1::XML;
  return v1::UNKNOWN;
}

void ToProto(const std::vector<Message>& messages,
             google::protobuf::RepeatedPtrField<v1::Message>* out) {
  for (const Message& m : messages) {
    v1::Message* p = out->Add();
    p->set_code(m.code);
    p->set_severity(std::string(ToString(m.severity)));
    p->set_en(m.en);
    p->set_vi(m.vi);
  }
}

void ToProto(const SignerIdentity& id, v1::Identity* out) {
  out->set_subject(id.subject);
  out->set_issuer(id.issuer);
  out->set_serial(id.serial);
  out->set_certificate_sha256(id.certificate_sha256);
  // One value per code, the first, as in the JSON form.
  for (const Identifier& i : id.identifiers)
    out->mutable_identifiers()->insert({i.first, i.second});
}

void ToProto(const RevocationReport& r, v1::Revocation* out) {
  out->set_status(ToProto(r.status));
  out->set_source(ToProto(r.source));
  out->set_url(r.url);
  out->set_from_cache(r.from_cache);
  SetTime(r.produced_at, [&] { return out->mutable_produced_at(); });
  SetTime(r.this_update, [&] { return out->mutable_this_update(); });
  SetTime(r.next_update, [&] { return out->mutable_next_update(); });
  SetTime(r.revocation_time, [&] { return out->mutable_revocation_time(); });
  out->set_revocation_reason(r.revocation_reason);
}

}  // namespace

v1::Indication ToProto(Indication indication) {
  switch (indication) {
    case Indication::kTotalPassed:
      return v1::TOTAL_PASSED;
    case Indication::kTotalFailed:
      return v1::TOTAL_FAILED;
    case Indication::kIndeterminate:
      return v1::INDETERMINATE;
  }
  return v1::INDICATION_UNSPECIFIED;
}

v1::SubIndication ToProto(SubIndication sub) {
  switch (sub) {
    case SubIndication::kNone:
      return v1::SUB_INDICATION_UNSPECIFIED;
    case SubIndication::kFormatFailure:
      return v1::FORMAT_FAILURE;
    case SubIndication::kHashFailure:
      return v1::HASH_FAILURE;
    case SubIndication::kSigCryptoFailure:
      return v1::SIG_CRYPTO_FAILURE;
    case SubIndication::kRevoked:
      return v1::REVOKED;
    case SubIndication::kSigConstraintsFailure:
      return v1::SIG_CONSTRAINTS_FAILURE;
    case SubIndication::kChainConstraintsFailure:
      return v1::CHAIN_CONSTRAINTS_FAILURE;
    case SubIndication::kCertificateChainGeneralFailure:
      return v1::CERTIFICATE_CHAIN_GENERAL_FAILURE;
    case SubIndication::kCryptoConstraintsFailureNoPoe:
      return v1::CRYPTO_CONSTRAINTS_FAILURE_NO_POE;
    case SubIndication::kSignedDataNotFound:
      return v1::SIGNED_DATA_NOT_FOUND;
    case SubIndication::kNoSigningCertificateFound:
      return v1::NO_SIGNING_CERTIFICATE_FOUND;
    case SubIndication::kNoCertificateChainFound:
      return v1::NO_CERTIFICATE_CHAIN_FOUND;
    case SubIndication::kRevokedNoPoe:
      return v1::REVOKED_NO_POE;
    case SubIndication::kRevokedCaNoPoe:
      return v1::REVOKED_CA_NO_POE;
    case SubIndication::kOutOfBoundsNoPoe:
      return v1::OUT_OF_BOUNDS_NO_POE;
    case SubIndication::kOutOfBoundsNotRevoked:
      return v1::OUT_OF_BOUNDS_NOT_REVOKED;
    case SubIndication::kTryLater:
      return v1::TRY_LATER;
  }
  return v1::SUB_INDICATION_UNSPECIFIED;
}

void ToProto(const DocumentReport& report, v1::DocumentResult* out) {
  out->set_format(FormatToProto(report.format));
  out->set_document_sha256(report.document_sha256);
  out->set_indication(ToProto(report.verdict.indication));
  out->set_sub_indication(ToProto(report.verdict.sub_indication));
  for (const SignatureReport& s : report.signatures) {
    v1::SignatureResult* p = out->add_signatures();
    p->set_format(s.format);
    p->set_id(s.id);
    p->set_indication(ToProto(s.verdict.indication));
    p->set_sub_indication(ToProto(s.verdict.sub_indication));
    if (s.signer) ToProto(*s.signer, p->mutable_signer());
    p->set_trust_anchor(s.trust_anchor);
    for (const std::string& c : s.chain) p->add_chain(c);
    SetTime(s.signing_time, [&] { return p->mutable_signing_time(); });
    p->set_digest_algorithm(s.digest_algorithm);
    p->set_signature_algorithm(s.signature_algorithm);
    ToProto(s.revocation, p->mutable_revocation());
    for (const SignedReference& r : s.signed_references) {
      v1::SignedReference* ref = p->add_signed_references();
      ref->set_uri(r.uri);
      ref->set_type(r.type);
      ref->set_node_path(r.node_path);
      ref->set_digest_algorithm(r.digest_algorithm);
      ref->set_matched(r.matched);
    }
    if (s.document_root_covered) p->set_document_root_covered(*s.document_root_covered);
    ToProto(s.messages, p->mutable_messages());
  }
  ToProto(report.messages, out->mutable_messages());
}

namespace {

std::optional<absl::Time> TimeFromProto(bool present, const google::protobuf::Timestamp& t) {
  if (!present) return std::nullopt;
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

Indication IndicationFromProto(v1::Indication i) {
  switch (i) {
    case v1::TOTAL_FAILED:
      return Indication::kTotalFailed;
    case v1::INDETERMINATE:
      return Indication::kIndeterminate;
    default:
      return Indication::kTotalPassed;
  }
}

SubIndication SubFromProto(v1::SubIndication sub) {
  for (int i = 0; i <= static_cast<int>(SubIndication::kTryLater); ++i) {
    if (ToProto(static_cast<SubIndication>(i)) == sub) return static_cast<SubIndication>(i);
  }
  return SubIndication::kNone;
}

std::vector<Message> MessagesFromProto(const google::protobuf::RepeatedPtrField<v1::Message>& in) {
  std::vector<Message> out;
  for (const v1::Message& m : in) {
    Severity severity = Severity::kError;
    if (m.severity() == "info") severity = Severity::kInfo;
    if (m.severity() == "warning") severity = Severity::kWarning;
    out.push_back({m.code(), severity, m.en(), m.vi()});
  }
  return out;
}

SignerIdentity IdentityFromProto(const v1::Identity& id) {
  SignerIdentity out{id.subject(), id.issuer(), id.serial(), id.certificate_sha256(), {}};
  for (const auto& [code, value] : id.identifiers()) out.identifiers.emplace_back(code, value);
  std::sort(out.identifiers.begin(), out.identifiers.end());
  return out;
}

RevocationReport RevocationFromProto(const v1::Revocation& r) {
  RevocationReport out;
  switch (r.status()) {
    case v1::GOOD:
      out.status = RevocationStatus::kGood;
      break;
    case v1::REVOKED_STATUS:
      out.status = RevocationStatus::kRevoked;
      break;
    case v1::UNKNOWN_STATUS:
      out.status = RevocationStatus::kUnknown;
      break;
    case v1::UNAVAILABLE:
      out.status = RevocationStatus::kUnavailable;
      break;
    default:
      out.status = RevocationStatus::kNotChecked;
  }
  out.source = r.source() == v1::OCSP  ? RevocationSourceKind::kOcsp
               : r.source() == v1::CRL ? RevocationSourceKind::kCrl
                                       : RevocationSourceKind::kNone;
  out.url = r.url();
  out.from_cache = r.from_cache();
  out.produced_at = TimeFromProto(r.has_produced_at(), r.produced_at());
  out.this_update = TimeFromProto(r.has_this_update(), r.this_update());
  out.next_update = TimeFromProto(r.has_next_update(), r.next_update());
  out.revocation_time = TimeFromProto(r.has_revocation_time(), r.revocation_time());
  out.revocation_reason = r.revocation_reason();
  return out;
}

}  // namespace

DocumentReport FromProto(const v1::DocumentResult& result) {
  DocumentReport out;
  out.format = result.format() == v1::CMS ? "cms" : result.format() == v1::XML ? "xml" : "unknown";
  out.document_sha256 = result.document_sha256();
  out.verdict = {IndicationFromProto(result.indication()), SubFromProto(result.sub_indication())};
  for (const v1::SignatureResult& s : result.signatures()) {
    SignatureReport r;
    r.format = s.format();
    r.id = s.id();
    r.verdict = {IndicationFromProto(s.indication()), SubFromProto(s.sub_indication())};
    if (s.has_signer()) r.signer = IdentityFromProto(s.signer());
    r.trust_anchor = s.trust_anchor();
    r.chain.assign(s.chain().begin(), s.chain().end());
    r.signing_time = TimeFromProto(s.has_signing_time(), s.signing_time());
    r.digest_algorithm = s.digest_algorithm();
    r.signature_algorithm = s.signature_algorithm();
    r.revocation = RevocationFromProto(s.revocation());
    for (const v1::SignedReference& ref : s.signed_references()) {
      r.signed_references.push_back(
          {ref.uri(), ref.type(), ref.node_path(), ref.digest_algorithm(), ref.matched()});
    }
    if (s.has_document_root_covered()) r.document_root_covered = s.document_root_covered();
    r.messages = MessagesFromProto(s.messages());
    out.signatures.push_back(std::move(r));
  }
  out.messages = MessagesFromProto(result.messages());
  return out;
}

void ToProto(const CertificateReport& report, v1::ValidateCertificateResponse* out) {
  out->set_indication(ToProto(report.verdict.indication));
  out->set_sub_indication(ToProto(report.verdict.sub_indication));
  if (report.subject) ToProto(*report.subject, out->mutable_certificate());
  out->set_trust_anchor(report.trust_anchor);
  for (const std::string& c : report.chain) out->add_chain(c);
  ToProto(report.revocation, out->mutable_revocation());
  ToProto(report.messages, out->mutable_messages());
}

}  // namespace kyso
