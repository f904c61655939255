#include "crypto/revocation/ocsp.h"

#include <openssl/ocsp.h>

#include "absl/strings/str_cat.h"
#include "crypto/openssl_error.h"
#include "crypto/openssl_ptr.h"

namespace kyso::revocation {
namespace {

// Severity for "worst wins" among several answers about one certificate.
int Rank(RevocationStatus status) {
  switch (status) {
    case RevocationStatus::kRevoked:
      return 3;
    case RevocationStatus::kUnknown:
      return 2;
    case RevocationStatus::kGood:
      return 1;
    default:
      return 0;
  }
}

// Extensions kyso understands in a response (RFC 6960 4.4): the nonce, and the CRL reference and
// archive cutoff, which are informational.
bool KnownExtension(int nid) {
  return nid == NID_id_pkix_OCSP_Nonce || nid == NID_id_pkix_OCSP_CrlID ||
         nid == NID_id_pkix_OCSP_archiveCutoff;
}

template <typename GetCount, typename GetExt>
absl::Status CheckCriticalExtensions(GetCount count, GetExt get, absl::string_view where) {
  for (int i = 0; i < count(); ++i) {
    X509_EXTENSION* ext = get(i);
    if (X509_EXTENSION_get_critical(ext) &&
        !KnownExtension(OBJ_obj2nid(X509_EXTENSION_get_object(ext)))) {
      return absl::UnimplementedError(absl::StrCat("unknown critical extension in ", where));
    }
  }
  return absl::OkStatus();
}

// RFC 6960 4.2.2.2: the CA itself, or a responder the CA issued directly with id-kp-OCSPSigning.
absl::Status AuthorizeSigner(X509* signer, const Certificate& issuer, absl::Time now) {
  if (X509_cmp(signer, issuer.x509()) == 0) return absl::OkStatus();
  if (X509_check_issued(issuer.x509(), signer) != X509_V_OK ||
      X509_verify(signer, issuer.public_key()) != 1) {
    DrainOpenSslErrors();
    return absl::PermissionDeniedError(
        "the response is signed by a certificate the CA did not issue");
  }
  if ((X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) == 0 ||
      (X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN) == 0) {
    return absl::PermissionDeniedError("the responder certificate lacks id-kp-OCSPSigning");
  }
  if (now < Asn1TimeToAbsl(X509_get0_notBefore(signer)) ||
      now > Asn1TimeToAbsl(X509_get0_notAfter(signer))) {
    return absl::PermissionDeniedError("the responder certificate is not valid now");
  }
  return absl::OkStatus();
}

bool SameCertificate(const OCSP_CERTID* id, const Certificate& cert, const Certificate& issuer) {
  ASN1_OBJECT* md_oid = nullptr;
  if (OCSP_id_get0_info(nullptr, &md_oid, nullptr, nullptr, const_cast<OCSP_CERTID*>(id)) != 1) {
    return false;
  }
  const EVP_MD* md = EVP_get_digestbyobj(md_oid);
  if (md == nullptr) return false;
  OcspCertIdPtr ours(OCSP_cert_to_id(md, cert.x509(), issuer.x509()));
  return ours && OCSP_id_cmp(ours.get(), id) == 0;
}

}  // namespace

absl::string_view CrlReasonName(int reason) {
  switch (reason) {
    case OCSP_REVOKED_STATUS_UNSPECIFIED:
      return "unspecified";
    case OCSP_REVOKED_STATUS_KEYCOMPROMISE:
      return "keyCompromise";
    case OCSP_REVOKED_STATUS_CACOMPROMISE:
      return "cACompromise";
    case OCSP_REVOKED_STATUS_AFFILIATIONCHANGED:
      return "affiliationChanged";
    case OCSP_REVOKED_STATUS_SUPERSEDED:
      return "superseded";
    case OCSP_REVOKED_STATUS_CESSATIONOFOPERATION:
      return "cessationOfOperation";
    case OCSP_REVOKED_STATUS_CERTIFICATEHOLD:
      return "certificateHold";
    case OCSP_REVOKED_STATUS_REMOVEFROMCRL:
      return "removeFromCRL";
    case 9:
      return "privilegeWithdrawn";
    case 10:
      return "aACompromise";
    default:
      return "";
  }
}

absl::StatusOr<std::string> BuildOcspRequest(const Certificate& cert, const Certificate& issuer,
                                             const OcspRequestOptions& options) {
  OcspRequestPtr request(OCSP_REQUEST_new());
  OcspCertIdPtr id(OCSP_cert_to_id(FetchedMd(options.cert_id_hash), cert.x509(), issuer.x509()));
  if (!request || !id)
    return OpenSslError("cannot build an OCSP CertID", absl::StatusCode::kInternal);
  if (OCSP_request_add0_id(request.get(), id.get()) == nullptr) {
    return OpenSslError("cannot add the CertID", absl::StatusCode::kInternal);
  }
  id.release();  // owned by the request now
  if (options.nonce && OCSP_request_add1_nonce(request.get(), nullptr, -1) != 1) {
    return OpenSslError("cannot add a nonce", absl::StatusCode::kInternal);
  }
  unsigned char* der = nullptr;
  const int len = i2d_OCSP_REQUEST(request.get(), &der);
  if (len <= 0) return OpenSslError("cannot encode the OCSP request", absl::StatusCode::kInternal);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

absl::StatusOr<RevocationReport> CheckOcspResponse(absl::string_view der, const Certificate& cert,
                                                   const Certificate& issuer,
                                                   const OcspCheckOptions& options) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* const end = p + der.size();
  OcspResponsePtr response(
      d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));  // NOLINT
  if (!response || p != end) {
    DrainOpenSslErrors();
    return absl::InvalidArgumentError("not a DER OCSPResponse");
  }
  const int response_status = OCSP_response_status(response.get());
  if (response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    // tryLater, internalError, unauthorized, ...: unsigned, so never evidence.
    return absl::UnavailableError(
        absl::StrCat("OCSP responder answered ", OCSP_response_status_str(response_status)));
  }
  OcspBasicRespPtr basic(OCSP_response_get1_basic(response.get()));
  if (!basic) return OpenSslError("the OCSP response is not a BasicOCSPResponse");

  // The signature, with whichever certificate signed it; who may sign is checked next.
  OwningX509Stack extra = MakeOwningX509Stack();
  X509_up_ref(issuer.x509());
  sk_X509_push(extra.get(), issuer.x509());
  X509* signer = nullptr;  // borrowed from the response or `extra`
  if (OCSP_resp_get0_signer(basic.get(), &signer, extra.get()) != 1 || signer == nullptr) {
    return absl::PermissionDeniedError("the OCSP response's signer is not identified");
  }
  if (OCSP_basic_verify(basic.get(), extra.get(), nullptr, OCSP_NOVERIFY | OCSP_NOCHECKS) != 1) {
    return OpenSslError("the OCSP response signature does not verify",
                        absl::StatusCode::kPermissionDenied);
  }
  if (absl::Status s = AuthorizeSigner(signer, issuer, options.now); !s.ok()) return s;
  if (absl::Status s = CheckCriticalExtensions(
          [&] { return OCSP_BASICRESP_get_ext_count(basic.get()); },
          [&](int i) { return OCSP_BASICRESP_get_ext(basic.get(), i); }, "the response");
      !s.ok()) {
    return s;
  }

  RevocationReport evidence;
  evidence.source = RevocationSourceKind::kOcsp;
  evidence.produced_at = Asn1TimeToAbsl(OCSP_resp_get0_produced_at(basic.get()));
  bool found = false;
  for (int i = 0; i < OCSP_resp_count(basic.get()); ++i) {
    OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), i);
    if (!SameCertificate(OCSP_SINGLERESP_get0_id(single), cert, issuer)) continue;
    if (absl::Status s = CheckCriticalExtensions(
            [&] { return OCSP_SINGLERESP_get_ext_count(single); },
            [&](int k) { return OCSP_SINGLERESP_get_ext(single, k); }, "a single response");
        !s.ok()) {
      return s;
    }
    int reason = -1;
    ASN1_GENERALIZEDTIME* revoked_at = nullptr;
    ASN1_GENERALIZEDTIME* this_update = nullptr;
    ASN1_GENERALIZEDTIME* next_update = nullptr;
    const int status =
        OCSP_single_get0_status(single, &reason, &revoked_at, &this_update, &next_update);
    const absl::Time this_time = Asn1TimeToAbsl(this_update);
    if (this_update == nullptr || this_time > options.now + options.clock_skew) {
      return absl::FailedPreconditionError("the OCSP response's thisUpdate is in the future");
    }
    const absl::Time expires = next_update != nullptr
                                   ? Asn1TimeToAbsl(next_update)
                                   : this_time + options.max_age_without_next_update;
    if (expires < options.now - options.clock_skew) {
      return absl::FailedPreconditionError("the OCSP response is stale (nextUpdate passed)");
    }
    RevocationReport single_evidence = evidence;
    single_evidence.this_update = this_time;
    single_evidence.next_update = expires;
    if (status == V_OCSP_CERTSTATUS_GOOD) {
      single_evidence.status = RevocationStatus::kGood;
    } else if (status == V_OCSP_CERTSTATUS_REVOKED) {
      single_evidence.status = RevocationStatus::kRevoked;
      single_evidence.revocation_time = Asn1TimeToAbsl(revoked_at);
      single_evidence.revocation_reason = std::string(CrlReasonName(reason));
    } else {
      single_evidence.status = RevocationStatus::kUnknown;
    }
    if (!found || Rank(single_evidence.status) > Rank(evidence.status)) {
      evidence = single_evidence;
    }
    found = true;
  }
  if (!found) return absl::NotFoundError("the OCSP response says nothing about this certificate");
  return evidence;
}

}  // namespace kyso::revocation
