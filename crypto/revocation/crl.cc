#include "crypto/revocation/crl.h"

#include <openssl/pem.h>

#include "absl/strings/match.h"
#include "crypto/openssl_error.h"
#include "crypto/revocation/ocsp.h"

namespace kyso::revocation {

absl::StatusOr<X509CrlPtr> Crl::Decode(absl::string_view der_or_pem) {
  X509CrlPtr crl;
  if (absl::StrContains(der_or_pem, "-----BEGIN X509 CRL-----")) {
    BioPtr bio(BIO_new_mem_buf(der_or_pem.data(), static_cast<int>(der_or_pem.size())));
    crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(der_or_pem.data());
    const unsigned char* const end = p + der_or_pem.size();
    crl.reset(d2i_X509_CRL(nullptr, &p, static_cast<long>(der_or_pem.size())));  // NOLINT
    if (crl && p != end) return absl::InvalidArgumentError("trailing bytes after the CRL");
  }
  if (!crl) return OpenSslError("not a CRL");
  return crl;
}

absl::StatusOr<std::shared_ptr<const Crl>> Crl::ParseAndVerify(absl::string_view der_or_pem,
                                                               const Certificate& issuer) {
  absl::StatusOr<X509CrlPtr> decoded = Decode(der_or_pem);
  if (!decoded.ok()) return decoded.status();
  X509_CRL* crl = decoded->get();
  // RFC 5280 5.2.4 delta CRL indicator; 5.2.5 issuing distribution point with indirectCRL.
  if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0) {
    return absl::UnimplementedError("delta CRLs are not supported");
  }
  int critical = 0;
  auto* idp = static_cast<ISSUING_DIST_POINT*>(
      X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &critical, nullptr));
  if (idp != nullptr) {
    const bool partial = idp->indirectCRL || idp->onlysomereasons != nullptr;
    ISSUING_DIST_POINT_free(idp);
    if (partial) return absl::UnimplementedError("indirect or partial CRLs are not supported");
  }
  for (int i = 0; i < X509_CRL_get_ext_count(crl); ++i) {
    X509_EXTENSION* ext = X509_CRL_get_ext(crl, i);
    const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    if (X509_EXTENSION_get_critical(ext) && nid != NID_issuing_distribution_point &&
        nid != NID_crl_number && nid != NID_authority_key_identifier) {
      return absl::UnimplementedError("the CRL has an unsupported critical extension");
    }
  }
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer.x509())) != 0) {
    return absl::PermissionDeniedError("the CRL is issued by another CA");
  }
  const uint32_t usage = X509_get_key_usage(issuer.x509());
  if (usage != UINT32_MAX && (usage & KU_CRL_SIGN) == 0) {
    return absl::PermissionDeniedError("the issuer may not sign CRLs (no cRLSign)");
  }
  if (issuer.public_key() == nullptr || X509_CRL_verify(crl, issuer.public_key()) != 1) {
    return OpenSslError("the CRL signature does not verify with the issuer's key",
                        absl::StatusCode::kPermissionDenied);
  }
  std::shared_ptr<Crl> out(new Crl());
  out->this_update_ = Asn1TimeToAbsl(X509_CRL_get0_lastUpdate(crl));
  if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl))
    out->next_update_ = Asn1TimeToAbsl(next);
  out->issuer_sha256_ = issuer.sha256();
  out->crl_ = *std::move(decoded);
  return std::shared_ptr<const Crl>(std::move(out));
}

absl::StatusOr<RevocationReport> Crl::StatusOf(const Certificate& cert, absl::Time now,
                                               absl::Duration clock_skew) const {
  if (this_update_ > now + clock_skew) {
    return absl::FailedPreconditionError("the CRL's thisUpdate is in the future");
  }
  if (next_update_ && *next_update_ < now - clock_skew) {
    return absl::FailedPreconditionError("the CRL is stale (nextUpdate passed)");
  }
  RevocationReport evidence;
  evidence.source = RevocationSourceKind::kCrl;
  evidence.this_update = this_update_;
  evidence.next_update = next_update_;
  X509_REVOKED* entry = nullptr;  // borrowed from the CRL
  if (X509_CRL_get0_by_serial(crl_.get(), &entry,
                              const_cast<ASN1_INTEGER*>(X509_get0_serialNumber(cert.x509()))) ==
          1 &&
      entry != nullptr) {
    evidence.status = RevocationStatus::kRevoked;
    evidence.revocation_time = Asn1TimeToAbsl(X509_REVOKED_get0_revocationDate(entry));
    int crit = 0;
    auto* reason = static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &crit, nullptr));
    if (reason != nullptr) {
      evidence.revocation_reason =
          std::string(CrlReasonName(static_cast<int>(ASN1_ENUMERATED_get(reason))));
      ASN1_ENUMERATED_free(reason);
    }
    return evidence;
  }
  evidence.status = RevocationStatus::kGood;
  return evidence;
}

}  // namespace kyso::revocation
