// Test PKI objects and OCSP responses built to order, shared by the revocation tests: each fault
// a responder can commit (stale, premature, wrong signer, wrong serial, unknown critical
// extension) as a DER OCSPResponse signed with the test PKI's keys.
#ifndef KYSO_TESTS_UNIT_OCSP_FIXTURES_H_
#define KYSO_TESTS_UNIT_OCSP_FIXTURES_H_

#include <openssl/ocsp.h>

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "crypto/certificate.h"
#include "crypto/openssl_ptr.h"

namespace kyso::testing {

// 2026-01-01T00:00:00Z, the tests' pinned time; the PKI's CRLs run 2025-12-01 to 2030-01-01.
inline const absl::Time kPinnedNow = absl::FromUnixSeconds(1767225600);

// certs/NAME.pem and keys/NAME.key of the test PKI.
CertificatePtr Cert(const std::string& name);
EvpPkeyPtr Key(const std::string& name);

struct ResponseSpec {
  int cert_status = V_OCSP_CERTSTATUS_GOOD;
  absl::Time this_update = kPinnedNow - absl::Hours(1);
  std::optional<absl::Time> next_update = kPinnedNow + absl::Hours(24);
  absl::Time revoked_at = kPinnedNow - absl::Hours(48);
  std::string signer = "ca-public";  // certificate and key names in the test PKI
  std::string issuer = "ca-public";
  std::string about = "signer-rsa2048";
  bool add_second_revoked_answer = false;
  bool critical_unknown_extension = false;
};

// A DER OCSPResponse (successful) as `spec` describes.
std::string BuildResponse(const ResponseSpec& spec);

// A DER OCSPResponse with a non-successful status and no body (tryLater, internalError, ...).
std::string BuildStatusResponse(int status);

}  // namespace kyso::testing

#endif  // KYSO_TESTS_UNIT_OCSP_FIXTURES_H_
