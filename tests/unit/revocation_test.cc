// Revocation checking building blocks (crypto/revocation/): OCSP requests answered by a real
// `openssl ocsp` responder on loopback, OCSP responses built here to inject each fault, and the
// CRLs `openssl ca -gencrl` made for the test PKI.
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "crypto/certificate.h"
#include "crypto/openssl_ptr.h"
#include "crypto/revocation/crl.h"
#include "crypto/revocation/ocsp.h"
#include "gtest/gtest.h"
#include "tests/support/ocsp_responder.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"
#include "tests/unit/ocsp_fixtures.h"

namespace kyso::revocation {
namespace {

using ::kyso::testing::OcspResponder;
using ::kyso::testing::OcspResponderOptions;
using ::kyso::testing::PkiDir;
using ::kyso::testing::ReadFileOrDie;
using ::kyso::testing::RunCommand;

using ::kyso::testing::BuildResponse;
using ::kyso::testing::BuildStatusResponse;
using ::kyso::testing::Cert;
using ::kyso::testing::Key;
using ::kyso::testing::ResponseSpec;
const absl::Time kNow = ::kyso::testing::kPinnedNow;

void WriteFile(const std::string& path, const std::string& data) {
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(data.data(), 1, data.size(), f);
  std::fclose(f);
}

// --- A real responder. ---

class RealResponderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OcspResponderOptions options;
    options.index_file = PkiDir() + "/ca/ca-public/index.txt";
    options.ca_cert = PkiDir() + "/certs/ca-public.pem";
    options.responder_cert = PkiDir() + "/certs/ocsp-public.pem";
    options.responder_key = PkiDir() + "/keys/ocsp-public.key";
    auto responder = OcspResponder::Start(options);
    ASSERT_TRUE(responder.ok()) << responder.status();
    responder_ = *std::move(responder);
  }

  // POSTs the request with curl, as any OCSP client would (RFC 6960 appendix A).
  std::string Ask(const std::string& request) {
    // Unique per test process: ctest runs tests of this binary in parallel.
    const std::string stem =
        absl::StrCat(::testing::TempDir(), "/ocsp-", ::getpid(), "-",
                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    const std::string req = stem + "-request.der";
    const std::string resp = stem + "-response.der";
    WriteFile(req, request);
    auto result = RunCommand({"curl", "-sS", "--max-time", "10", "-H",
                              "Content-Type: application/ocsp-request", "--data-binary", "@" + req,
                              "-o", resp, responder_->url()});
    EXPECT_TRUE(result.ok() && result->exit_code == 0)
        << (result.ok() ? result->stderr_text : result.status().ToString());
    return ReadFileOrDie(resp);
  }

  std::unique_ptr<OcspResponder> responder_;
};

TEST_F(RealResponderTest, GoodFromADelegatedResponder) {
  CertificatePtr cert = Cert("signer-rsa2048");
  CertificatePtr issuer = Cert("ca-public");
  auto request = BuildOcspRequest(*cert, *issuer, {});
  ASSERT_TRUE(request.ok()) << request.status();
  // The responder answers at the real clock: judge freshness now, not at the pinned time.
  auto evidence = CheckOcspResponse(Ask(*request), *cert, *issuer, {absl::Now()});
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->status, RevocationStatus::kGood);
  EXPECT_EQ(evidence->source, RevocationSourceKind::kOcsp);
  EXPECT_TRUE(evidence->produced_at.has_value());
  EXPECT_TRUE(evidence->next_update.has_value());
}

TEST_F(RealResponderTest, RevokedWithTimeAndReason) {
  CertificatePtr cert = Cert("signer-revoked");
  CertificatePtr issuer = Cert("ca-public");
  auto evidence =
      CheckOcspResponse(Ask(*BuildOcspRequest(*cert, *issuer, {})), *cert, *issuer, {absl::Now()});
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->status, RevocationStatus::kRevoked);
  EXPECT_EQ(evidence->revocation_reason, "keyCompromise");
  EXPECT_EQ(evidence->revocation_time, absl::FromUnixSeconds(1756684800));  // 2025-09-01
}

TEST_F(RealResponderTest, Sha256CertIdAndNonce) {
  CertificatePtr cert = Cert("signer-rsa2048");
  CertificatePtr issuer = Cert("ca-public");
  auto request = BuildOcspRequest(*cert, *issuer, {true, DigestAlgorithm::kSha256});
  ASSERT_TRUE(request.ok());
  auto evidence = CheckOcspResponse(Ask(*request), *cert, *issuer, {absl::Now()});
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->status, RevocationStatus::kGood);
}

TEST_F(RealResponderTest, UnknownForACertificateTheCaNeverRecorded) {
  // A certificate ca-public's key signed outside `openssl ca`: the responder's index does not
  // know its serial, so it answers "unknown", which is never good.
  CertificatePtr issuer = Cert("ca-public");
  EvpPkeyPtr ca_key = Key("ca-public");
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr x509(X509_new());
  X509_set_version(x509.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), 0xDEAD);
  X509_set_issuer_name(x509.get(), X509_get_subject_name(issuer->x509()));
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x509.get()), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Unrecorded"), -1, -1, 0);
  X509_gmtime_adj(X509_getm_notBefore(x509.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x509.get()), 3600);
  X509_set_pubkey(x509.get(), key.get());
  ASSERT_GT(X509_sign(x509.get(), ca_key.get(), EVP_sha256()), 0);
  unsigned char* der = nullptr;
  const int len = i2d_X509(x509.get(), &der);
  auto cert = Certificate::Parse(absl::string_view(reinterpret_cast<char*>(der), len));
  OPENSSL_free(der);
  ASSERT_TRUE(cert.ok()) << cert.status();
  auto evidence = CheckOcspResponse(Ask(*BuildOcspRequest(**cert, *issuer, {})), **cert, *issuer,
                                    {absl::Now()});
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->status, RevocationStatus::kUnknown);
}

TEST_F(RealResponderTest, AnswerAboutAnotherCertificateIsNotEvidence) {
  CertificatePtr asked = Cert("signer-cmnd");
  CertificatePtr cert = Cert("signer-rsa2048");
  CertificatePtr issuer = Cert("ca-public");
  auto evidence =
      CheckOcspResponse(Ask(*BuildOcspRequest(*asked, *issuer, {})), *cert, *issuer, {absl::Now()});
  EXPECT_EQ(evidence.status().code(), absl::StatusCode::kNotFound) << evidence.status();
}

// --- Responses built here, one fault each. ---

absl::StatusOr<RevocationReport> Check(const std::string& response) {
  return CheckOcspResponse(response, *Cert("signer-rsa2048"), *Cert("ca-public"), {kNow});
}

TEST(OcspResponse, SignedByTheCaItselfIsEvidence) {
  auto evidence = Check(BuildResponse({}));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->status, RevocationStatus::kGood);
}

TEST(OcspResponse, UnknownIsReportedAsUnknownNotGood) {
  ResponseSpec spec;
  spec.cert_status = V_OCSP_CERTSTATUS_UNKNOWN;
  auto evidence = Check(BuildResponse(spec));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->status, RevocationStatus::kUnknown);
}

TEST(OcspResponse, SeveralAnswersTheWorstWins) {
  ResponseSpec spec;
  spec.add_second_revoked_answer = true;
  auto evidence = Check(BuildResponse(spec));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->status, RevocationStatus::kRevoked);
  EXPECT_EQ(evidence->revocation_reason, "superseded");
}

TEST(OcspResponse, StaleNextUpdateIsRefused) {
  ResponseSpec spec;
  spec.this_update = kNow - absl::Hours(72);
  spec.next_update = kNow - absl::Hours(48);
  EXPECT_EQ(Check(BuildResponse(spec)).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(OcspResponse, FutureThisUpdateIsRefused) {
  ResponseSpec spec;
  spec.this_update = kNow + absl::Hours(2);
  EXPECT_EQ(Check(BuildResponse(spec)).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(OcspResponse, WithoutNextUpdateAMaximumAgeApplies) {
  ResponseSpec fresh;
  fresh.next_update = std::nullopt;
  fresh.this_update = kNow - absl::Minutes(10);
  EXPECT_TRUE(Check(BuildResponse(fresh)).ok());
  ResponseSpec old = fresh;
  old.this_update = kNow - absl::Hours(3);
  EXPECT_EQ(Check(BuildResponse(old)).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(OcspResponse, SignerWithoutOcspSigningIsRefused) {
  // signer-cmnd is issued by ca-public but has no id-kp-OCSPSigning.
  ResponseSpec spec;
  spec.signer = "signer-cmnd";
  EXPECT_EQ(Check(BuildResponse(spec)).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(OcspResponse, ResponderOfAnotherCaIsRefused) {
  // ocsp-ministry has id-kp-OCSPSigning, but ca-ministry issued it, not ca-public.
  ResponseSpec spec;
  spec.signer = "ocsp-ministry";
  EXPECT_EQ(Check(BuildResponse(spec)).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(OcspResponse, AnswerForAnotherSerialIsNotEvidence) {
  ResponseSpec spec;
  spec.about = "signer-cmnd";
  EXPECT_EQ(Check(BuildResponse(spec)).status().code(), absl::StatusCode::kNotFound);
}

TEST(OcspResponse, UnknownCriticalExtensionIsRefused) {
  ResponseSpec spec;
  spec.critical_unknown_extension = true;
  EXPECT_EQ(Check(BuildResponse(spec)).status().code(), absl::StatusCode::kUnimplemented);
}

TEST(OcspResponse, TryLaterAndGarbageAreNotEvidence) {
  EXPECT_EQ(Check(BuildStatusResponse(OCSP_RESPONSE_STATUS_TRYLATER)).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(Check("not an OCSP response").status().code(), absl::StatusCode::kInvalidArgument);
  std::string truncated = BuildResponse({});
  truncated.resize(truncated.size() / 2);
  EXPECT_FALSE(Check(truncated).ok());
  std::string tampered = BuildResponse({});
  tampered[tampered.size() - 5] ^= 1;  // inside the signature (no certificates follow it)
  EXPECT_FALSE(Check(tampered).ok());
}

// --- CRLs. ---

TEST(Crl, RevokedAndGoodFromTheCasCrl) {
  CertificatePtr issuer = Cert("ca-public");
  for (const char* file : {"/crl/ca-public.crl.pem", "/crl/ca-public.crl.der"}) {
    auto crl = Crl::ParseAndVerify(ReadFileOrDie(PkiDir() + file), *issuer);
    ASSERT_TRUE(crl.ok()) << file << ": " << crl.status();
    auto revoked = (*crl)->StatusOf(*Cert("signer-revoked"), kNow);
    ASSERT_TRUE(revoked.ok());
    EXPECT_EQ(revoked->status, RevocationStatus::kRevoked);
    EXPECT_EQ(revoked->revocation_reason, "keyCompromise");
    EXPECT_EQ(revoked->source, RevocationSourceKind::kCrl);
    auto good = (*crl)->StatusOf(*Cert("signer-rsa2048"), kNow);
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(good->status, RevocationStatus::kGood);
  }
}

TEST(Crl, WrongIssuerOrWrongKeyIsRefused) {
  const std::string pem = ReadFileOrDie(PkiDir() + "/crl/ca-public.crl.pem");
  EXPECT_EQ(Crl::ParseAndVerify(pem, *Cert("ca-ministry")).status().code(),
            absl::StatusCode::kPermissionDenied);
  // The same CRL re-signed with another CA's key: the issuer name still says ca-public.
  auto decoded = Crl::Decode(pem);
  ASSERT_TRUE(decoded.ok());
  EvpPkeyPtr other = Key("ca-ministry");
  ASSERT_GT(X509_CRL_sign(decoded->get(), other.get(), EVP_sha256()), 0);
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(decoded->get(), &der);
  const std::string forged(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  EXPECT_EQ(Crl::ParseAndVerify(forged, *Cert("ca-public")).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(Crl, StaleCrlIsNotEvidence) {
  auto crl =
      Crl::ParseAndVerify(ReadFileOrDie(PkiDir() + "/crl/ca-public.crl.pem"), *Cert("ca-public"));
  ASSERT_TRUE(crl.ok());
  EXPECT_EQ(
      (*crl)->StatusOf(*Cert("signer-rsa2048"), absl::FromUnixSeconds(1924992000)).status().code(),
      absl::StatusCode::kFailedPrecondition);  // 2031-01-01, after nextUpdate
}

TEST(Crl, GarbageIsRefused) {
  EXPECT_FALSE(Crl::ParseAndVerify("garbage", *Cert("ca-public")).ok());
}

}  // namespace
}  // namespace kyso::revocation
