// Reads the few fields of a DER certificate that identify it (RFC 5280 4.1), without decoding the
// certificate: enough to find a CMS signer's certificate among those a message carries.
#ifndef KYSO_CRYPTO_ASN1_CERTIFICATE_FIELDS_H_
#define KYSO_CRYPTO_ASN1_CERTIFICATE_FIELDS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kyso::asn1 {

struct CertificateIdFields {
  absl::string_view serial;  // INTEGER contents octets
  absl::string_view issuer;  // the issuer Name element, tag and length included
};

// Certificate  ::=  SEQUENCE  { tbsCertificate TBSCertificate, ... }
// TBSCertificate  ::=  SEQUENCE  { version [0] EXPLICIT Version DEFAULT v1,
//      serialNumber CertificateSerialNumber, signature AlgorithmIdentifier, issuer Name, ... }
absl::StatusOr<CertificateIdFields> ReadCertificateIdFields(absl::string_view der);

}  // namespace kyso::asn1

#endif  // KYSO_CRYPTO_ASN1_CERTIFICATE_FIELDS_H_
