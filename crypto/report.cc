#include "crypto/report.h"

#include <algorithm>

namespace kyso {

absl::string_view ToString(Indication indication) {
  switch (indication) {
    case Indication::kTotalPassed:
      return "TOTAL_PASSED";
    case Indication::kIndeterminate:
      return "INDETERMINATE";
    case Indication::kTotalFailed:
      return "TOTAL_FAILED";
  }
  return "INDETERMINATE";
}

absl::string_view ToString(SubIndication sub_indication) {
  switch (sub_indication) {
    case SubIndication::kNone:
      return "";
    case SubIndication::kFormatFailure:
      return "FORMAT_FAILURE";
    case SubIndication::kHashFailure:
      return "HASH_FAILURE";
    case SubIndication::kSigCryptoFailure:
      return "SIG_CRYPTO_FAILURE";
    case SubIndication::kRevoked:
      return "REVOKED";
    case SubIndication::kSigConstraintsFailure:
      return "SIG_CONSTRAINTS_FAILURE";
    case SubIndication::kChainConstraintsFailure:
      return "CHAIN_CONSTRAINTS_FAILURE";
    case SubIndication::kCertificateChainGeneralFailure:
      return "CERTIFICATE_CHAIN_GENERAL_FAILURE";
    case SubIndication::kCryptoConstraintsFailureNoPoe:
      return "CRYPTO_CONSTRAINTS_FAILURE_NO_POE";
    case SubIndication::kSignedDataNotFound:
      return "SIGNED_DATA_NOT_FOUND";
    case SubIndication::kNoSigningCertificateFound:
      return "NO_SIGNING_CERTIFICATE_FOUND";
    case SubIndication::kNoCertificateChainFound:
      return "NO_CERTIFICATE_CHAIN_FOUND";
    case SubIndication::kRevokedNoPoe:
      return "REVOKED_NO_POE";
    case SubIndication::kRevokedCaNoPoe:
      return "REVOKED_CA_NO_POE";
    case SubIndication::kOutOfBoundsNoPoe:
      return "OUT_OF_BOUNDS_NO_POE";
    case SubIndication::kOutOfBoundsNotRevoked:
      return "OUT_OF_BOUNDS_NOT_REVOKED";
    case SubIndication::kTryLater:
      return "TRY_LATER";
  }
  return "";
}

absl::string_view ToString(RevocationStatus status) {
  switch (status) {
    case RevocationStatus::kNotChecked:
      return "not_checked";
    case RevocationStatus::kGood:
      return "good";
    case RevocationStatus::kRevoked:
      return "revoked";
    case RevocationStatus::kUnknown:
      return "unknown";
    case RevocationStatus::kUnavailable:
      return "unavailable";
  }
  return "not_checked";
}

absl::string_view ToString(RevocationSourceKind kind) {
  switch (kind) {
    case RevocationSourceKind::kNone:
      return "";
    case RevocationSourceKind::kOcsp:
      return "ocsp";
    case RevocationSourceKind::kCrl:
      return "crl";
  }
  return "";
}

Verdict Worst(const Verdict& a, const Verdict& b) {
  return static_cast<int>(b.indication) > static_cast<int>(a.indication) ? b : a;
}

void DocumentReport::Summarize() {
  if (signatures.empty()) {
    if (verdict.passed()) verdict = Verdict::Fail(SubIndication::kFormatFailure);
    return;
  }
  Verdict worst = Verdict::Pass();
  for (const SignatureReport& s : signatures) {
    worst = Worst(worst, s.verdict);
    stage_times += s.stage_times;
  }
  verdict = Worst(verdict, worst);
}

}  // namespace kyso
