// What every signature format does the same way once it knows its signer: collect findings with
// "worst wins", validate the signer's certificate path, and note what was not checked.
#ifndef KYSO_CRYPTO_SIGNATURE_FINDINGS_H_
#define KYSO_CRYPTO_SIGNATURE_FINDINGS_H_

#include "absl/types/span.h"
#include "crypto/certificate.h"
#include "crypto/chain_validator.h"
#include "crypto/messages.h"
#include "crypto/report.h"
#include "crypto/verification_context.h"

namespace kyso {

// Accumulates one signature's findings into its report; the verdict is the worst seen.
class Findings final {
 public:
  explicit Findings(SignatureReport* report) : report_(report) {}

  void Add(Verdict verdict, Message message) {
    report_->verdict = Worst(report_->verdict, verdict);
    report_->messages.push_back(std::move(message));
  }
  void Note(MessageCode code, absl::string_view detail = "") {
    report_->messages.push_back(MakeMessage(code, detail));
  }

 private:
  SignatureReport* report_;
};

// The certificate path of `signer` (with `supplied`, the certificates the document carries), its
// findings folded into `report`, then the revocation of the path's certificates as the context's
// policy asks (or a note that it was not checked). Shared by the CMS and XML paths and by
// certificate validation.
void ValidateSignerPath(const CertificatePtr& signer, absl::Span<const CertificatePtr> supplied,
                        const VerificationContext& context, ChainValidator* chains,
                        SignatureReport* report, LeafUsage usage = LeafUsage::kDocumentSigning);

}  // namespace kyso

#endif  // KYSO_CRYPTO_SIGNATURE_FINDINGS_H_
