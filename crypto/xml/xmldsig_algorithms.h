// XML Signature algorithm identifiers (XMLDSig 1.1 section 6, RFC 9231) mapped to kyso's
// algorithm model, and the ECDSA signature value conversion XMLDSig needs.
#ifndef KYSO_CRYPTO_XML_XMLDSIG_ALGORITHMS_H_
#define KYSO_CRYPTO_XML_XMLDSIG_ALGORITHMS_H_

#include <openssl/evp.h>

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/algorithms.h"

namespace kyso::xml {

std::optional<DigestAlgorithm> DigestFromUri(absl::string_view uri);

// kUnimplemented for an identifier kyso does not verify (HMAC, DSA, GOST, ...).
absl::StatusOr<SignatureAlgorithm> SignatureFromUri(absl::string_view uri);

// XMLDSig 1.1 section 6.4.3: an ECDSA SignatureValue is r || s, each left-padded to the byte
// length of the group order. Converts it to the DER ECDSA-Sig-Value OpenSSL verifies, refusing any
// other length.
absl::StatusOr<std::string> EcdsaRawToDer(absl::string_view raw, EVP_PKEY* key);

}  // namespace kyso::xml

#endif  // KYSO_CRYPTO_XML_XMLDSIG_ALGORITHMS_H_
