// The CMS verification table: every fixture document from tests/pki/make-documents.sh, with the
// indication AND sub-indication its MANIFEST.tsv promises, plus the cases that need a document
// built in code (content-type mismatch, ESS mismatch, BER) or a different trust setup.
#include <openssl/cms.h>
#include <openssl/ess.h>
#include <openssl/pem.h>

#include "crypto/openssl_ptr.h"
#include "crypto/verifier.h"
#include "gtest/gtest.h"
#include "service/trust_loader.h"
#include "tests/support/test_data.h"
#include "tests/unit/verifier_fixture.h"

namespace kyso {
namespace {

using ::kyso::testing::DemoContext;
using ::kyso::testing::DocsDir;
using ::kyso::testing::ManifestRow;
using ::kyso::testing::PkiDir;
using ::kyso::testing::ReadFileOrDie;
using ::kyso::testing::ReadManifest;
using ::kyso::testing::VerdictString;

bool HasCode(const std::vector<Message>& messages, absl::string_view code) {
  for (const Message& m : messages) {
    if (m.code == code) return true;
  }
  return false;
}

class ManifestTest : public ::testing::TestWithParam<ManifestRow> {};

TEST_P(ManifestTest, GivesDocumentedIndicationAndSubIndication) {
  const ManifestRow& row = GetParam();
  Verifier verifier;
  const std::string bytes = ReadFileOrDie(DocsDir() + "/" + row.file);
  std::optional<std::string> content;
  if (row.file == "valid-detached.p7s") content = ReadFileOrDie(DocsDir() + "/dossier.txt");
  const DocumentReport report = verifier.VerifyDocument(
      bytes, content ? std::optional<absl::string_view>(*content) : std::nullopt, DemoContext());
  std::string messages;
  for (const auto& s : report.signatures)
    for (const auto& m : s.messages) messages += m.code + " ";
  for (const auto& m : report.messages) messages += m.code + " ";
  EXPECT_EQ(VerdictString(report.verdict), row.expected)
      << row.file << " (" << row.description << "): " << messages;
}

std::string RowName(const ::testing::TestParamInfo<ManifestRow>& info) {
  std::string name;
  for (char c : info.param.file) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ManifestTest, ::testing::ValuesIn(ReadManifest()), RowName);

TEST(CmsVerifier, ManifestCoversTheIssueTable) {
  // The documents the CMS issue names must all be in the table above.
  std::vector<std::string> files;
  for (const auto& r : ReadManifest()) files.push_back(r.file);
  for (const char* f : {"valid-rsa2048.p7s",
                        "valid-rsa3072.p7s",
                        "valid-p256.p7s",
                        "valid-rsa2048.pem.p7s",
                        "valid-pss.p7s",
                        "tampered-content.p7s",
                        "tampered-signature.p7s",
                        "untrusted.p7s",
                        "expired.p7s",
                        "notyetvalid.p7s",
                        "nokeyusage.p7s",
                        "under-notca.p7s",
                        "rsa1024.p7s",
                        "sha1.p7s",
                        "two-signers-one-untrusted.p7s",
                        "empty.p7s",
                        "random.p7s",
                        "truncated.p7s",
                        "trailing-garbage.p7s",
                        "enveloped.p7m"}) {
    EXPECT_NE(std::find(files.begin(), files.end(), f), files.end()) << f;
  }
}

// --- Cases that need another setup than the table. ---

TEST(CmsVerifier, StageTimesAccountForEachStage) {
  Verifier verifier;
  VerificationContext ctx = DemoContext();
  const DocumentReport report =
      verifier.VerifyDocument(ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"), std::nullopt, ctx);
  ASSERT_EQ(report.signatures.size(), 1u);
  const StageTimes& doc = report.stage_times;
  EXPECT_GT(doc.parse, absl::ZeroDuration());
  EXPECT_GT(doc.signature, absl::ZeroDuration());
  EXPECT_GT(doc.chain, absl::ZeroDuration());
  // The demo context checks no revocation, so no time goes there.
  EXPECT_EQ(doc.revocation, absl::ZeroDuration());
  // The document's figures are its signatures' summed, not counted twice.
  EXPECT_EQ(doc.signature, report.signatures[0].stage_times.signature);
  EXPECT_EQ(doc.chain, report.signatures[0].stage_times.chain);
}

TEST(CmsVerifier, DetachedWithoutContentIsSignedDataNotFound) {
  Verifier verifier;
  const DocumentReport report = verifier.VerifyDocument(
      ReadFileOrDie(DocsDir() + "/valid-detached.p7s"), std::nullopt, DemoContext());
  EXPECT_EQ(VerdictString(report.verdict), "INDETERMINATE/SIGNED_DATA_NOT_FOUND");
}

TEST(CmsVerifier, DetachedWithOtherContentIsHashFailure) {
  // The message-digest mismatch case: the signature over the attributes is intact, the content
  // is not the one signed.
  Verifier verifier;
  const std::string other = ReadFileOrDie(DocsDir() + "/other.txt");
  const DocumentReport report = verifier.VerifyDocument(
      ReadFileOrDie(DocsDir() + "/valid-detached.p7s"), other, DemoContext());
  EXPECT_EQ(VerdictString(report.verdict), "TOTAL_FAILED/HASH_FAILURE");
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(HasCode(report.signatures[0].messages, "signature.message_digest_mismatch"));
}

TEST(CmsVerifier, MissingIntermediateIsNoCertificateChainFound) {
  // valid-leaf-only.p7s carries only the signer; without the intermediates pool no path exists.
  Verifier verifier;
  const DocumentReport report =
      verifier.VerifyDocument(ReadFileOrDie(DocsDir() + "/valid-leaf-only.p7s"), std::nullopt,
                              DemoContext(/*with_intermediates=*/false));
  EXPECT_EQ(VerdictString(report.verdict), "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND");
}

TEST(CmsVerifier, SignerCertificateSuppliedSeparatelyIsFound) {
  // valid-no-certs.p7s embeds no certificate; kyso finds the signer among configured certificates.
  auto trust =
      LoadTrustStore({PkiDir() + "/anchors"},
                     {PkiDir() + "/intermediates", PkiDir() + "/certs/signer-rsa2048.pem"}, 2);
  ASSERT_TRUE(trust.ok()) << trust.status();
  VerificationContext ctx = DemoContext();
  ctx.trust = *trust;
  Verifier verifier;
  const DocumentReport report =
      verifier.VerifyDocument(ReadFileOrDie(DocsDir() + "/valid-no-certs.p7s"), std::nullopt, ctx);
  EXPECT_EQ(VerdictString(report.verdict), "TOTAL_PASSED");
}

TEST(CmsVerifier, ReportsSignerIdentityChainAndAnchor) {
  Verifier verifier;
  const DocumentReport report = verifier.VerifyDocument(
      ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"), std::nullopt, DemoContext());
  ASSERT_EQ(report.signatures.size(), 1u);
  const SignatureReport& s = report.signatures[0];
  ASSERT_TRUE(s.signer.has_value());
  EXPECT_NE(s.signer->subject.find("CN=Công ty TNHH Thương mại Demo"), std::string::npos);
  ASSERT_EQ(s.signer->identifiers.size(), 1u);
  EXPECT_EQ(s.signer->identifiers[0], Identifier("MST", "0101234567"));
  EXPECT_EQ(s.chain.size(), 3u);
  EXPECT_NE(s.trust_anchor.find("Vietnam National Root CA (Demo)"), std::string::npos);
  EXPECT_EQ(s.chain.back(), s.trust_anchor);
  EXPECT_EQ(s.digest_algorithm, "sha256");
  EXPECT_EQ(s.signature_algorithm, "rsa-pkcs1-v1_5");
  EXPECT_TRUE(s.signing_time.has_value());
  EXPECT_EQ(s.revocation.status, RevocationStatus::kNotChecked);
  EXPECT_EQ(report.document_sha256.size(), 64u);
}

TEST(CmsVerifier, TwoSignersAreReportedEachOnTheirOwn) {
  Verifier verifier;
  const DocumentReport report = verifier.VerifyDocument(
      ReadFileOrDie(DocsDir() + "/two-signers-one-untrusted.p7s"), std::nullopt, DemoContext());
  ASSERT_EQ(report.signatures.size(), 2u);
  std::vector<std::string> verdicts = {VerdictString(report.signatures[0].verdict),
                                       VerdictString(report.signatures[1].verdict)};
  std::sort(verdicts.begin(), verdicts.end());
  EXPECT_EQ(verdicts[0], "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND");
  EXPECT_EQ(verdicts[1], "TOTAL_PASSED");
}

TEST(CmsVerifier, SecondVerificationHitsTheChainCache) {
  Verifier verifier;
  const std::string bytes = ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s");
  const VerificationContext ctx = DemoContext();
  verifier.VerifyDocument(bytes, std::nullopt, ctx);
  const uint64_t misses = verifier.chains().misses();
  // Another validation time inside the certificates' validity reuses the verdict.
  VerificationContext later = ctx;
  later.validation_time += absl::Hours(24 * 30);
  const DocumentReport report = verifier.VerifyDocument(bytes, std::nullopt, later);
  EXPECT_EQ(VerdictString(report.verdict), "TOTAL_PASSED");
  EXPECT_EQ(verifier.chains().misses(), misses);
  EXPECT_GE(verifier.chains().hits(), 1u);
  // After the signer's notAfter (2030-06-01) the cached "passed" must not be reused.
  VerificationContext expired = ctx;
  expired.validation_time = absl::FromUnixSeconds(1956528000);  // 2032-01-01
  const DocumentReport after = verifier.VerifyDocument(bytes, std::nullopt, expired);
  EXPECT_EQ(VerdictString(after.verdict), "INDETERMINATE/OUT_OF_BOUNDS_NO_POE");
}

// --- Documents built in code, where the openssl CLI cannot produce the defect. ---

struct Signer {
  X509Ptr cert;
  EvpPkeyPtr key;
  OwningX509Stack chain = MakeOwningX509Stack();
};

Signer LoadSigner(const std::string& name) {
  Signer s;
  BioPtr cert_bio(BIO_new_file((PkiDir() + "/certs/" + name + ".pem").c_str(), "r"));
  s.cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  BioPtr key_bio(BIO_new_file((PkiDir() + "/keys/" + name + ".key").c_str(), "r"));
  s.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  BioPtr chain_bio(BIO_new_file((PkiDir() + "/intermediates/ca-public.pem").c_str(), "r"));
  sk_X509_push(s.chain.get(), PEM_read_bio_X509(chain_bio.get(), nullptr, nullptr, nullptr));
  EXPECT_TRUE(s.cert && s.key);
  return s;
}

std::string ToDer(CMS_ContentInfo* cms) {
  unsigned char* out = nullptr;
  const int len = i2d_CMS_ContentInfo(cms, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);
  return der;
}

const std::string kContent = "Hồ sơ thủ tục hành chính: đơn đề nghị cấp giấy phép.";

TEST(CmsVerifier, ContentTypeAttributeMismatchIsFormatFailure) {
  // The signed content-type says id-data; eContentType is changed afterwards. The signature stays
  // valid (it covers the attributes), which OpenSSL's CMS_verify accepts; RFC 5652 11.1 does not.
  Signer s = LoadSigner("signer-rsa2048");
  BioPtr data(BIO_new_mem_buf(kContent.data(), static_cast<int>(kContent.size())));
  CmsContentInfoPtr cms(CMS_sign(s.cert.get(), s.key.get(), s.chain.get(), data.get(), CMS_BINARY));
  ASSERT_TRUE(cms);
  ASSERT_EQ(CMS_set1_eContentType(cms.get(), OBJ_nid2obj(NID_id_smime_ct_TSTInfo)), 1);
  Verifier verifier;
  const DocumentReport report =
      verifier.VerifyDocument(ToDer(cms.get()), std::nullopt, DemoContext());
  EXPECT_EQ(VerdictString(report.verdict), "TOTAL_FAILED/FORMAT_FAILURE");
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(HasCode(report.signatures[0].messages, "signature.content_type_mismatch"));
}

std::string SignWithEssFor(const Signer& s, X509* named) {
  BioPtr data(BIO_new_mem_buf(kContent.data(), static_cast<int>(kContent.size())));
  CmsContentInfoPtr cms(
      CMS_sign(nullptr, nullptr, s.chain.get(), nullptr, CMS_BINARY | CMS_PARTIAL));
  CMS_SignerInfo* si =
      CMS_add1_signer(cms.get(), s.cert.get(), s.key.get(), EVP_sha256(), CMS_BINARY | CMS_PARTIAL);
  EXPECT_NE(si, nullptr);
  ESS_SIGNING_CERT_V2* ess =
      OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), named, nullptr, /*set_issuer_serial=*/1);
  unsigned char* der = nullptr;
  const int len = i2d_ESS_SIGNING_CERT_V2(ess, &der);
  ESS_SIGNING_CERT_V2_free(ess);
  EXPECT_EQ(CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE,
                                        der, len),
            1);
  OPENSSL_free(der);
  EXPECT_EQ(CMS_final(cms.get(), data.get(), nullptr, CMS_BINARY), 1);
  return ToDer(cms.get());
}

TEST(CmsVerifier, SigningCertificateV2NamingTheSignerPasses) {
  Signer s = LoadSigner("signer-rsa2048");
  Verifier verifier;
  const DocumentReport report =
      verifier.VerifyDocument(SignWithEssFor(s, s.cert.get()), std::nullopt, DemoContext());
  EXPECT_EQ(VerdictString(report.verdict), "TOTAL_PASSED");
  for (const auto& m : report.signatures.at(0).messages) {
    EXPECT_NE(m.code, "signature.signing_certificate_absent");
  }
}

TEST(CmsVerifier, SigningCertificateV2NamingAnotherCertificateIsNoSigningCertificateFound) {
  Signer s = LoadSigner("signer-rsa2048");
  Signer other = LoadSigner("signer-cmnd");
  Verifier verifier;
  const DocumentReport report =
      verifier.VerifyDocument(SignWithEssFor(s, other.cert.get()), std::nullopt, DemoContext());
  EXPECT_EQ(VerdictString(report.verdict), "INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND");
  EXPECT_TRUE(HasCode(report.signatures.at(0).messages, "signature.signing_certificate_mismatch"));
}

TEST(CmsVerifier, AbsentSigningCertificateIsAllowedAndNoted) {
  Verifier verifier;
  const DocumentReport report = verifier.VerifyDocument(
      ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"), std::nullopt, DemoContext());
  ASSERT_EQ(VerdictString(report.verdict), "TOTAL_PASSED");
  bool noted = false;
  for (const auto& m : report.signatures.at(0).messages) {
    noted = noted || m.code == "signature.signing_certificate_absent";
  }
  EXPECT_TRUE(noted);
}

TEST(CmsVerifier, BerIndefiniteLengthIsNormalisedAndVerified) {
  // CMS_STREAM output uses indefinite lengths and a constructed eContent: valid BER, not DER.
  Signer s = LoadSigner("signer-rsa2048");
  BioPtr data(BIO_new_mem_buf(kContent.data(), static_cast<int>(kContent.size())));
  CmsContentInfoPtr cms(
      CMS_sign(s.cert.get(), s.key.get(), s.chain.get(), data.get(), CMS_BINARY | CMS_STREAM));
  ASSERT_TRUE(cms);
  BioPtr out(BIO_new(BIO_s_mem()));
  BioPtr in(BIO_new_mem_buf(kContent.data(), static_cast<int>(kContent.size())));
  ASSERT_EQ(i2d_CMS_bio_stream(out.get(), cms.get(), in.get(), CMS_BINARY | CMS_STREAM), 1);
  char* p = nullptr;
  const long n = BIO_get_mem_data(out.get(), &p);  // NOLINT
  const std::string ber(p, static_cast<size_t>(n));
  ASSERT_EQ(static_cast<uint8_t>(ber[1]), 0x80) << "expected an indefinite length";
  Verifier verifier;
  const DocumentReport report = verifier.VerifyDocument(ber, std::nullopt, DemoContext());
  EXPECT_EQ(VerdictString(report.verdict), "TOTAL_PASSED");
  ASSERT_FALSE(report.messages.empty());
  EXPECT_TRUE(HasCode(report.messages, "cms.ber_normalized"));
  // Tampering with the BER content is still caught.
  std::string tampered = ber;
  tampered[tampered.find("giấy phép")] ^= 1;
  EXPECT_EQ(VerdictString(verifier.VerifyDocument(tampered, std::nullopt, DemoContext()).verdict),
            "TOTAL_FAILED/HASH_FAILURE");
}

TEST(CmsVerifier, PolicyAllowingSha1AcceptsSha1) {
  // The SHA-1 finding comes from policy, not from a hard-coded rule.
  VerificationContext ctx = DemoContext();
  ctx.policy.allowed_digests.push_back(DigestAlgorithm::kSha1);
  Verifier verifier;
  const DocumentReport report =
      verifier.VerifyDocument(ReadFileOrDie(DocsDir() + "/sha1.p7s"), std::nullopt, ctx);
  EXPECT_EQ(VerdictString(report.verdict), "TOTAL_PASSED");
}

TEST(CmsVerifier, ValidateCertificateUsesTheSameChainRules) {
  Verifier verifier;
  const VerificationContext ctx = DemoContext();
  struct Case {
    const char* cert;
    const char* expected;
  } cases[] = {
      {"signer-rsa2048", "TOTAL_PASSED"},
      {"signer-p256", "TOTAL_PASSED"},
      {"signer-expired", "INDETERMINATE/OUT_OF_BOUNDS_NO_POE"},
      {"signer-notyetvalid", "INDETERMINATE/OUT_OF_BOUNDS_NO_POE"},
      {"signer-nokeyusage", "INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE"},
      {"signer-under-notca", "INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE"},
      {"signer-rsa1024", "INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE"},
      {"signer-untrusted", "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"},
  };
  for (const Case& c : cases) {
    const CertificateReport r =
        verifier.ValidateCertificate(ReadFileOrDie(PkiDir() + "/certs/" + c.cert + ".pem"), ctx);
    EXPECT_EQ(VerdictString(r.verdict), c.expected) << c.cert;
  }
  const CertificateReport garbage = verifier.ValidateCertificate("not a certificate", ctx);
  EXPECT_EQ(VerdictString(garbage.verdict), "TOTAL_FAILED/FORMAT_FAILURE");
}

}  // namespace
}  // namespace kyso
