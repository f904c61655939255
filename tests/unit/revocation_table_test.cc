// The CMS and XML tables again, with `--revocation require` semantics against live `openssl ocsp`
// responders for every CA of the test PKI (signers' issuers and, because the intermediates
// advertise OCSP, the roots too): every case gives its table result, except the revoked signer,
// which now fails as it should.
#include "absl/strings/str_cat.h"
#include "crypto/verifier.h"
#include "gtest/gtest.h"
#include "service/revocation/online_source.h"
#include "tests/support/ocsp_responder.h"
#include "tests/support/test_data.h"
#include "tests/unit/verifier_fixture.h"

namespace kyso {
namespace {

using ::kyso::testing::DemoContext;
using ::kyso::testing::DocsDir;
using ::kyso::testing::ManifestRow;
using ::kyso::testing::OcspResponder;
using ::kyso::testing::PkiDir;
using ::kyso::testing::ReadFileOrDie;
using ::kyso::testing::ReadManifest;
using ::kyso::testing::VerdictString;
using ::kyso::testing::XmlDir;

class RevocationTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // CA name in the PKI -> (CN the override is keyed by, responder certificate).
    const struct {
      const char* ca;
      const char* cn;
      const char* responder;
    } cas[] = {
        {"ca-public", "VNPT-CA Public (Demo)", "ocsp-public"},
        {"ca-ministry", "Ministry of Finance CA (Demo)", "ocsp-ministry"},
        {"ca-gov", "Government Specialized CA (Demo)", "ocsp-gov"},
        // The roots answer for the intermediates themselves (tests/pki/README.md).
        {"root-national", "Vietnam National Root CA (Demo)", "root-national"},
        {"root-gov", "Vietnam Government Root CA (Demo)", "root-gov"},
    };
    for (const auto& ca : cas) {
      ::kyso::testing::OcspResponderOptions options;
      options.index_file = PkiDir() + "/ca/" + ca.ca + "/index.txt";
      options.ca_cert = PkiDir() + "/certs/" + ca.ca + ".pem";
      options.responder_cert = PkiDir() + "/certs/" + ca.responder + ".pem";
      options.responder_key = PkiDir() + "/keys/" + ca.responder + ".key";
      auto responder = OcspResponder::Start(options);
      ASSERT_TRUE(responder.ok()) << ca.ca << ": " << responder.status();
      online_options_.ocsp_overrides[ca.cn] = (*responder)->url();
      responders_.push_back(*std::move(responder));
    }
    online_options_.crl_fallback = false;  // OCSP alone here; the fallback has its own tests
    source_ = std::make_unique<OnlineRevocationSource>(online_options_, nullptr);
    ctx_ = DemoContext();
    ctx_.policy.revocation = RevocationMode::kRequire;
    ctx_.revocation = source_.get();
    ctx_.now = absl::Now();  // the responders answer at the real clock
  }

  // The table's expectation, with the revocation issue's change: revoked signers fail.
  static std::string Expected(const ManifestRow& row) {
    if (row.file == "revoked.p7s" || row.file == "revoked.xml") {
      return "INDETERMINATE/REVOKED_NO_POE";
    }
    return row.expected;
  }

  std::vector<std::unique_ptr<OcspResponder>> responders_;
  OnlineSourceOptions online_options_;
  std::unique_ptr<OnlineRevocationSource> source_;
  VerificationContext ctx_;
};

TEST_F(RevocationTableTest, CmsTableUnderRequire) {
  Verifier verifier;
  const std::string dossier = ReadFileOrDie(DocsDir() + "/dossier.txt");
  int checked = 0;
  for (const ManifestRow& row : ReadManifest()) {
    std::optional<absl::string_view> content;
    if (row.file == "valid-detached.p7s") content = dossier;
    const DocumentReport report =
        verifier.VerifyDocument(ReadFileOrDie(DocsDir() + "/" + row.file), content, ctx_);
    EXPECT_EQ(VerdictString(report.verdict), Expected(row)) << row.file;
    for (const SignatureReport& s : report.signatures) {
      if (s.verdict.passed()) {
        EXPECT_EQ(s.revocation.status, RevocationStatus::kGood) << row.file;
        EXPECT_EQ(s.revocation.source, RevocationSourceKind::kOcsp) << row.file;
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 25);
  // Many documents, few signers: the cache did its job.
  EXPECT_GT(source_->cache_stats().memory_hits, 0u);
}

TEST_F(RevocationTableTest, XmlTableUnderRequire) {
  Verifier verifier;
  const std::string content = ReadFileOrDie(XmlDir() + "/detached-content.txt");
  const DetachedContent detached[] = {{"detached-content.txt", content}};
  for (const ManifestRow& row : ReadManifest(XmlDir())) {
    const DocumentReport report =
        verifier.VerifyDocument(ReadFileOrDie(XmlDir() + "/" + row.file), detached, ctx_);
    EXPECT_EQ(VerdictString(report.verdict), Expected(row)) << row.file;
  }
}

TEST_F(RevocationTableTest, ResponderDownIsTryLaterUnderRequireAndAWarningUnderPrefer) {
  responders_.clear();  // every responder stops
  OnlineSourceOptions options = online_options_;
  options.ocsp_timeout = absl::Seconds(1);
  OnlineRevocationSource cold(options, nullptr);
  ctx_.revocation = &cold;
  Verifier verifier;
  const std::string doc = ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s");
  EXPECT_EQ(VerdictString(verifier.VerifyDocument(doc, std::nullopt, ctx_).verdict),
            "INDETERMINATE/TRY_LATER");
  ctx_.policy.revocation = RevocationMode::kPrefer;
  const DocumentReport preferred = verifier.VerifyDocument(doc, std::nullopt, ctx_);
  EXPECT_EQ(VerdictString(preferred.verdict), "TOTAL_PASSED");
  EXPECT_EQ(preferred.signatures.at(0).revocation.status, RevocationStatus::kUnavailable);
}

}  // namespace
}  // namespace kyso
