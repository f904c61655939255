#include "crypto/xml/xmldsig_algorithms.h"

#include <openssl/ecdsa.h>

#include "absl/strings/str_cat.h"
#include "crypto/openssl_ptr.h"

namespace kyso::xml {
namespace {

using D = DigestAlgorithm;
using S = SignatureScheme;

struct DigestEntry {
  absl::string_view uri;
  D digest;
};
constexpr DigestEntry kDigests[] = {
    {"http://www.w3.org/2000/09/xmldsig#sha1", D::kSha1},
    {"http://www.w3.org/2001/04/xmldsig-more#sha224", D::kSha224},
    {"http://www.w3.org/2001/04/xmlenc#sha256", D::kSha256},
    {"http://www.w3.org/2001/04/xmldsig-more#sha384", D::kSha384},
    {"http://www.w3.org/2001/04/xmlenc#sha512", D::kSha512},
};

struct SignatureEntry {
  absl::string_view uri;
  S scheme;
  D digest;
};
constexpr SignatureEntry kSignatures[] = {
    {"http://www.w3.org/2000/09/xmldsig#rsa-sha1", S::kRsaPkcs1v15, D::kSha1},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha224", S::kRsaPkcs1v15, D::kSha224},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", S::kRsaPkcs1v15, D::kSha256},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", S::kRsaPkcs1v15, D::kSha384},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", S::kRsaPkcs1v15, D::kSha512},
    // RFC 9231 2.3.10: RSASSA-PSS with MGF1 over the same hash, salt length = hash length,
    // trailer field 1.
    {"http://www.w3.org/2007/05/xmldsig-more#sha1-rsa-MGF1", S::kRsaPss, D::kSha1},
    {"http://www.w3.org/2007/05/xmldsig-more#sha224-rsa-MGF1", S::kRsaPss, D::kSha224},
    {"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1", S::kRsaPss, D::kSha256},
    {"http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1", S::kRsaPss, D::kSha384},
    {"http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1", S::kRsaPss, D::kSha512},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1", S::kEcdsa, D::kSha1},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224", S::kEcdsa, D::kSha224},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", S::kEcdsa, D::kSha256},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", S::kEcdsa, D::kSha384},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", S::kEcdsa, D::kSha512},
};

}  // namespace

std::optional<DigestAlgorithm> DigestFromUri(absl::string_view uri) {
  for (const DigestEntry& e : kDigests) {
    if (e.uri == uri) return e.digest;
  }
  return std::nullopt;
}

absl::StatusOr<SignatureAlgorithm> SignatureFromUri(absl::string_view uri) {
  for (const SignatureEntry& e : kSignatures) {
    if (e.uri != uri) continue;
    SignatureAlgorithm alg{e.scheme, e.digest, e.digest, 0};
    if (e.scheme == S::kRsaPss) alg.salt_length = EVP_MD_get_size(FetchedMd(e.digest));
    return alg;
  }
  return absl::UnimplementedError(absl::StrCat("signature method ", uri));
}

absl::StatusOr<std::string> EcdsaRawToDer(absl::string_view raw, EVP_PKEY* key) {
  const int bits = EVP_PKEY_get_bits(key);  // the group order's size for EC keys
  const size_t half = static_cast<size_t>((bits + 7) / 8);
  if (bits <= 0 || raw.size() != 2 * half) {
    return absl::InvalidArgumentError(
        absl::StrCat("ECDSA value of ", raw.size(), " bytes, expected ", 2 * half));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  BignumPtr r(BN_bin2bn(p, static_cast<int>(half), nullptr));
  BignumPtr s(BN_bin2bn(p + half, static_cast<int>(half), nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!sig || !r || !s) return absl::InternalError("cannot allocate an ECDSA signature");
  ECDSA_SIG_set0(sig.get(), r.release(), s.release());  // takes ownership of r and s
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return absl::InternalError("cannot encode an ECDSA signature");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace kyso::xml
