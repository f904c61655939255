#include "tests/unit/ocsp_fixtures.h"

#include <openssl/pem.h>

#include "gtest/gtest.h"
#include "tests/support/test_data.h"

namespace kyso::testing {

CertificatePtr Cert(const std::string& name) {
  auto certs = Certificate::ParseAll(ReadFileOrDie(PkiDir() + "/certs/" + name + ".pem"));
  EXPECT_TRUE(certs.ok()) << name << ": " << certs.status();
  return certs.ok() ? certs->front() : nullptr;
}

EvpPkeyPtr Key(const std::string& name) {
  BioPtr bio(BIO_new_file((PkiDir() + "/keys/" + name + ".key").c_str(), "r"));
  return EvpPkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string BuildResponse(const ResponseSpec& spec) {
  CertificatePtr issuer = Cert(spec.issuer);
  CertificatePtr about = Cert(spec.about);
  CertificatePtr signer = Cert(spec.signer);
  EvpPkeyPtr key = Key(spec.signer);
  OcspBasicRespPtr basic(OCSP_BASICRESP_new());
  Asn1TimePtr this_update(ASN1_GENERALIZEDTIME_set(nullptr, absl::ToTimeT(spec.this_update)));
  Asn1TimePtr next_update(spec.next_update
                              ? ASN1_GENERALIZEDTIME_set(nullptr, absl::ToTimeT(*spec.next_update))
                              : nullptr);
  Asn1TimePtr revoked_at(ASN1_GENERALIZEDTIME_set(nullptr, absl::ToTimeT(spec.revoked_at)));
  OcspCertIdPtr id(OCSP_cert_to_id(EVP_sha1(), about->x509(), issuer->x509()));
  EXPECT_NE(OCSP_basic_add1_status(basic.get(), id.get(), spec.cert_status,
                                   OCSP_REVOKED_STATUS_KEYCOMPROMISE, revoked_at.get(),
                                   this_update.get(), next_update.get()),
            nullptr);
  if (spec.add_second_revoked_answer) {
    OCSP_basic_add1_status(basic.get(), id.get(), V_OCSP_CERTSTATUS_REVOKED,
                           OCSP_REVOKED_STATUS_SUPERSEDED, revoked_at.get(), this_update.get(),
                           next_update.get());
  }
  if (spec.critical_unknown_extension) {
    Asn1ObjectPtr oid(OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1));
    ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(value, reinterpret_cast<const unsigned char*>("\x05\x00"), 2);
    X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 1, value);
    OCSP_BASICRESP_add_ext(basic.get(), ext, -1);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(value);
  }
  // A CA-signed response carries no certificate (the verifier has the issuer); a delegated
  // responder's must carry the responder certificate.
  const unsigned long flags = spec.signer == spec.issuer ? OCSP_NOCERTS : 0;  // NOLINT
  EXPECT_EQ(OCSP_basic_sign(basic.get(), signer->x509(), key.get(), EVP_sha256(), nullptr, flags),
            1);
  OcspResponsePtr response(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  unsigned char* der = nullptr;
  const int len = i2d_OCSP_RESPONSE(response.get(), &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string BuildStatusResponse(int status) {
  OcspResponsePtr response(OCSP_response_create(status, nullptr));
  unsigned char* der = nullptr;
  const int len = i2d_OCSP_RESPONSE(response.get(), &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace kyso::testing
