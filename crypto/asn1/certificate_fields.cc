#include "crypto/asn1/certificate_fields.h"

#include "crypto/asn1/der_reader.h"
#include "crypto/status_macros.h"

namespace kyso::asn1 {

absl::StatusOr<CertificateIdFields> ReadCertificateIdFields(absl::string_view der) {
  DerReader outer(der);
  KYSO_ASSIGN_OR_RETURN(Tlv cert, outer.Expect(kTagSequence));
  DerReader c(cert.value);
  KYSO_ASSIGN_OR_RETURN(Tlv tbs, c.Expect(kTagSequence));
  DerReader t(tbs.value);
  KYSO_ASSIGN_OR_RETURN(auto version, t.Optional(ContextConstructed(0)));
  (void)version;
  KYSO_ASSIGN_OR_RETURN(Tlv serial, t.Expect(kTagInteger));
  KYSO_ASSIGN_OR_RETURN(Tlv signature, t.Expect(kTagSequence));
  (void)signature;
  KYSO_ASSIGN_OR_RETURN(Tlv issuer, t.Expect(kTagSequence));
  return CertificateIdFields{serial.value, issuer.full};
}

}  // namespace kyso::asn1
