#include "crypto/cms/cms_parser.h"

#include <openssl/cms.h>

#include "absl/container/flat_hash_set.h"
#include "crypto/asn1/oids.h"
#include "crypto/openssl_error.h"
#include "crypto/openssl_ptr.h"
#include "crypto/status_macros.h"

namespace kyso::cms {
namespace {

using asn1::DerReader;
using asn1::Tlv;

absl::StatusOr<SignerInfo> ParseSignerInfo(const Tlv& tlv) {
  // SignerInfo ::= SEQUENCE {
  //   version CMSVersion,
  //   sid SignerIdentifier,
  //   digestAlgorithm DigestAlgorithmIdentifier,
  //   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
  //   signatureAlgorithm SignatureAlgorithmIdentifier,
  //   signature SignatureValue,
  //   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
  if (tlv.tag != asn1::kTagSequence)
    return absl::InvalidArgumentError("SignerInfo is not a SEQUENCE");
  SignerInfo si;
  DerReader r(tlv.value);
  KYSO_ASSIGN_OR_RETURN(Tlv version, r.Expect(asn1::kTagInteger));
  KYSO_ASSIGN_OR_RETURN(si.version, asn1::ParseSmallInteger(version));
  KYSO_ASSIGN_OR_RETURN(Tlv sid, r.Next());
  if (sid.tag == asn1::kTagSequence) {
    // IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber }
    DerReader s(sid.value);
    KYSO_ASSIGN_OR_RETURN(Tlv issuer, s.Expect(asn1::kTagSequence));
    KYSO_ASSIGN_OR_RETURN(Tlv serial, s.Expect(asn1::kTagInteger));
    KYSO_RETURN_IF_ERROR(s.ExpectEnd("IssuerAndSerialNumber"));
    si.sid_issuer = issuer.full;
    KYSO_ASSIGN_OR_RETURN(si.sid_serial, asn1::CheckInteger(serial));
  } else if (sid.tag == asn1::ContextPrimitive(0)) {
    si.sid_key_id = sid.value;  // subjectKeyIdentifier [0] IMPLICIT OCTET STRING
  } else {
    return absl::InvalidArgumentError("unknown SignerIdentifier choice");
  }
  KYSO_ASSIGN_OR_RETURN(Tlv digest_alg, r.Expect(asn1::kTagSequence));
  KYSO_ASSIGN_OR_RETURN(si.digest_algorithm, asn1::ParseAlgorithmIdentifier(digest_alg));
  KYSO_ASSIGN_OR_RETURN(auto signed_attrs, r.Optional(asn1::ContextConstructed(0)));
  si.signed_attributes = signed_attrs;
  KYSO_ASSIGN_OR_RETURN(Tlv sig_alg, r.Expect(asn1::kTagSequence));
  KYSO_ASSIGN_OR_RETURN(si.signature_algorithm, asn1::ParseAlgorithmIdentifier(sig_alg));
  KYSO_ASSIGN_OR_RETURN(Tlv signature, r.Expect(asn1::kTagOctetString));
  si.signature = signature.value;
  KYSO_ASSIGN_OR_RETURN(auto unsigned_attrs, r.Optional(asn1::ContextConstructed(1)));
  (void)unsigned_attrs;  // not evaluated (no timestamps or revocation values yet)
  KYSO_RETURN_IF_ERROR(r.ExpectEnd("SignerInfo"));
  return si;
}

absl::StatusOr<SignedData> ParseSignedDataContent(const Tlv& tlv) {
  // SignedData ::= SEQUENCE {
  //   version CMSVersion,
  //   digestAlgorithms DigestAlgorithmIdentifiers,
  //   encapContentInfo EncapsulatedContentInfo,
  //   certificates [0] IMPLICIT CertificateSet OPTIONAL,
  //   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
  //   signerInfos SignerInfos }
  if (tlv.tag != asn1::kTagSequence)
    return absl::InvalidArgumentError("SignedData is not a SEQUENCE");
  SignedData sd;
  DerReader r(tlv.value);
  KYSO_ASSIGN_OR_RETURN(Tlv version, r.Expect(asn1::kTagInteger));
  KYSO_ASSIGN_OR_RETURN(sd.version, asn1::ParseSmallInteger(version));
  KYSO_ASSIGN_OR_RETURN(Tlv digest_algs, r.Expect(asn1::kTagSet));
  {
    DerReader d(digest_algs.value);
    while (!d.empty()) {
      KYSO_ASSIGN_OR_RETURN(Tlv alg, d.Expect(asn1::kTagSequence));
      KYSO_RETURN_IF_ERROR(asn1::ParseAlgorithmIdentifier(alg).status());
    }
  }
  // EncapsulatedContentInfo ::= SEQUENCE {
  //   eContentType ContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
  KYSO_ASSIGN_OR_RETURN(Tlv encap, r.Expect(asn1::kTagSequence));
  {
    DerReader e(encap.value);
    KYSO_ASSIGN_OR_RETURN(Tlv type, e.Expect(asn1::kTagOid));
    if (type.value.empty()) return absl::InvalidArgumentError("empty eContentType");
    sd.econtent_type = type.value;
    KYSO_ASSIGN_OR_RETURN(auto explicit_content, e.Optional(asn1::ContextConstructed(0)));
    if (explicit_content) {
      DerReader c(explicit_content->value);
      KYSO_ASSIGN_OR_RETURN(Tlv octets, c.Expect(asn1::kTagOctetString));
      KYSO_RETURN_IF_ERROR(c.ExpectEnd("eContent"));
      sd.econtent = octets.value;
    }
    KYSO_RETURN_IF_ERROR(e.ExpectEnd("EncapsulatedContentInfo"));
  }
  KYSO_ASSIGN_OR_RETURN(auto certs, r.Optional(asn1::ContextConstructed(0)));
  if (certs) {
    // CertificateChoices: a plain Certificate (SEQUENCE) is kept; the obsolete extended and
    // attribute certificates ([0]..[2]) and `other` ([3]) are not used for path building.
    DerReader c(certs->value);
    while (!c.empty()) {
      KYSO_ASSIGN_OR_RETURN(Tlv cert, c.Next());
      if (cert.tag == asn1::kTagSequence) sd.certificates.push_back(cert.full);
    }
  }
  KYSO_ASSIGN_OR_RETURN(auto crls, r.Optional(asn1::ContextConstructed(1)));
  (void)crls;  // embedded revocation data is not used yet
  KYSO_ASSIGN_OR_RETURN(Tlv signer_infos, r.Expect(asn1::kTagSet));
  {
    DerReader s(signer_infos.value);
    while (!s.empty()) {
      KYSO_ASSIGN_OR_RETURN(Tlv si, s.Next());
      KYSO_ASSIGN_OR_RETURN(SignerInfo parsed, ParseSignerInfo(si));
      sd.signers.push_back(std::move(parsed));
    }
  }
  KYSO_RETURN_IF_ERROR(r.ExpectEnd("SignedData"));
  return sd;
}

// Decodes BER with OpenSSL and re-encodes the whole ContentInfo as DER.
absl::StatusOr<std::unique_ptr<std::string>> NormalizeBer(absl::string_view ber) {
  const auto* p = reinterpret_cast<const unsigned char*>(ber.data());
  const unsigned char* const end = p + ber.size();
  CmsContentInfoPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(ber.size())));  // NOLINT
  if (!cms) return OpenSslError("cannot decode CMS");
  if (p != end) return absl::OutOfRangeError("bytes follow the CMS structure");
  unsigned char* out = nullptr;
  const int len = i2d_CMS_ContentInfo(cms.get(), &out);
  if (len <= 0) return OpenSslError("cannot re-encode CMS");
  auto der = std::make_unique<std::string>(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);
  return der;
}

}  // namespace

absl::StatusOr<SignedData> ParseSignedDataDer(absl::string_view der) {
  // ContentInfo ::= SEQUENCE { contentType ContentType, content [0] EXPLICIT ANY }
  DerReader top(der);
  KYSO_ASSIGN_OR_RETURN(Tlv content_info, top.Expect(asn1::kTagSequence));
  if (!top.empty()) return absl::OutOfRangeError("bytes follow the CMS structure");
  DerReader ci(content_info.value);
  KYSO_ASSIGN_OR_RETURN(Tlv type, ci.Expect(asn1::kTagOid));
  if (type.value != asn1::kOidSignedData) {
    return absl::FailedPreconditionError("content type " + asn1::OidToString(type.value) +
                                         " is not SignedData");
  }
  KYSO_ASSIGN_OR_RETURN(Tlv explicit_content, ci.Expect(asn1::ContextConstructed(0)));
  KYSO_RETURN_IF_ERROR(ci.ExpectEnd("ContentInfo"));
  DerReader c(explicit_content.value);
  KYSO_ASSIGN_OR_RETURN(Tlv signed_data, c.Next());
  KYSO_RETURN_IF_ERROR(c.ExpectEnd("ContentInfo content"));
  return ParseSignedDataContent(signed_data);
}

absl::StatusOr<ParsedCms> ParseCms(absl::string_view der) {
  absl::StatusOr<SignedData> strict = ParseSignedDataDer(der);
  if (strict.ok()) return ParsedCms{nullptr, *std::move(strict)};
  if (strict.status().code() != absl::StatusCode::kUnimplemented) return strict.status();
  // BER somewhere in the message: normalise once and read the DER.
  KYSO_ASSIGN_OR_RETURN(std::unique_ptr<std::string> normalized, NormalizeBer(der));
  KYSO_ASSIGN_OR_RETURN(SignedData sd, ParseSignedDataDer(*normalized));
  return ParsedCms{std::move(normalized), std::move(sd)};
}

absl::StatusOr<std::vector<Attribute>> ParseAttributes(const Tlv& signed_attributes) {
  std::vector<Attribute> out;
  absl::flat_hash_set<absl::string_view> seen;
  DerReader r(signed_attributes.value);
  while (!r.empty()) {
    // Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
    KYSO_ASSIGN_OR_RETURN(Tlv attr, r.Expect(asn1::kTagSequence));
    DerReader a(attr.value);
    KYSO_ASSIGN_OR_RETURN(Tlv type, a.Expect(asn1::kTagOid));
    KYSO_ASSIGN_OR_RETURN(Tlv values, a.Expect(asn1::kTagSet));
    KYSO_RETURN_IF_ERROR(a.ExpectEnd("Attribute"));
    if (!seen.insert(type.value).second) {
      return absl::AlreadyExistsError("signed attribute " + asn1::OidToString(type.value) +
                                      " appears twice");
    }
    Attribute parsed{type.value, {}};
    DerReader v(values.value);
    while (!v.empty()) {
      KYSO_ASSIGN_OR_RETURN(Tlv value, v.Next());
      parsed.values.push_back(value);
    }
    out.push_back(std::move(parsed));
  }
  return out;
}

}  // namespace kyso::cms
