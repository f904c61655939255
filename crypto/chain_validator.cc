#include "crypto/chain_validator.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "crypto/algorithms.h"
#include "crypto/openssl_error.h"

namespace kyso {
namespace {

struct ErrorMapping {
  Verdict verdict;
  MessageCode code;
};

// X509_verify_cert's error to an ETSI EN 319 102-1 result (section 5.2.6, "X.509 certificate
// validation" building block): path not found, time out of bounds, constraints, crypto.
ErrorMapping MapVerifyError(int error) {
  using V = Verdict;
  using S = SubIndication;
  using M = MessageCode;
  switch (error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return {V::Indeterminate(S::kNoCertificateChainFound), M::kChainNoPath};
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
      return {V::Indeterminate(S::kNoCertificateChainFound), M::kChainUntrustedRoot};
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return {V::Indeterminate(S::kOutOfBoundsNoPoe), M::kChainCertificateExpired};
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return {V::Indeterminate(S::kOutOfBoundsNoPoe), M::kChainCertificateNotYetValid};
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_INVALID_NON_CA:
      return {V::Indeterminate(S::kChainConstraintsFailure), M::kChainInvalidCa};
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED:
      return {V::Indeterminate(S::kChainConstraintsFailure), M::kChainPathLength};
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
    case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
      return {V::Indeterminate(S::kChainConstraintsFailure), M::kChainKeyUsage};
    case X509_V_ERR_INVALID_POLICY_EXTENSION:
    case X509_V_ERR_NO_EXPLICIT_POLICY:
      return {V::Indeterminate(S::kChainConstraintsFailure), M::kChainPolicy};
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
      return {V::Indeterminate(S::kChainConstraintsFailure), M::kChainCriticalExtension};
    case X509_V_ERR_PERMITTED_VIOLATION:
    case X509_V_ERR_EXCLUDED_VIOLATION:
    case X509_V_ERR_SUBTREE_MINMAX:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX:
    case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
      return {V::Indeterminate(S::kChainConstraintsFailure), M::kChainNameConstraints};
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
      return {V::Indeterminate(S::kCertificateChainGeneralFailure), M::kChainSignatureInvalid};
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_CA_MD_TOO_WEAK:
      return {V::Indeterminate(S::kCryptoConstraintsFailureNoPoe), M::kPolicyKeyTooSmall};
    // X509_V_FLAG_X509_STRICT profile checks (RFC 5280 requirements OpenSSL enforces only in
    // strict mode).
    case X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA:
    case X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN:
    case X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA:
    case X509_V_ERR_CA_BCONS_NOT_CRITICAL:
    case X509_V_ERR_CA_CERT_MISSING_KEY_USAGE:
    case X509_V_ERR_ISSUER_NAME_EMPTY:
    case X509_V_ERR_SUBJECT_NAME_EMPTY:
    case X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER:
    case X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER:
    case X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL:
    case X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL:
    case X509_V_ERR_EMPTY_SUBJECT_ALT_NAME:
    case X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL:
    case X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3:
    case X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH:
    case X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY:
    case X509_V_ERR_EC_KEY_EXPLICIT_PARAMS:
      return {V::Indeterminate(S::kChainConstraintsFailure), M::kChainGeneralFailure};
    default:
      return {V::Indeterminate(S::kCertificateChainGeneralFailure), M::kChainGeneralFailure};
  }
}

// The digest a certificate's signature uses, when it is one kyso knows.
std::optional<DigestAlgorithm> CertificateSignatureDigest(X509* x509) {
  int md_nid = NID_undef;
  if (X509_get_signature_info(x509, &md_nid, nullptr, nullptr, nullptr) != 1) return std::nullopt;
  switch (md_nid) {
    case NID_sha1:
      return DigestAlgorithm::kSha1;
    case NID_sha224:
      return DigestAlgorithm::kSha224;
    case NID_sha256:
      return DigestAlgorithm::kSha256;
    case NID_sha384:
      return DigestAlgorithm::kSha384;
    case NID_sha512:
      return DigestAlgorithm::kSha512;
    default:
      return std::nullopt;
  }
}

std::string CacheKey(const Certificate& leaf, absl::Span<const CertificatePtr> supplied,
                     const TrustStore& trust, const Policy& policy, LeafUsage usage) {
  std::vector<absl::string_view> fingerprints;
  fingerprints.reserve(supplied.size());
  for (const CertificatePtr& c : supplied) fingerprints.push_back(c->sha256());
  std::sort(fingerprints.begin(), fingerprints.end());
  fingerprints.erase(std::unique(fingerprints.begin(), fingerprints.end()), fingerprints.end());
  std::string joined;
  joined.reserve(fingerprints.size() * 32);
  for (absl::string_view f : fingerprints) joined.append(f.data(), f.size());
  // The supplied set verbatim, its size first so the key reads back one way: hashing it again
  // (SHA-256 per document on the warm path) bought nothing a map lookup needs.
  return absl::StrCat(leaf.sha256(), fingerprints.size(), ":", joined, "|", trust.generation(), "|",
                      policy.Fingerprint(), "|", usage == LeafUsage::kDocumentSigning ? "s" : "a");
}

void Fail(ChainResult* result, Verdict verdict, Message message) {
  result->verdict = Worst(result->verdict, verdict);
  result->messages.push_back(std::move(message));
}

}  // namespace

ChainResult ChainValidator::ValidateUncached(const CertificatePtr& leaf,
                                             absl::Span<const CertificatePtr> supplied,
                                             const TrustStore& trust, absl::Time at,
                                             const Policy& policy, LeafUsage usage) {
  ChainResult result;
  result.holds_from = at;
  result.holds_until = at;

  // Every X509 OpenSSL may put in the path belongs to one of our Certificates; map back by
  // pointer so the report can use the precomputed names.
  absl::flat_hash_map<const X509*, CertificatePtr> known;
  known[leaf->x509()] = leaf;
  BorrowingX509Stack untrusted = MakeBorrowingX509Stack();
  for (const auto* list : {&trust.intermediates()}) {
    for (const CertificatePtr& c : *list) {
      known.emplace(c->x509(), c);
      sk_X509_push(untrusted.get(), c->x509());
    }
  }
  for (const CertificatePtr& c : supplied) {
    if (known.emplace(c->x509(), c).second) sk_X509_push(untrusted.get(), c->x509());
  }
  for (const CertificatePtr& a : trust.anchors()) known.emplace(a->x509(), a);

  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), trust.store(), leaf->x509(), untrusted.get()) != 1) {
    Fail(&result, Verdict::Indeterminate(SubIndication::kCertificateChainGeneralFailure),
         MakeMessage(MessageCode::kChainGeneralFailure, DrainOpenSslErrors()));
    return result;
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, absl::ToTimeT(at));
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_POLICY_CHECK);
  X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_IGNORE_CRITICAL);
  // Key sizes and digests are judged below by the kyso policy, with kyso's own findings.
  X509_VERIFY_PARAM_set_auth_level(param, 0);

  const int ok = X509_verify_cert(ctx.get());
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());  // borrowed
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    auto it = known.find(sk_X509_value(chain, i));
    if (it != known.end()) result.path.push_back(it->second);
  }
  if (ok != 1) {
    result.openssl_error = X509_STORE_CTX_get_error(ctx.get());
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* culprit = X509_STORE_CTX_get_current_cert(ctx.get());
    std::string who = culprit != nullptr ? NameToString(X509_get_subject_name(culprit)) : "";
    const ErrorMapping mapping = MapVerifyError(result.openssl_error);
    Fail(&result, mapping.verdict,
         MakeMessage(mapping.code, absl::StrCat(X509_verify_cert_error_string(result.openssl_error),
                                                "; depth ", depth, who.empty() ? "" : "; ", who)));
    DrainOpenSslErrors();
    return result;
  }

  if (!result.path.empty() && trust.IsAnchor(*result.path.back())) {
    result.trust_anchor = result.path.back()->subject();
  }
  // The verdict holds while every certificate on the path is within its validity period.
  result.holds_from = absl::InfinitePast();
  result.holds_until = absl::InfiniteFuture();
  for (const CertificatePtr& c : result.path) {
    result.holds_from = std::max(result.holds_from, c->not_before());
    result.holds_until = std::min(result.holds_until, c->not_after());
  }

  // Policy: key sizes of every certificate, and the digests of every signature that the path
  // relies on (an anchor's self-signature is not relied on).
  for (size_t i = 0; i < result.path.size(); ++i) {
    const Certificate& c = *result.path[i];
    if (auto finding = policy.CheckKey(c.key(), c.subject())) {
      Fail(&result, Verdict::Indeterminate(SubIndication::kCryptoConstraintsFailureNoPoe),
           *std::move(finding));
    }
    if (trust.IsAnchor(c)) continue;
    auto digest = CertificateSignatureDigest(c.x509());
    if (!digest || !policy.DigestAllowed(*digest)) {
      Fail(&result, Verdict::Indeterminate(SubIndication::kCryptoConstraintsFailureNoPoe),
           MakeMessage(MessageCode::kPolicyDigestNotAllowed,
                       absl::StrCat(c.subject(), ": certificate signed with ",
                                    digest ? ToString(*digest) : "an unknown digest")));
    }
  }
  if (usage == LeafUsage::kDocumentSigning && !leaf->allows_document_signing()) {
    Fail(&result, Verdict::Indeterminate(SubIndication::kChainConstraintsFailure),
         MakeMessage(MessageCode::kSignerKeyUsage, leaf->subject()));
  }
  return result;
}

std::shared_ptr<const ChainResult> ChainValidator::Validate(
    const CertificatePtr& leaf, absl::Span<const CertificatePtr> supplied, const TrustStore& trust,
    absl::Time at, const Policy& policy, LeafUsage usage) {
  const std::string key = CacheKey(*leaf, supplied, trust, policy, usage);
  std::optional<Windows> windows = cache_.Get(key);
  if (windows) {
    for (const auto& r : *windows) {
      if (r->holds_from <= at && at <= r->holds_until) {
        hits_.fetch_add(1, std::memory_order_relaxed);
        return r;
      }
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  auto result = std::make_shared<const ChainResult>(
      ValidateUncached(leaf, supplied, trust, at, policy, usage));
  Windows updated = windows ? *std::move(windows) : Windows();
  if (updated.size() >= kWindowsPerKey) updated.erase(updated.begin());
  updated.push_back(result);
  cache_.Put(key, std::move(updated));
  return result;
}

}  // namespace kyso
