// Verifies every ds:Signature of an XML document: XMLDSig 1.1 and XAdES B-B (ETSI EN 319 132-1).
//
// Order for one signature (each with its own finding):
//   1. structure: SignedInfo, SignatureValue, KeyInfo; caps on references and transforms; only
//      "" / "#NCName" / caller-supplied detached names, and only the enveloped-signature, C14N,
//      base64 and literal `not(ancestor-or-self::ds:Signature)` XPath transforms. Anything else
//      is SIG_CONSTRAINTS_FAILURE before any digest is computed, and is never executed.
//   2. signer: certificates from KeyInfo/X509Data (decoded through the shared cache) or named by
//      X509IssuerSerial / X509SKI / X509Digest among the configured certificates; a bare KeyValue
//      is never trusted (NO_SIGNING_CERTIFICATE_FOUND).
//   3. SignatureValue over the canonical SignedInfo (SIG_CRYPTO_FAILURE) — before any reference.
//   4. each Reference: resolve, transform, digest, compare (HASH_FAILURE); its node path reported.
//   5. XAdES: exactly one SignedProperties reference into this signature's own
//      QualifyingProperties (else FORMAT_FAILURE); SigningCertificate(V2) names the signer (else
//      NO_SIGNING_CERTIFICATE_FOUND); SigningTime reported as a claim.
//   6. policy on every digest, then the certificate path (shared with CMS).
#ifndef KYSO_CRYPTO_XML_XML_VERIFIER_H_
#define KYSO_CRYPTO_XML_XML_VERIFIER_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "crypto/certificate_cache.h"
#include "crypto/chain_validator.h"
#include "crypto/report.h"
#include "crypto/verification_context.h"

namespace kyso::xml {

struct XmlLimits {
  size_t max_bytes = 64 << 20;
  size_t max_signatures = 32;
  size_t max_references = 64;  // per signature
  size_t max_transforms = 8;   // per reference
};

struct XmlCaches {
  CertificateCache* certificates;
  ChainValidator* chains;
};

// Fills `report` (format, messages, signatures, verdict) for an XML document.
void VerifyXmlDocument(absl::string_view bytes, absl::Span<const DetachedContent> detached,
                       const VerificationContext& context, XmlCaches caches,
                       const XmlLimits& limits, DocumentReport* report);

}  // namespace kyso::xml

#endif  // KYSO_CRYPTO_XML_XML_VERIFIER_H_
