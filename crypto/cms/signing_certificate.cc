#include "crypto/cms/signing_certificate.h"

#include "crypto/algorithms.h"
#include "crypto/status_macros.h"

namespace kyso::cms {
namespace {

using asn1::DerReader;
using asn1::Tlv;

// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
absl::Status CheckIssuerSerial(const Tlv& issuer_serial, const Certificate& signer) {
  DerReader r(issuer_serial.value);
  KYSO_ASSIGN_OR_RETURN(Tlv general_names, r.Expect(asn1::kTagSequence));
  KYSO_ASSIGN_OR_RETURN(Tlv serial, r.Expect(asn1::kTagInteger));
  if (serial.value != signer.serial_der()) {
    return absl::InvalidArgumentError("issuerSerial names another serial number");
  }
  // GeneralName directoryName is [4] EXPLICIT Name; any other form cannot name a CA here.
  DerReader names(general_names.value);
  bool issuer_matches = false;
  while (!names.empty()) {
    KYSO_ASSIGN_OR_RETURN(Tlv name, names.Next());
    if (name.tag != asn1::ContextConstructed(4)) continue;
    if (name.value == signer.issuer_der()) issuer_matches = true;
  }
  if (!issuer_matches) return absl::InvalidArgumentError("issuerSerial names another issuer");
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSigningCertificate(EssVersion version, const Tlv& value,
                                     const Certificate& signer) {
  // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies ... OPTIONAL }
  if (value.tag != asn1::kTagSequence) {
    return absl::InvalidArgumentError("signing-certificate is not a SEQUENCE");
  }
  DerReader r(value.value);
  KYSO_ASSIGN_OR_RETURN(Tlv certs, r.Expect(asn1::kTagSequence));
  DerReader c(certs.value);
  if (c.empty()) return absl::InvalidArgumentError("signing-certificate lists no certificate");
  // RFC 5035 3: "The first certificate identified in the sequence of certificate identifiers MUST
  // be the certificate used to verify the signature."
  KYSO_ASSIGN_OR_RETURN(Tlv first, c.Expect(asn1::kTagSequence));
  DerReader id(first.value);
  DigestAlgorithm hash =
      version == EssVersion::kV1 ? DigestAlgorithm::kSha1 : DigestAlgorithm::kSha256;
  if (version == EssVersion::kV2 && id.PeekTag(asn1::kTagSequence)) {
    // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {id-sha256},
    //                            certHash Hash, issuerSerial IssuerSerial OPTIONAL }
    KYSO_ASSIGN_OR_RETURN(Tlv alg_tlv, id.Next());
    KYSO_ASSIGN_OR_RETURN(asn1::AlgorithmIdentifier alg, asn1::ParseAlgorithmIdentifier(alg_tlv));
    auto d = DigestFromOid(alg.oid);
    if (!d) return absl::InvalidArgumentError("signing-certificate-v2 uses an unknown hash");
    hash = *d;
  }
  KYSO_ASSIGN_OR_RETURN(Tlv cert_hash, id.Expect(asn1::kTagOctetString));
  if (cert_hash.value != Digest(hash, signer.der())) {
    return absl::InvalidArgumentError("certificate hash does not match the signer's certificate");
  }
  KYSO_ASSIGN_OR_RETURN(auto issuer_serial, id.Optional(asn1::kTagSequence));
  if (issuer_serial) KYSO_RETURN_IF_ERROR(CheckIssuerSerial(*issuer_serial, signer));
  return absl::OkStatus();
}

}  // namespace kyso::cms
