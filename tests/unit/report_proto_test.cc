#include "service/report_proto.h"

#include "crypto/verifier.h"
#include "gtest/gtest.h"
#include "tests/support/test_data.h"
#include "tests/unit/verifier_fixture.h"

namespace kyso {
namespace {

using ::kyso::testing::DemoContext;
using ::kyso::testing::DocsDir;
using ::kyso::testing::ReadFileOrDie;
using ::kyso::testing::XmlDir;

TEST(ReportProto, EnumNamesAreTheEtsiNames) {
  // The proto's enum value names are the report's strings, so clients of both forms agree.
  for (int i = 0; i <= static_cast<int>(SubIndication::kTryLater); ++i) {
    const auto sub = static_cast<SubIndication>(i);
    if (sub == SubIndication::kNone) {
      EXPECT_EQ(ToProto(sub), v1::SUB_INDICATION_UNSPECIFIED);
      continue;
    }
    EXPECT_EQ(v1::SubIndication_Name(ToProto(sub)), ToString(sub));
  }
  for (Indication i :
       {Indication::kTotalPassed, Indication::kIndeterminate, Indication::kTotalFailed}) {
    EXPECT_EQ(v1::Indication_Name(ToProto(i)), ToString(i));
  }
}

TEST(ReportProto, CmsReportCarriesEverything) {
  Verifier verifier;
  const DocumentReport report = verifier.VerifyDocument(
      ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"), std::nullopt, DemoContext());
  v1::DocumentResult result;
  ToProto(report, &result);
  EXPECT_EQ(result.format(), v1::CMS);
  EXPECT_EQ(result.indication(), v1::TOTAL_PASSED);
  EXPECT_EQ(result.document_sha256(), report.document_sha256);
  ASSERT_EQ(result.signatures_size(), 1);
  const v1::SignatureResult& s = result.signatures(0);
  EXPECT_EQ(s.signer().identifiers().at("MST"), "0101234567");
  EXPECT_EQ(s.chain_size(), 3);
  EXPECT_EQ(s.trust_anchor(), report.signatures[0].trust_anchor);
  EXPECT_EQ(s.revocation().status(), v1::NOT_CHECKED);
  EXPECT_FALSE(s.revocation().has_next_update());  // absent, not the epoch
  EXPECT_GT(s.signing_time().seconds(), 0);
  EXPECT_FALSE(s.has_document_root_covered());
  ASSERT_GT(s.messages_size(), 0);
  EXPECT_FALSE(s.messages(0).vi().empty());
  // Survives the wire.
  v1::DocumentResult parsed;
  ASSERT_TRUE(parsed.ParseFromString(result.SerializeAsString()));
  EXPECT_EQ(parsed.SerializeAsString(), result.SerializeAsString());
}

TEST(ReportProto, XmlReportCarriesSignedReferences) {
  Verifier verifier;
  const DocumentReport report = verifier.VerifyDocument(
      ReadFileOrDie(XmlDir() + "/einvoice-valid.xml"), std::nullopt, DemoContext());
  v1::DocumentResult result;
  ToProto(report, &result);
  EXPECT_EQ(result.format(), v1::XML);
  ASSERT_EQ(result.signatures_size(), 2);
  const v1::SignatureResult& seller = result.signatures(0);
  EXPECT_EQ(seller.id(), "seller");
  ASSERT_GT(seller.signed_references_size(), 0);
  EXPECT_EQ(seller.signed_references(0).node_path(), "/HDon/DLHDon");
  EXPECT_TRUE(seller.signed_references(0).matched());
  ASSERT_TRUE(seller.has_document_root_covered());
  EXPECT_FALSE(seller.document_root_covered());
}

TEST(ReportProto, CertificateReport) {
  Verifier verifier;
  const CertificateReport report = verifier.ValidateCertificate(
      ReadFileOrDie(::kyso::testing::PkiDir() + "/certs/signer-expired.pem"), DemoContext());
  v1::ValidateCertificateResponse response;
  ToProto(report, &response);
  EXPECT_EQ(response.indication(), v1::INDETERMINATE);
  EXPECT_EQ(response.sub_indication(), v1::OUT_OF_BOUNDS_NO_POE);
  EXPECT_FALSE(response.certificate().subject().empty());
}

}  // namespace
}  // namespace kyso
