// The ESS signing-certificate attributes, which bind a signature to one certificate so that a
// substituted certificate with the same key cannot be passed off as the signer's.
//   signing-certificate     RFC 2634 section 5.4 (SHA-1 certificate hash)
//   signing-certificate-v2  RFC 5035 section 3 (any hash, SHA-256 by default)
#ifndef KYSO_CRYPTO_CMS_SIGNING_CERTIFICATE_H_
#define KYSO_CRYPTO_CMS_SIGNING_CERTIFICATE_H_

#include "absl/status/status.h"
#include "crypto/asn1/der_reader.h"
#include "crypto/certificate.h"

namespace kyso::cms {

enum class EssVersion { kV1, kV2 };

// Checks that the first ESSCertID(v2) of the attribute value names `signer`: certHash equals the
// hash of its DER encoding and, when issuerSerial is present, its serial number and issuer match.
// OK when it matches; kInvalidArgument (with the reason) when it does not or cannot be read.
absl::Status CheckSigningCertificate(EssVersion version, const asn1::Tlv& value,
                                     const Certificate& signer);

}  // namespace kyso::cms

#endif  // KYSO_CRYPTO_CMS_SIGNING_CERTIFICATE_H_
