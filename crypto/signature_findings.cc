#include "crypto/signature_findings.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace kyso {
namespace {

// RFC 5280 4.2.2.1 / 4.2.1.13: does the certificate say where its status is published?
bool AdvertisesRevocation(const Certificate& cert) {
  return X509_get_ext_by_NID(cert.x509(), NID_info_access, -1) >= 0 ||
         X509_get_ext_by_NID(cert.x509(), NID_crl_distribution_points, -1) >= 0;
}

std::string Describe(const RevocationReport& r) {
  std::string out(ToString(r.source));
  if (r.revocation_time) {
    absl::StrAppend(
        &out, ", revoked ",
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *r.revocation_time, absl::UTCTimeZone()));
  }
  if (!r.revocation_reason.empty()) absl::StrAppend(&out, " (", r.revocation_reason, ")");
  return out;
}

// Asks for and judges the status of path[index], issued by path[index + 1]. ETSI EN 319 102-1
// 5.2.6 and 5.6.2: revoked at or before the validation time without proof of existence of the
// signature before it is REVOKED_NO_POE for the signer and REVOKED_CA_NO_POE for a CA; no usable
// evidence is TRY_LATER when the policy requires it, a warning when it only prefers it.
void CheckPathElement(const std::vector<CertificatePtr>& path, size_t index,
                      const VerificationContext& context, Findings* findings,
                      SignatureReport* report) {
  const bool signer = index == 0;
  const Certificate& cert = *path[index];
  absl::StatusOr<RevocationReport> answer =
      context.revocation != nullptr
          ? context.revocation->Check({path[index], path[index + 1], context.now})
          : absl::StatusOr<RevocationReport>(
                absl::FailedPreconditionError("no revocation source is configured"));
  if (answer.ok() && answer->status == RevocationStatus::kRevoked) {
    if (!answer->revocation_time || *answer->revocation_time <= context.validation_time) {
      findings->Add(
          Verdict::Indeterminate(signer ? SubIndication::kRevokedNoPoe
                                        : SubIndication::kRevokedCaNoPoe),
          MakeMessage(signer ? MessageCode::kRevocationRevoked : MessageCode::kRevocationCaRevoked,
                      absl::StrCat(cert.subject(), ": ", Describe(*answer))));
    } else {
      findings->Note(MessageCode::kRevocationRevokedLater,
                     absl::StrCat(cert.subject(), ": ", Describe(*answer)));
    }
  } else if (!answer.ok() || answer->status != RevocationStatus::kGood) {
    const std::string why = answer.ok() ? "the responder does not know the certificate"
                                        : std::string(answer.status().message());
    const Message message =
        MakeMessage(MessageCode::kRevocationUnavailable, absl::StrCat(cert.subject(), ": ", why));
    if (context.policy.revocation == RevocationMode::kRequire) {
      findings->Add(Verdict::Indeterminate(SubIndication::kTryLater), message);
    } else {
      findings->Note(MessageCode::kRevocationUnavailable, absl::StrCat(cert.subject(), ": ", why));
    }
  }
  if (!signer) return;
  if (answer.ok()) {
    report->revocation = *answer;
  } else {
    report->revocation = RevocationReport{};
    report->revocation.status = RevocationStatus::kUnavailable;
  }
}

}  // namespace

void ValidateSignerPath(const CertificatePtr& signer, absl::Span<const CertificatePtr> supplied,
                        const VerificationContext& context, ChainValidator* chains,
                        SignatureReport* report, LeafUsage usage) {
  std::optional<ScopedStageTimer> chain_timer(&report->stage_times.chain);
  std::shared_ptr<const ChainResult> chain = chains->Validate(
      signer, supplied, *context.trust, context.validation_time, context.policy, usage);
  chain_timer.reset();
  for (const CertificatePtr& c : chain->path) report->chain.push_back(c->subject());
  report->trust_anchor = chain->trust_anchor;
  report->verdict = Worst(report->verdict, chain->verdict);
  report->messages.insert(report->messages.end(), chain->messages.begin(), chain->messages.end());

  if (context.policy.revocation == RevocationMode::kOff) {
    report->messages.push_back(MakeMessage(MessageCode::kRevocationNotChecked));
    return;
  }
  // Revocation is asked about a path that reached an anchor: without one there is no issuer to
  // trust an answer from, and the signature is INDETERMINATE already.
  if (chain->trust_anchor.empty() || chain->path.size() < 2) return;
  ScopedStageTimer revocation_timer(&report->stage_times.revocation);
  Findings findings(report);
  for (size_t i = 0; i + 1 < chain->path.size(); ++i) {
    if (i > 0) {
      if (context.intermediates == IntermediateRevocation::kOff) break;
      if (context.intermediates == IntermediateRevocation::kIfAdvertised &&
          !AdvertisesRevocation(*chain->path[i])) {
        continue;
      }
    }
    CheckPathElement(chain->path, i, context, &findings, report);
  }
}

}  // namespace kyso
