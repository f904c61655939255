// Certificate revocation lists (RFC 5280 section 5): decoded and verified against their issuer
// once, then looked up by serial number.
//
// Supported: complete CRLs signed directly by the certificate's issuer. Delta CRLs and indirect
// CRLs (RFC 5280 5.2.4, 5.2.5) are refused with kUnimplemented rather than half-understood.
//
// Thread-safety: immutable after ParseAndVerify(); safe to share.
#ifndef KYSO_CRYPTO_REVOCATION_CRL_H_
#define KYSO_CRYPTO_REVOCATION_CRL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crypto/certificate.h"
#include "crypto/openssl_ptr.h"
#include "crypto/report.h"

namespace kyso::revocation {

class Crl final {
 public:
  // Decodes a DER or PEM CRL. Not verified: use it to find the issuer, then ParseAndVerify.
  static absl::StatusOr<X509CrlPtr> Decode(absl::string_view der_or_pem);

  // Decodes `der_or_pem` and checks that `issuer` issued it: the CRL's issuer name is the
  // certificate's subject, the certificate may sign CRLs (cRLSign when keyUsage is present), and
  // the signature verifies with its key. kPermissionDenied when not; kUnimplemented for delta
  // and indirect CRLs; kInvalidArgument for garbage.
  static absl::StatusOr<std::shared_ptr<const Crl>> ParseAndVerify(absl::string_view der_or_pem,
                                                                   const Certificate& issuer);

  absl::Time this_update() const { return this_update_; }
  std::optional<absl::Time> next_update() const { return next_update_; }
  const std::string& issuer_sha256() const { return issuer_sha256_; }

  // The evidence this CRL gives about `cert` (which must be issued by this CRL's issuer): revoked
  // with time and reason, or good. kFailedPrecondition when the CRL is not current at `now`
  // (nextUpdate passed, or thisUpdate in the future beyond `clock_skew`).
  absl::StatusOr<RevocationReport> StatusOf(const Certificate& cert, absl::Time now,
                                            absl::Duration clock_skew = absl::Minutes(5)) const;

 private:
  Crl() = default;

  X509CrlPtr crl_;
  absl::Time this_update_;
  std::optional<absl::Time> next_update_;
  std::string issuer_sha256_;
};

}  // namespace kyso::revocation

#endif  // KYSO_CRYPTO_REVOCATION_CRL_H_
