// The verification report: ETSI EN 319 102-1 indications and sub-indications, per signature and per
// document, plus who signed, which anchor the chain ends at, and plain-language messages.
//
// A report is data, never an error: a forged signature is a TOTAL_FAILED report returned with an OK
// status. The JSON form (service/report_json.cc) and the protobuf form mirror these structs.
#ifndef KYSO_CRYPTO_REPORT_H_
#define KYSO_CRYPTO_REPORT_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crypto/messages.h"
#include "crypto/stage_times.h"

namespace kyso {

// ETSI EN 319 102-1 section 5.1.3, Table 4 (main indications). Numeric order is severity order so
// that "worst wins" is a max().
enum class Indication { kTotalPassed = 0, kIndeterminate = 1, kTotalFailed = 2 };

// ETSI EN 319 102-1 Table 5 (sub-indications) plus kNone for a passed result.
enum class SubIndication {
  kNone,
  // TOTAL_FAILED
  kFormatFailure,
  kHashFailure,
  kSigCryptoFailure,
  kRevoked,
  // INDETERMINATE
  kSigConstraintsFailure,
  kChainConstraintsFailure,
  kCertificateChainGeneralFailure,
  kCryptoConstraintsFailureNoPoe,
  kSignedDataNotFound,
  kNoSigningCertificateFound,
  kNoCertificateChainFound,
  kRevokedNoPoe,
  kRevokedCaNoPoe,
  kOutOfBoundsNoPoe,
  kOutOfBoundsNotRevoked,
  kTryLater,
};

absl::string_view ToString(Indication indication);
absl::string_view ToString(SubIndication sub_indication);

// An identity code lifted from a certificate subject: {"MST", "0101234567"}.
using Identifier = std::pair<std::string, std::string>;

struct SignerIdentity {
  std::string subject;  // RFC 2253 order, UTF-8
  std::string issuer;
  std::string serial;              // hex, as in the certificate
  std::string certificate_sha256;  // hex fingerprint of the DER certificate
  std::vector<Identifier> identifiers;
};

enum class RevocationStatus { kNotChecked, kGood, kRevoked, kUnknown, kUnavailable };
enum class RevocationSourceKind { kNone, kOcsp, kCrl };

absl::string_view ToString(RevocationStatus status);    // "not_checked" | "good" | "revoked" | ...
absl::string_view ToString(RevocationSourceKind kind);  // "" | "ocsp" | "crl"

// Revocation evidence for one certificate: what an OCSP response or a CRL said, and when.
struct RevocationReport {
  RevocationStatus status = RevocationStatus::kNotChecked;
  RevocationSourceKind source = RevocationSourceKind::kNone;
  std::string url;  // where it was fetched from, or the CRL file
  bool from_cache = false;
  std::optional<absl::Time> produced_at;  // OCSP producedAt
  std::optional<absl::Time> this_update;
  std::optional<absl::Time> next_update;
  std::optional<absl::Time> revocation_time;
  std::string revocation_reason;  // RFC 5280 CRLReason name ("keyCompromise"), when revoked
};

// The outcome of one check, as a pair: main indication + sub-indication.
struct Verdict {
  Indication indication = Indication::kTotalPassed;
  SubIndication sub_indication = SubIndication::kNone;

  bool passed() const { return indication == Indication::kTotalPassed; }
  static Verdict Pass() { return {}; }
  static Verdict Fail(SubIndication sub) { return {Indication::kTotalFailed, sub}; }
  static Verdict Indeterminate(SubIndication sub) { return {Indication::kIndeterminate, sub}; }
};

// The worse of two verdicts (TOTAL_FAILED > INDETERMINATE > TOTAL_PASSED); on a tie the first.
Verdict Worst(const Verdict& a, const Verdict& b);

// One ds:Reference of an XML signature: what it points at and whether its digest matched. The
// node path lets a procedure system check that its business element is the one signed (the defence
// against XML signature wrapping).
struct SignedReference {
  std::string uri;
  std::string type;              // the Reference's Type attribute, if any
  std::string node_path;         // "/HDon/DLHDon"; "/" for the whole document; "" when detached
  std::string digest_algorithm;  // "sha256"
  bool matched = false;
};

struct SignatureReport {
  std::string format;  // "cms" | "cades" | "xmldsig" | "xades"
  std::string id;      // the ds:Signature Id attribute (XML), if any
  Verdict verdict;
  std::optional<SignerIdentity> signer;
  std::string trust_anchor;                // subject of the anchor the chain ends at; empty if none
  std::vector<std::string> chain;          // subjects, signer first, anchor last
  std::optional<absl::Time> signing_time;  // claimed by the signer, never proof of time
  std::string digest_algorithm;            // "sha256"
  std::string signature_algorithm;         // "rsa-pkcs1-v1_5" | "rsa-pss" | "ecdsa"
  RevocationReport revocation;
  std::vector<SignedReference> signed_references;  // XML only
  std::optional<bool> document_root_covered;       // XML only: a matched reference covers the root
  std::vector<Message> messages;
  StageTimes stage_times;  // not serialized; summed into the document's by Summarize()
};

struct DocumentReport {
  std::string file;
  std::string format;  // "cms" | "xml" | "unknown"
  std::string document_sha256;
  Verdict verdict;
  std::vector<SignatureReport> signatures;
  std::vector<Message> messages;
  StageTimes stage_times;  // not serialized: for latency metrics

  // Sets the document verdict from its signatures: the worst of them, and TOTAL_FAILED /
  // FORMAT_FAILURE for a document with no signature (DESIGN.md, report contract). Adds the
  // signatures' stage times to the document's.
  void Summarize();
};

// `kyso validate-cert`: the same shape as a signature, without the signature.
struct CertificateReport {
  std::string file;
  Verdict verdict;
  std::optional<SignerIdentity> subject;
  std::string trust_anchor;
  std::vector<std::string> chain;
  RevocationReport revocation;
  std::vector<Message> messages;
};

}  // namespace kyso

#endif  // KYSO_CRYPTO_REPORT_H_
