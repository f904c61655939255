// Verifies every SignerInfo of a parsed CMS SignedData (RFC 5652 5.6) and reports on each.
//
// Order of checks for one signer, each with its own finding:
//   1. algorithms known and consistent                     FORMAT_FAILURE / CRYPTO_CONSTRAINTS
//   2. signer certificate found (document, then trust pool) NO_SIGNING_CERTIFICATE_FOUND
//   3. signed attributes well formed; content-type present and equal to eContentType
//                                                            FORMAT_FAILURE
//   4. signature value over the DER signed attributes (or the content when there are none)
//                                                            SIG_CRYPTO_FAILURE
//   5. message-digest equals the digest of the content      HASH_FAILURE
//      (no content, neither attached nor supplied: SIGNED_DATA_NOT_FOUND)
//   6. ESS signing-certificate(-v2) names the signer        NO_SIGNING_CERTIFICATE_FOUND
//   7. digest allowed by policy                             CRYPTO_CONSTRAINTS_FAILURE_NO_POE
//   8. certificate path (ChainValidator)                    chain sub-indications
// All findings are reported; the verdict is the worst (TOTAL_FAILED over INDETERMINATE).
#ifndef KYSO_CRYPTO_CMS_CMS_VERIFIER_H_
#define KYSO_CRYPTO_CMS_CMS_VERIFIER_H_

#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "crypto/certificate_cache.h"
#include "crypto/chain_validator.h"
#include "crypto/cms/cms_parser.h"
#include "crypto/report.h"
#include "crypto/verification_context.h"

namespace kyso::cms {

struct CmsCaches {
  CertificateCache* certificates;
  ChainValidator* chains;
};

std::vector<SignatureReport> VerifySigners(const SignedData& signed_data,
                                           std::optional<absl::string_view> detached_content,
                                           const VerificationContext& context, CmsCaches caches);

}  // namespace kyso::cms

#endif  // KYSO_CRYPTO_CMS_CMS_VERIFIER_H_
