#include "crypto/cms/cms_verifier.h"

#include <openssl/asn1.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "crypto/algorithms.h"
#include "crypto/asn1/certificate_fields.h"
#include "crypto/asn1/oids.h"
#include "crypto/cms/signing_certificate.h"
#include "crypto/messages.h"
#include "crypto/signature_findings.h"

namespace kyso::cms {
namespace {

// The document's certificates, decoded once through the cache. Undecodable ones are skipped: they
// cannot be part of a valid path, and the signer lookup reports a missing certificate.
std::vector<CertificatePtr> DecodeEmbedded(const SignedData& sd, CertificateCache* cache) {
  std::vector<CertificatePtr> out;
  out.reserve(sd.certificates.size());
  for (absl::string_view der : sd.certificates) {
    auto cert = cache->GetOrParse(der);
    if (cert.ok()) out.push_back(*std::move(cert));
  }
  return out;
}

CertificatePtr FindSigner(const SignerInfo& si, const std::vector<CertificatePtr>& embedded,
                          const TrustStore& trust) {
  if (si.sid_key_id) {
    for (const CertificatePtr& c : embedded) {
      if (!c->subject_key_id().empty() && c->subject_key_id() == *si.sid_key_id) return c;
    }
    return trust.FindBySubjectKeyId(*si.sid_key_id);
  }
  // IssuerAndSerialNumber: compared as encoded, which is how CAs and signers copy them.
  for (const CertificatePtr& c : embedded) {
    if (c->serial_der() == si.sid_serial && c->issuer_der() == si.sid_issuer) return c;
  }
  return trust.FindByIssuerAndSerial(si.sid_issuer, si.sid_serial);
}

std::optional<absl::Time> ParseAsn1Time(const asn1::Tlv& tlv) {
  if (tlv.tag != asn1::kTagUtcTime && tlv.tag != asn1::kTagGeneralizedTime) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(tlv.full.data());
  Asn1TimePtr t(d2i_ASN1_TIME(nullptr, &p, static_cast<long>(tlv.full.size())));  // NOLINT
  if (!t || ASN1_TIME_check(t.get()) != 1) return std::nullopt;
  const absl::Time out = Asn1TimeToAbsl(t.get());
  if (out == absl::InfinitePast()) return std::nullopt;
  return out;
}

// The signed attributes kyso reads, picked out of the SET.
struct SignedAttributes {
  std::optional<asn1::Tlv> content_type;
  std::optional<asn1::Tlv> message_digest;
  std::optional<asn1::Tlv> signing_time;
  std::optional<asn1::Tlv> signing_certificate;
  std::optional<asn1::Tlv> signing_certificate_v2;
};

// RFC 5652 11: content-type, message-digest and signing-time "MUST have a single attribute value".
bool ReadSignedAttributes(const asn1::Tlv& tlv, SignedAttributes* out, Findings* findings) {
  auto attrs = ParseAttributes(tlv);
  if (!attrs.ok()) {
    const bool duplicate = attrs.status().code() == absl::StatusCode::kAlreadyExists;
    findings->Add(
        Verdict::Fail(SubIndication::kFormatFailure),
        MakeMessage(duplicate ? MessageCode::kDuplicateSignedAttribute : MessageCode::kCmsMalformed,
                    attrs.status().message()));
    return false;
  }
  for (const Attribute& a : *attrs) {
    std::optional<asn1::Tlv>* slot = nullptr;
    if (a.type == asn1::kOidAttrContentType) slot = &out->content_type;
    if (a.type == asn1::kOidAttrMessageDigest) slot = &out->message_digest;
    if (a.type == asn1::kOidAttrSigningTime) slot = &out->signing_time;
    if (a.type == asn1::kOidAttrSigningCertificate) slot = &out->signing_certificate;
    if (a.type == asn1::kOidAttrSigningCertificateV2) slot = &out->signing_certificate_v2;
    if (slot == nullptr) continue;
    if (a.values.size() != 1) {
      findings->Add(Verdict::Fail(SubIndication::kFormatFailure),
                    MakeMessage(MessageCode::kDuplicateSignedAttribute, asn1::OidToString(a.type)));
      return false;
    }
    *slot = a.values.front();
  }
  return true;
}

void VerifyOneSigner(const SignerInfo& si, const SignedData& sd,
                     std::optional<absl::string_view> content,
                     const std::vector<CertificatePtr>& embedded,
                     std::map<DigestAlgorithm, std::string>* content_digests,
                     const VerificationContext& ctx, CmsCaches caches, SignatureReport* report) {
  Findings findings(report);

  report->format = "cms";

  // 1. Algorithms.
  absl::StatusOr<SignatureAlgorithm> alg =
      ResolveCmsSignatureAlgorithm(si.digest_algorithm, si.signature_algorithm);
  if (!alg.ok()) {
    if (alg.status().code() == absl::StatusCode::kUnimplemented) {
      findings.Add(Verdict::Indeterminate(SubIndication::kCryptoConstraintsFailureNoPoe),
                   MakeMessage(MessageCode::kAlgorithmUnsupported, alg.status().message()));
    } else {
      findings.Add(Verdict::Fail(SubIndication::kFormatFailure),
                   MakeMessage(MessageCode::kAlgorithmInvalid, alg.status().message()));
    }
  } else {
    report->digest_algorithm = std::string(ToString(alg->digest));
    report->signature_algorithm = std::string(ToString(alg->scheme));
  }

  // 2. Signer certificate.
  CertificatePtr signer = FindSigner(si, embedded, *ctx.trust);
  if (signer == nullptr) {
    findings.Add(Verdict::Indeterminate(SubIndication::kNoSigningCertificateFound),
                 MakeMessage(MessageCode::kSignerCertificateNotFound));
  } else {
    report->signer = signer->Identity();
  }

  // 3. Signed attributes.
  SignedAttributes attrs;
  bool attrs_ok = true;
  if (si.signed_attributes) {
    attrs_ok = ReadSignedAttributes(*si.signed_attributes, &attrs, &findings);
    if (attrs_ok) {
      if (!attrs.content_type) {
        findings.Add(Verdict::Fail(SubIndication::kFormatFailure),
                     MakeMessage(MessageCode::kContentTypeAttributeMissing));
      } else if (attrs.content_type->tag != asn1::kTagOid ||
                 attrs.content_type->value != sd.econtent_type) {
        // RFC 5652 11.1; OpenSSL's CMS_verify does not check this.
        findings.Add(Verdict::Fail(SubIndication::kFormatFailure),
                     MakeMessage(MessageCode::kContentTypeMismatch,
                                 attrs.content_type->tag == asn1::kTagOid
                                     ? asn1::OidToString(attrs.content_type->value)
                                     : "not an OID"));
      }
      if (!attrs.message_digest || attrs.message_digest->tag != asn1::kTagOctetString) {
        findings.Add(Verdict::Fail(SubIndication::kFormatFailure),
                     MakeMessage(MessageCode::kMessageDigestAttributeMissing));
      }
      if (attrs.signing_time) {
        report->signing_time = ParseAsn1Time(*attrs.signing_time);
        if (report->signing_time) findings.Note(MessageCode::kSigningTimeClaimed);
      }
    }
  } else {
    findings.Note(MessageCode::kNoSignedAttributes);
    // RFC 5652 5.3: without signed attributes the content type must be id-data.
    if (sd.econtent_type != asn1::kOidData) {
      findings.Add(Verdict::Fail(SubIndication::kFormatFailure),
                   MakeMessage(MessageCode::kContentTypeAttributeMissing,
                               "no signed attributes over non-data content"));
    }
  }
  if (!alg.ok() || signer == nullptr || !attrs_ok) return;

  auto content_digest = [&]() -> const std::string& {
    auto it = content_digests->find(alg->digest);
    if (it == content_digests->end()) {
      it = content_digests->emplace(alg->digest, Digest(alg->digest, *content)).first;
    }
    return it->second;
  };

  // 4. Signature value. RFC 5652 5.4: over the DER of the signed attributes with an EXPLICIT SET
  // OF tag, or over the content itself when there are no signed attributes.
  absl::Status signature_status;
  std::optional<ScopedStageTimer> signature_timer(&report->stage_times.signature);
  if (si.signed_attributes) {
    std::string to_be_signed(si.signed_attributes->full);
    to_be_signed[0] = static_cast<char>(asn1::kTagSet);
    signature_status = VerifyDigestSignature(signer->public_key(), *alg,
                                             Digest(alg->digest, to_be_signed), si.signature);
  } else if (content) {
    signature_status =
        VerifyDigestSignature(signer->public_key(), *alg, content_digest(), si.signature);
  }
  signature_timer.reset();
  if (!signature_status.ok()) {
    findings.Add(Verdict::Fail(SubIndication::kSigCryptoFailure),
                 MakeMessage(MessageCode::kSignatureInvalid, signature_status.message()));
  }

  // 5. Content.
  if (!content) {
    findings.Add(Verdict::Indeterminate(SubIndication::kSignedDataNotFound),
                 MakeMessage(MessageCode::kDetachedContentMissing));
  } else if (si.signed_attributes && attrs.message_digest &&
             attrs.message_digest->tag == asn1::kTagOctetString &&
             attrs.message_digest->value != content_digest()) {
    findings.Add(Verdict::Fail(SubIndication::kHashFailure),
                 MakeMessage(MessageCode::kMessageDigestMismatch));
  }

  // 6. ESS signing certificate.
  if (attrs.signing_certificate_v2 || attrs.signing_certificate) {
    report->format = "cades";
    const bool v2 = attrs.signing_certificate_v2.has_value();
    absl::Status ess = CheckSigningCertificate(
        v2 ? EssVersion::kV2 : EssVersion::kV1,
        v2 ? *attrs.signing_certificate_v2 : *attrs.signing_certificate, *signer);
    if (!ess.ok()) {
      findings.Add(Verdict::Indeterminate(SubIndication::kNoSigningCertificateFound),
                   MakeMessage(MessageCode::kEssSigningCertificateMismatch, ess.message()));
    }
  } else if (si.signed_attributes) {
    findings.Note(MessageCode::kEssSigningCertificateAbsent);
  }

  // 7. Policy on the signature's own digest.
  if (!ctx.policy.DigestAllowed(alg->digest)) {
    findings.Add(Verdict::Indeterminate(SubIndication::kCryptoConstraintsFailureNoPoe),
                 MakeMessage(MessageCode::kPolicyDigestNotAllowed, ToString(alg->digest)));
  }

  // 8. Certificate path.
  ValidateSignerPath(signer, embedded, ctx, caches.chains, report);
}

}  // namespace

std::vector<SignatureReport> VerifySigners(const SignedData& signed_data,
                                           std::optional<absl::string_view> detached_content,
                                           const VerificationContext& context, CmsCaches caches) {
  const std::vector<CertificatePtr> embedded = DecodeEmbedded(signed_data, caches.certificates);
  const std::optional<absl::string_view> content =
      signed_data.econtent ? signed_data.econtent : detached_content;
  std::map<DigestAlgorithm, std::string> content_digests;
  std::vector<SignatureReport> reports(signed_data.signers.size());
  for (size_t i = 0; i < signed_data.signers.size(); ++i) {
    VerifyOneSigner(signed_data.signers[i], signed_data, content, embedded, &content_digests,
                    context, caches, &reports[i]);
  }
  return reports;
}

}  // namespace kyso::cms
