#include "crypto/signature_findings.h"

namespace kyso {

void ValidateSignerPath(const CertificatePtr& signer, absl::Span<const CertificatePtr> supplied,
                        const VerificationContext& context, ChainValidator* chains,
                        SignatureReport* report) {
  std::shared_ptr<const ChainResult> chain =
      chains->Validate(signer, supplied, *context.trust, context.validation_time, context.policy,
                       LeafUsage::kDocumentSigning);
  for (const CertificatePtr& c : chain->path) report->chain.push_back(c->subject());
  report->trust_anchor = chain->trust_anchor;
  report->verdict = Worst(report->verdict, chain->verdict);
  report->messages.insert(report->messages.end(), chain->messages.begin(), chain->messages.end());
  if (context.policy.revocation == RevocationMode::kOff) {
    report->messages.push_back(MakeMessage(MessageCode::kRevocationNotChecked));
  }
}

}  // namespace kyso
