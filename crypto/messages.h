// Plain-language findings, each with a stable code and text in English and Vietnamese.
//
// The code is the contract (procedure systems match on it); the texts may be improved freely.
// The catalogue lives in messages.cc, apart from the logic that raises the findings.
#ifndef KYSO_CRYPTO_MESSAGES_H_
#define KYSO_CRYPTO_MESSAGES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kyso {

enum class MessageCode {
  // Document format.
  kFormatEmpty,
  kFormatUnrecognized,
  kFormatPemInvalid,
  kCmsMalformed,
  kCmsNotSignedData,
  kCmsTrailingData,
  kCmsNoSigners,
  kCmsBerNormalized,
  kCmsUnsupportedStructure,
  kXmlMalformed,
  kXmlDoctype,
  kXmlDuplicateId,
  kXmlTooLarge,
  kXmlNoSignature,
  // Signature.
  kDetachedContentMissing,
  kContentTypeAttributeMissing,
  kContentTypeMismatch,
  kMessageDigestAttributeMissing,
  kMessageDigestMismatch,
  kDuplicateSignedAttribute,
  kSignatureInvalid,
  kAlgorithmUnsupported,
  kAlgorithmInvalid,
  kSignerCertificateNotFound,
  kEssSigningCertificateMismatch,
  kEssSigningCertificateAbsent,
  kNoSignedAttributes,
  kSigningTimeClaimed,
  kXmlSignatureMalformed,
  kXmlUnsupportedConstruct,
  kXmlReferenceNotFound,
  kXmlReferenceDigestMismatch,
  kXmlBareKeyValue,
  kXadesSignedPropertiesNotSigned,
  // Certificate chain.
  kCertificateMalformed,
  kChainNoPath,
  kChainUntrustedRoot,
  kChainCertificateExpired,
  kChainCertificateNotYetValid,
  kChainInvalidCa,
  kChainPathLength,
  kChainKeyUsage,
  kChainPolicy,
  kChainCriticalExtension,
  kChainNameConstraints,
  kChainSignatureInvalid,
  kChainGeneralFailure,
  kSignerKeyUsage,
  // Policy.
  kPolicyDigestNotAllowed,
  kPolicyKeyTooSmall,
  kPolicyKeyTypeNotAllowed,
  // Revocation.
  kRevocationRevoked,
  kRevocationCaRevoked,
  kRevocationRevokedLater,
  kRevocationUnavailable,
  kRevocationNotChecked,
};

enum class Severity { kInfo, kWarning, kError };

absl::string_view ToString(Severity severity);

struct Message {
  std::string code;  // stable, e.g. "cms.message_digest_mismatch"
  Severity severity = Severity::kError;
  std::string en;
  std::string vi;
};

// Builds the message for `code`. A non-empty `detail` (a certificate subject, an OpenSSL reason,
// an algorithm) is appended to both texts after a colon; details are data, not prose, so they are
// not translated.
Message MakeMessage(MessageCode code, absl::string_view detail = "");

// The stable code alone, for tests and metrics.
absl::string_view CodeOf(MessageCode code);

}  // namespace kyso

#endif  // KYSO_CRYPTO_MESSAGES_H_
