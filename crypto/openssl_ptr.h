// One owning pointer alias per OpenSSL type (after folly/ssl/OpenSSLPtrTypes.h).
//
// Rule: every object returned by a `new`, `get1`, `dup` or `d2i` function is owned on the line it
// is created, by one of these aliases. `get0` results are borrowed and never wrapped.
#ifndef KYSO_CRYPTO_OPENSSL_PTR_H_
#define KYSO_CRYPTO_OPENSSL_PTR_H_

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

namespace kyso {

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};

template <typename T, void (*Free)(T*)>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<T, Free>>;

using Asn1IntegerPtr = OpenSslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1ObjectPtr = OpenSslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using Asn1TimePtr = OpenSslPtr<ASN1_TIME, ASN1_TIME_free>;
using BignumPtr = OpenSslPtr<BIGNUM, BN_free>;
using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using EcdsaSigPtr = OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using CmsContentInfoPtr = OpenSslPtr<CMS_ContentInfo, CMS_ContentInfo_free>;
using OcspBasicRespPtr = OpenSslPtr<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using OcspCertIdPtr = OpenSslPtr<OCSP_CERTID, OCSP_CERTID_free>;
using OcspRequestPtr = OpenSslPtr<OCSP_REQUEST, OCSP_REQUEST_free>;
using OcspResponsePtr = OpenSslPtr<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using EvpMdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpMdPtr = OpenSslPtr<EVP_MD, EVP_MD_free>;
using EvpPkeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpPkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using X509CrlPtr = OpenSslPtr<X509_CRL, X509_CRL_free>;
using X509NamePtr = OpenSslPtr<X509_NAME, X509_NAME_free>;
using X509StorePtr = OpenSslPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = OpenSslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509VerifyParamPtr = OpenSslPtr<X509_VERIFY_PARAM, X509_VERIFY_PARAM_free>;

// STACK_OF(X509) has two ownership modes: an owning stack frees its elements, a borrowing stack
// only frees the stack itself. Which one a variable is must be visible in its type.
inline void FreeX509StackOwning(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
inline void FreeX509StackBorrowing(STACK_OF(X509) * s) { sk_X509_free(s); }
using OwningX509Stack = std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)>;
using BorrowingX509Stack = std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)>;

inline OwningX509Stack MakeOwningX509Stack() {
  return OwningX509Stack(sk_X509_new_null(), &FreeX509StackOwning);
}
inline BorrowingX509Stack MakeBorrowingX509Stack() {
  return BorrowingX509Stack(sk_X509_new_null(), &FreeX509StackBorrowing);
}

}  // namespace kyso

#endif  // KYSO_CRYPTO_OPENSSL_PTR_H_
