// Digest and signature algorithms kyso verifies, mapped from their ASN.1 identifiers, and the one
// place where OpenSSL is asked to check a signature value.
//
// Performance: OpenSSL 3 resolves algorithms through provider fetches, which take a global lock
// and cost microseconds when done implicitly per call (EVP_sha256() inside EVP_DigestInit). Each
// digest is fetched once per process here and reused.
#ifndef KYSO_CRYPTO_ALGORITHMS_H_
#define KYSO_CRYPTO_ALGORITHMS_H_

#include <openssl/evp.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/asn1/der_reader.h"

namespace kyso {

enum class DigestAlgorithm { kSha1, kSha224, kSha256, kSha384, kSha512 };

absl::string_view ToString(DigestAlgorithm digest);  // "sha256"
std::optional<DigestAlgorithm> DigestFromName(absl::string_view name);
std::optional<DigestAlgorithm> DigestFromOid(absl::string_view oid_der);

// The process-wide fetched implementation; never null, never freed.
const EVP_MD* FetchedMd(DigestAlgorithm digest);

// Hashes `data`; the result is raw bytes.
std::string Digest(DigestAlgorithm digest, absl::string_view data);

// Lower-case hex of raw bytes.
std::string HexEncode(absl::string_view bytes);

enum class SignatureScheme { kRsaPkcs1v15, kRsaPss, kEcdsa };

absl::string_view ToString(SignatureScheme scheme);  // "rsa-pkcs1-v1_5" | "rsa-pss" | "ecdsa"

struct SignatureAlgorithm {
  SignatureScheme scheme = SignatureScheme::kRsaPkcs1v15;
  DigestAlgorithm digest = DigestAlgorithm::kSha256;
  // RSASSA-PSS only (RFC 4055 section 3.1).
  DigestAlgorithm mgf1_digest = DigestAlgorithm::kSha256;
  int salt_length = 32;
};

// Resolves a CMS SignerInfo's (digestAlgorithm, signatureAlgorithm) pair (RFC 5652 5.3, RFC 5754,
// RFC 4056, RFC 5753). kUnimplemented for an algorithm kyso does not know; kInvalidArgument when
// the two identifiers contradict each other (sha256WithRSA with a SHA-384 digestAlgorithm).
absl::StatusOr<SignatureAlgorithm> ResolveCmsSignatureAlgorithm(
    const asn1::AlgorithmIdentifier& digest_algorithm,
    const asn1::AlgorithmIdentifier& signature_algorithm);

// Parses RSASSA-PSS-params (RFC 4055 section 3.1), applying the defaults.
absl::StatusOr<SignatureAlgorithm> ParsePssParameters(const asn1::AlgorithmIdentifier& alg);

// Checks `signature` over an already computed `digest` with `key`. OK means the signature is
// valid; kInvalidArgument that it is not (or that key and algorithm do not fit together).
absl::Status VerifyDigestSignature(EVP_PKEY* key, const SignatureAlgorithm& alg,
                                   absl::string_view digest, absl::string_view signature);

}  // namespace kyso

#endif  // KYSO_CRYPTO_ALGORITHMS_H_
