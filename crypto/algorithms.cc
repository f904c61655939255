#include "crypto/algorithms.h"

#include <openssl/rsa.h>

#include <array>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "crypto/asn1/oids.h"
#include "crypto/openssl_error.h"
#include "crypto/openssl_ptr.h"
#include "crypto/status_macros.h"

namespace kyso {
namespace {

constexpr std::array<DigestAlgorithm, 5> kAllDigests = {
    DigestAlgorithm::kSha1, DigestAlgorithm::kSha224, DigestAlgorithm::kSha256,
    DigestAlgorithm::kSha384, DigestAlgorithm::kSha512};

const char* OpenSslName(DigestAlgorithm digest) {
  switch (digest) {
    case DigestAlgorithm::kSha1:
      return "SHA1";
    case DigestAlgorithm::kSha224:
      return "SHA2-224";
    case DigestAlgorithm::kSha256:
      return "SHA2-256";
    case DigestAlgorithm::kSha384:
      return "SHA2-384";
    case DigestAlgorithm::kSha512:
      return "SHA2-512";
  }
  return "SHA2-256";
}

struct FetchedDigests {
  std::array<EVP_MD*, kAllDigests.size()> md{};
  FetchedDigests() {
    for (DigestAlgorithm d : kAllDigests) {
      md[static_cast<size_t>(d)] = EVP_MD_fetch(nullptr, OpenSslName(d), nullptr);
    }
  }
};

bool IsRsaKey(EVP_PKEY* key) {
  const int id = EVP_PKEY_get_base_id(key);
  return id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS;
}

absl::Status Invalid(absl::string_view why) { return absl::InvalidArgumentError(why); }

}  // namespace

absl::string_view ToString(DigestAlgorithm digest) {
  switch (digest) {
    case DigestAlgorithm::kSha1:
      return "sha1";
    case DigestAlgorithm::kSha224:
      return "sha224";
    case DigestAlgorithm::kSha256:
      return "sha256";
    case DigestAlgorithm::kSha384:
      return "sha384";
    case DigestAlgorithm::kSha512:
      return "sha512";
  }
  return "sha256";
}

std::optional<DigestAlgorithm> DigestFromName(absl::string_view name) {
  for (DigestAlgorithm d : kAllDigests) {
    if (ToString(d) == name) return d;
  }
  return std::nullopt;
}

std::optional<DigestAlgorithm> DigestFromOid(absl::string_view oid) {
  if (oid == asn1::kOidSha1) return DigestAlgorithm::kSha1;
  if (oid == asn1::kOidSha224) return DigestAlgorithm::kSha224;
  if (oid == asn1::kOidSha256) return DigestAlgorithm::kSha256;
  if (oid == asn1::kOidSha384) return DigestAlgorithm::kSha384;
  if (oid == asn1::kOidSha512) return DigestAlgorithm::kSha512;
  return std::nullopt;
}

const EVP_MD* FetchedMd(DigestAlgorithm digest) {
  // Fetched on first use, kept for the life of the process (function-local statics are
  // initialised once, thread-safely).
  static const FetchedDigests* const fetched = new FetchedDigests();
  return fetched->md[static_cast<size_t>(digest)];
}

namespace {

// One digest context per algorithm and thread, re-initialised for each digest: EVP_Digest would
// allocate a context and its provider state and take a reference on the shared EVP_MD (an atomic
// on a cache line every core writes) three times per document.
// Thread-safety: thread-local, never shared.
class ThreadDigestContexts {
 public:
  ~ThreadDigestContexts() {
    for (EVP_MD_CTX* c : ctx_) EVP_MD_CTX_free(c);
  }
  EVP_MD_CTX* For(DigestAlgorithm digest) {
    EVP_MD_CTX*& c = ctx_[static_cast<size_t>(digest)];
    if (c == nullptr) c = EVP_MD_CTX_new();
    return c;
  }

 private:
  std::array<EVP_MD_CTX*, kAllDigests.size()> ctx_{};
};

}  // namespace

std::string Digest(DigestAlgorithm digest, absl::string_view data) {
  const EVP_MD* md = FetchedMd(digest);
  std::string out(static_cast<size_t>(EVP_MD_get_size(md)), '\0');
  unsigned int len = 0;
  thread_local ThreadDigestContexts contexts;
  EVP_MD_CTX* ctx = contexts.For(digest);
  if (ctx == nullptr || EVP_DigestInit_ex2(ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &len) != 1) {
    // Out of memory at worst; the one-shot path allocates its own and reports the same way.
    DrainOpenSslErrors();
    EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, md,
               nullptr);
  }
  out.resize(len);
  return out;
}

std::string HexEncode(absl::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

absl::string_view ToString(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::kRsaPkcs1v15:
      return "rsa-pkcs1-v1_5";
    case SignatureScheme::kRsaPss:
      return "rsa-pss";
    case SignatureScheme::kEcdsa:
      return "ecdsa";
  }
  return "rsa-pkcs1-v1_5";
}

absl::StatusOr<SignatureAlgorithm> ParsePssParameters(const asn1::AlgorithmIdentifier& alg) {
  // RSASSA-PSS-params ::= SEQUENCE {
  //     hashAlgorithm      [0] HashAlgorithm    DEFAULT sha1,
  //     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
  //     saltLength         [2] INTEGER          DEFAULT 20,
  //     trailerField       [3] TrailerField     DEFAULT trailerFieldBC }
  SignatureAlgorithm out{SignatureScheme::kRsaPss, DigestAlgorithm::kSha1, DigestAlgorithm::kSha1,
                         20};
  if (!alg.parameters.has_value() || alg.parameters->tag != asn1::kTagSequence) {
    return Invalid("RSASSA-PSS parameters missing");
  }
  asn1::DerReader r(alg.parameters->value);
  KYSO_ASSIGN_OR_RETURN(auto hash, r.Optional(asn1::ContextConstructed(0)));
  if (hash) {
    asn1::DerReader inner(hash->value);
    KYSO_ASSIGN_OR_RETURN(asn1::Tlv seq, inner.Expect(asn1::kTagSequence));
    KYSO_ASSIGN_OR_RETURN(asn1::AlgorithmIdentifier h, asn1::ParseAlgorithmIdentifier(seq));
    auto d = DigestFromOid(h.oid);
    if (!d) return absl::UnimplementedError("RSASSA-PSS hash algorithm not supported");
    out.digest = *d;
    out.mgf1_digest = *d;  // replaced below when maskGenAlgorithm is present
  }
  KYSO_ASSIGN_OR_RETURN(auto mgf, r.Optional(asn1::ContextConstructed(1)));
  if (mgf) {
    asn1::DerReader inner(mgf->value);
    KYSO_ASSIGN_OR_RETURN(asn1::Tlv seq, inner.Expect(asn1::kTagSequence));
    KYSO_ASSIGN_OR_RETURN(asn1::AlgorithmIdentifier m, asn1::ParseAlgorithmIdentifier(seq));
    if (m.oid != asn1::kOidMgf1 || !m.parameters || m.parameters->tag != asn1::kTagSequence) {
      return absl::UnimplementedError("RSASSA-PSS mask generation function not supported");
    }
    KYSO_ASSIGN_OR_RETURN(asn1::AlgorithmIdentifier mh,
                          asn1::ParseAlgorithmIdentifier(*m.parameters));
    auto d = DigestFromOid(mh.oid);
    if (!d) return absl::UnimplementedError("RSASSA-PSS MGF1 hash not supported");
    out.mgf1_digest = *d;
  } else if (!hash) {
    out.mgf1_digest = DigestAlgorithm::kSha1;
  }
  KYSO_ASSIGN_OR_RETURN(auto salt, r.Optional(asn1::ContextConstructed(2)));
  if (salt) {
    asn1::DerReader inner(salt->value);
    KYSO_ASSIGN_OR_RETURN(asn1::Tlv integer, inner.Expect(asn1::kTagInteger));
    KYSO_ASSIGN_OR_RETURN(int64_t n, asn1::ParseSmallInteger(integer));
    if (n < 0 || n > 1024) return Invalid("RSASSA-PSS salt length out of range");
    out.salt_length = static_cast<int>(n);
  }
  KYSO_ASSIGN_OR_RETURN(auto trailer, r.Optional(asn1::ContextConstructed(3)));
  if (trailer) {
    asn1::DerReader inner(trailer->value);
    KYSO_ASSIGN_OR_RETURN(asn1::Tlv integer, inner.Expect(asn1::kTagInteger));
    KYSO_ASSIGN_OR_RETURN(int64_t n, asn1::ParseSmallInteger(integer));
    if (n != 1) return Invalid("RSASSA-PSS trailer field must be 1 (RFC 4055 3.1)");
  }
  KYSO_RETURN_IF_ERROR(r.ExpectEnd("RSASSA-PSS-params"));
  return out;
}

absl::StatusOr<SignatureAlgorithm> ResolveCmsSignatureAlgorithm(
    const asn1::AlgorithmIdentifier& digest_algorithm,
    const asn1::AlgorithmIdentifier& signature_algorithm) {
  auto digest = DigestFromOid(digest_algorithm.oid);
  if (!digest) {
    return absl::UnimplementedError(
        absl::StrCat("digest algorithm ", asn1::OidToString(digest_algorithm.oid)));
  }
  // RFC 3370 2.1 / RFC 5754 2: digest parameters absent or NULL; RFC 3370 3.2 / RFC 5754 3.2:
  // RSA signature parameters NULL (absent is tolerated, as every verifier does); RFC 5758 3.2:
  // ECDSA parameters absent (NULL tolerated likewise). Anything else is not a valid SignerInfo.
  if (!asn1::ParametersAbsentOrNull(digest_algorithm)) {
    return Invalid("digest algorithm parameters must be absent or NULL");
  }
  const absl::string_view oid = signature_algorithm.oid;
  if (oid != asn1::kOidRsassaPss && !asn1::ParametersAbsentOrNull(signature_algorithm)) {
    return Invalid("signature algorithm parameters must be absent or NULL");
  }
  struct Combined {
    absl::string_view oid;
    SignatureScheme scheme;
    DigestAlgorithm digest;
  };
  static constexpr Combined kCombined[] = {
      {asn1::kOidSha1WithRsa, SignatureScheme::kRsaPkcs1v15, DigestAlgorithm::kSha1},
      {asn1::kOidSha224WithRsa, SignatureScheme::kRsaPkcs1v15, DigestAlgorithm::kSha224},
      {asn1::kOidSha256WithRsa, SignatureScheme::kRsaPkcs1v15, DigestAlgorithm::kSha256},
      {asn1::kOidSha384WithRsa, SignatureScheme::kRsaPkcs1v15, DigestAlgorithm::kSha384},
      {asn1::kOidSha512WithRsa, SignatureScheme::kRsaPkcs1v15, DigestAlgorithm::kSha512},
      {asn1::kOidEcdsaWithSha1, SignatureScheme::kEcdsa, DigestAlgorithm::kSha1},
      {asn1::kOidEcdsaWithSha224, SignatureScheme::kEcdsa, DigestAlgorithm::kSha224},
      {asn1::kOidEcdsaWithSha256, SignatureScheme::kEcdsa, DigestAlgorithm::kSha256},
      {asn1::kOidEcdsaWithSha384, SignatureScheme::kEcdsa, DigestAlgorithm::kSha384},
      {asn1::kOidEcdsaWithSha512, SignatureScheme::kEcdsa, DigestAlgorithm::kSha512},
  };
  if (oid == asn1::kOidRsaEncryption) {
    return SignatureAlgorithm{SignatureScheme::kRsaPkcs1v15, *digest, *digest, 0};
  }
  if (oid == asn1::kOidEcPublicKey) {
    return SignatureAlgorithm{SignatureScheme::kEcdsa, *digest, *digest, 0};
  }
  if (oid == asn1::kOidRsassaPss) {
    KYSO_ASSIGN_OR_RETURN(SignatureAlgorithm pss, ParsePssParameters(signature_algorithm));
    if (pss.digest != *digest) {
      return Invalid("RSASSA-PSS hash differs from the SignerInfo digest algorithm");
    }
    return pss;
  }
  for (const Combined& c : kCombined) {
    if (oid != c.oid) continue;
    // RFC 5652 5.4: the message digest and the signature use digestAlgorithm; a combined
    // identifier naming another hash is contradictory.
    if (c.digest != *digest) {
      return Invalid("signature algorithm names a different hash than the digest algorithm");
    }
    return SignatureAlgorithm{c.scheme, c.digest, c.digest, 0};
  }
  return absl::UnimplementedError(absl::StrCat("signature algorithm ", asn1::OidToString(oid)));
}

namespace {

absl::StatusOr<EvpPkeyCtxPtr> NewVerifyContext(EVP_PKEY* key, const SignatureAlgorithm& alg) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) <= 0) {
    return OpenSslError("cannot initialise signature verification");
  }
  if (EVP_PKEY_CTX_set_signature_md(ctx.get(), FetchedMd(alg.digest)) <= 0) {
    return OpenSslError("cannot set the signature digest");
  }
  if (alg.scheme == SignatureScheme::kRsaPkcs1v15) {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0) {
      return OpenSslError("cannot set PKCS#1 v1.5 padding");
    }
  } else if (alg.scheme == SignatureScheme::kRsaPss) {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), FetchedMd(alg.mgf1_digest)) <= 0 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), alg.salt_length) <= 0) {
      return OpenSslError("cannot set RSASSA-PSS parameters");
    }
  }
  return ctx;
}

// Verification contexts already set up, kept per thread.
//
// Why: in OpenSSL 3.0, EVP_PKEY_verify_init fetches the signature implementation and
// EVP_PKEY_CTX_set_signature_md fetches the digest again by name, both through the library's
// global method store (a read lock and shared reference counts on every call). Measured on the
// project's machine that is about 3 us per signature, a fifth of an RSA-2048 verify, and a lock
// every core takes for every document. A context once set up verifies any number of signatures
// (`openssl speed` reuses one the same way), so a thread keeps those it made.
// Key: the key's address and the algorithm parameters. The context holds a reference to its key,
// so no other key can be given that address while the entry lives.
// Bound: kMaxPreparedPerThread contexts per thread; when full, the set is dropped and refilled
// (the hot signers of a workload are few; recency bookkeeping would cost more than it saves).
// Thread-safety: thread-local, never shared.
struct PreparedKey {
  EVP_PKEY* key;
  SignatureScheme scheme;
  DigestAlgorithm digest;
  DigestAlgorithm mgf1_digest;
  int salt_length;

  bool operator==(const PreparedKey& o) const {
    return key == o.key && scheme == o.scheme && digest == o.digest &&
           mgf1_digest == o.mgf1_digest && salt_length == o.salt_length;
  }
  template <typename H>
  friend H AbslHashValue(H h, const PreparedKey& k) {
    return H::combine(std::move(h), k.key, k.scheme, k.digest, k.mgf1_digest, k.salt_length);
  }
};

constexpr size_t kMaxPreparedPerThread = 256;

absl::StatusOr<EVP_PKEY_CTX*> PreparedVerifyContext(EVP_PKEY* key, const SignatureAlgorithm& alg) {
  thread_local absl::flat_hash_map<PreparedKey, EvpPkeyCtxPtr> prepared;
  const bool pss = alg.scheme == SignatureScheme::kRsaPss;
  const PreparedKey k{key, alg.scheme, alg.digest, pss ? alg.mgf1_digest : alg.digest,
                      pss ? alg.salt_length : 0};
  auto it = prepared.find(k);
  if (it != prepared.end()) return it->second.get();
  KYSO_ASSIGN_OR_RETURN(EvpPkeyCtxPtr ctx, NewVerifyContext(key, alg));
  if (prepared.size() >= kMaxPreparedPerThread) prepared.clear();
  return prepared.emplace(k, std::move(ctx)).first->second.get();
}

}  // namespace

absl::Status VerifyDigestSignature(EVP_PKEY* key, const SignatureAlgorithm& alg,
                                   absl::string_view digest, absl::string_view signature) {
  if (key == nullptr) return Invalid("no public key");
  const bool rsa_scheme = alg.scheme != SignatureScheme::kEcdsa;
  if (rsa_scheme != IsRsaKey(key) || (!rsa_scheme && EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)) {
    return Invalid("the key type does not match the signature algorithm");
  }
  KYSO_ASSIGN_OR_RETURN(EVP_PKEY_CTX * ctx, PreparedVerifyContext(key, alg));
  const int rc = EVP_PKEY_verify(
      ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
  if (rc == 1) return absl::OkStatus();
  DrainOpenSslErrors();  // an invalid signature leaves errors behind; they are not news
  return Invalid("the signature value does not verify");
}

}  // namespace kyso
