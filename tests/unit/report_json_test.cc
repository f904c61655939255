#include "service/report_json.h"

#include "gtest/gtest.h"

namespace kyso {
namespace {

TEST(ReportJson, DocumentHasTheContractShape) {
  DocumentReport report;
  report.file = "a.p7s";
  report.format = "cms";
  report.document_sha256 = std::string(64, 'a');
  SignatureReport s;
  s.verdict = Verdict::Indeterminate(SubIndication::kNoCertificateChainFound);
  s.signer = SignerIdentity{"CN=A,UID=MST:0101234567",
                            "CN=CA",
                            "1f",
                            std::string(64, 'b'),
                            {{"MST", "0101234567"}, {"MST", "0202020202"}}};
  s.chain = {"CN=A"};
  s.signing_time = absl::FromUnixSeconds(1751356800);  // 2025-07-01T08:00:00Z
  s.digest_algorithm = "sha256";
  s.signature_algorithm = "rsa-pkcs1-v1_5";
  s.messages.push_back(MakeMessage(MessageCode::kChainNoPath));
  report.signatures.push_back(s);
  report.Summarize();

  const nlohmann::json j = ToJson(report);
  EXPECT_EQ(j["file"], "a.p7s");
  EXPECT_EQ(j["format"], "cms");
  EXPECT_EQ(j["indication"], "INDETERMINATE");
  EXPECT_EQ(j["sub_indication"], "NO_CERTIFICATE_CHAIN_FOUND");
  const auto& sig = j["signatures"][0];
  EXPECT_EQ(sig["signer"]["identifiers"]["MST"], "0101234567");  // the first one wins
  EXPECT_EQ(sig["signer"]["serial"], "1f");
  EXPECT_EQ(sig["signing_time"], "2025-07-01T08:00:00Z");
  EXPECT_EQ(sig["revocation"]["status"], "not_checked");
  EXPECT_TRUE(sig["revocation"]["produced_at"].is_null());
  EXPECT_EQ(sig["messages"][0]["code"], "chain.no_path");
  EXPECT_FALSE(sig["messages"][0]["vi"].get<std::string>().empty());
  EXPECT_FALSE(sig["messages"][0]["en"].get<std::string>().empty());
  EXPECT_TRUE(j["messages"].is_array());
}

TEST(ReportJson, DocumentWithoutSignaturesIsFormatFailure) {
  DocumentReport report;
  report.Summarize();
  EXPECT_EQ(ToJson(report)["sub_indication"], "FORMAT_FAILURE");
  EXPECT_EQ(ToJson(report)["indication"], "TOTAL_FAILED");
}

TEST(ReportJson, WorstSignatureWins) {
  DocumentReport report;
  SignatureReport ok, indeterminate, failed;
  indeterminate.verdict = Verdict::Indeterminate(SubIndication::kOutOfBoundsNoPoe);
  failed.verdict = Verdict::Fail(SubIndication::kHashFailure);
  report.signatures = {ok, indeterminate, failed};
  report.Summarize();
  EXPECT_EQ(report.verdict.sub_indication, SubIndication::kHashFailure);
  report.signatures = {ok, indeterminate};
  report.verdict = Verdict::Pass();
  report.Summarize();
  EXPECT_EQ(report.verdict.sub_indication, SubIndication::kOutOfBoundsNoPoe);
}

TEST(Messages, EveryCodeHasBothLanguages) {
  for (int c = 0; c <= static_cast<int>(MessageCode::kRevocationNotChecked); ++c) {
    const Message m = MakeMessage(static_cast<MessageCode>(c));
    EXPECT_NE(m.code, "internal.unknown") << c;
    EXPECT_FALSE(m.en.empty()) << m.code;
    EXPECT_FALSE(m.vi.empty()) << m.code;
    EXPECT_NE(m.en, m.vi) << m.code;
  }
}

}  // namespace
}  // namespace kyso
