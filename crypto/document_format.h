// Recognises what a document is before any parser sees it.
#ifndef KYSO_CRYPTO_DOCUMENT_FORMAT_H_
#define KYSO_CRYPTO_DOCUMENT_FORMAT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kyso {

enum class DocumentFormat { kCmsDer, kCmsPem, kXml, kUnknown };

absl::string_view ToString(DocumentFormat format);  // "cms" for both CMS forms, "xml", "unknown"

// Looks at the first bytes only: 0x30 (a DER SEQUENCE) is CMS, a PEM header naming PKCS7/CMS is
// CMS in PEM, '<' after optional BOM and white space is XML.
DocumentFormat DetectFormat(absl::string_view bytes);

// Unwraps the first "-----BEGIN PKCS7-----" / "CMS" / "PKCS #7 SIGNED DATA" block to DER. Only
// white space may follow the block.
absl::StatusOr<std::string> DecodeCmsPem(absl::string_view pem);

}  // namespace kyso

#endif  // KYSO_CRYPTO_DOCUMENT_FORMAT_H_
