// The XML signature table: every fixture from tests/xml/make-xml-documents.sh with the indication
// AND sub-indication its MANIFEST.tsv promises, plus what the table cannot say: which elements each
// signature covers (the defence against signature wrapping), that hostile inputs are refused
// before any digest is computed, and agreement with xmlsec1.
#include <set>
#include <sstream>

#include "absl/strings/str_split.h"
#include "crypto/verifier.h"
#include "gtest/gtest.h"
#include "service/trust_loader.h"
#include "tests/support/test_data.h"
#include "tests/unit/verifier_fixture.h"

namespace kyso {
namespace {

using ::kyso::testing::DemoContext;
using ::kyso::testing::ManifestRow;
using ::kyso::testing::ReadFileOrDie;
using ::kyso::testing::ReadManifest;
using ::kyso::testing::VerdictString;
using ::kyso::testing::XmlDir;

DocumentReport VerifyXml(Verifier& verifier, const std::string& file) {
  const std::string bytes = ReadFileOrDie(XmlDir() + "/" + file);
  const std::string content = ReadFileOrDie(XmlDir() + "/detached-content.txt");
  const DetachedContent detached[] = {{"detached-content.txt", content}};
  return verifier.VerifyDocument(bytes, detached, DemoContext());
}

std::string Codes(const DocumentReport& report) {
  std::string out;
  for (const auto& m : report.messages) out += m.code + " ";
  for (const auto& s : report.signatures)
    for (const auto& m : s.messages) out += m.code + " ";
  return out;
}

class XmlManifestTest : public ::testing::TestWithParam<ManifestRow> {};

TEST_P(XmlManifestTest, GivesDocumentedIndicationAndSubIndication) {
  const ManifestRow& row = GetParam();
  Verifier verifier;
  const DocumentReport report = VerifyXml(verifier, row.file);
  EXPECT_EQ(report.format, "xml");
  EXPECT_EQ(VerdictString(report.verdict), row.expected)
      << row.file << " (" << row.description << "): " << Codes(report);
}

std::string RowName(const ::testing::TestParamInfo<ManifestRow>& info) {
  std::string name;
  for (char c : info.param.file) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, XmlManifestTest, ::testing::ValuesIn(ReadManifest(XmlDir())),
                         RowName);

const SignatureReport* SignatureWithId(const DocumentReport& report, absl::string_view id) {
  for (const SignatureReport& s : report.signatures) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

std::vector<std::string> CoveredPaths(const SignatureReport& s) {
  std::vector<std::string> out;
  for (const SignedReference& r : s.signed_references) {
    if (r.matched) out.push_back(r.node_path);
  }
  return out;
}

TEST(XmlVerifier, EinvoiceReportsWhatEachSignatureCovers) {
  Verifier verifier;
  const DocumentReport report = VerifyXml(verifier, "einvoice-valid.xml");
  ASSERT_EQ(VerdictString(report.verdict), "TOTAL_PASSED") << Codes(report);
  ASSERT_EQ(report.signatures.size(), 2u);
  const SignatureReport* seller = SignatureWithId(report, "seller");
  const SignatureReport* cqt = SignatureWithId(report, "cqt");
  ASSERT_NE(seller, nullptr);
  ASSERT_NE(cqt, nullptr);
  EXPECT_EQ(seller->format, "xmldsig");
  EXPECT_EQ(CoveredPaths(*seller).at(0), "/HDon/DLHDon");
  EXPECT_EQ(CoveredPaths(*cqt).at(0), "/HDon/MCCQT");
  EXPECT_FALSE(*seller->document_root_covered);
  ASSERT_TRUE(seller->signing_time.has_value());  // SignatureProperties/SigningTime, a claim
  ASSERT_TRUE(seller->signer.has_value());
  EXPECT_EQ(seller->signer->identifiers.at(0), Identifier("MST", "0101234567"));
  EXPECT_EQ(cqt->signer->identifiers.at(0), Identifier("CCCD", "001085012345"));
  EXPECT_GT(report.stage_times.parse, absl::ZeroDuration());
  EXPECT_EQ(report.stage_times.signature,
            seller->stage_times.signature + cqt->stage_times.signature);
  EXPECT_GT(seller->stage_times.signature, absl::ZeroDuration());
  EXPECT_GT(cqt->stage_times.chain, absl::ZeroDuration());
}

TEST(XmlVerifier, EinvoiceWithOneBrokenSignatureReportsEachOnItsOwn) {
  Verifier verifier;
  const DocumentReport report = VerifyXml(verifier, "einvoice-cqt-broken.xml");
  EXPECT_EQ(VerdictString(SignatureWithId(report, "seller")->verdict), "TOTAL_PASSED");
  EXPECT_EQ(VerdictString(SignatureWithId(report, "cqt")->verdict),
            "TOTAL_FAILED/SIG_CRYPTO_FAILURE");
}

TEST(XmlVerifier, WrappingIsVisibleInTheSignedPath) {
  // The seller's signature still verifies over the element it signed, which was moved into a
  // wrapper; the business element at /HDon/DLHDon is a forgery that no signature covers. The
  // report says exactly that, so a procedure system requiring /HDon/DLHDon refuses the dossier.
  Verifier verifier;
  const DocumentReport report = VerifyXml(verifier, "wrapping.xml");
  const SignatureReport* seller = SignatureWithId(report, "seller");
  ASSERT_NE(seller, nullptr);
  EXPECT_EQ(VerdictString(seller->verdict), "TOTAL_PASSED") << Codes(report);
  const std::vector<std::string> covered = CoveredPaths(*seller);
  ASSERT_FALSE(covered.empty());
  EXPECT_NE(covered.at(0), "/HDon/DLHDon");
  EXPECT_NE(covered.at(0).find("Wrapper"), std::string::npos) << covered.at(0);
  for (const SignatureReport& s : report.signatures) {
    for (const std::string& path : CoveredPaths(s)) EXPECT_NE(path, "/HDon/DLHDon");
  }
}

TEST(XmlVerifier, EnvelopedSignatureCoversTheRoot) {
  Verifier verifier;
  const DocumentReport report = VerifyXml(verifier, "valid-enveloped-rsa.xml");
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(*report.signatures[0].document_root_covered);
  EXPECT_EQ(CoveredPaths(report.signatures[0]), std::vector<std::string>{"/"});
}

TEST(XmlVerifier, XadesIsReportedAsSuchWithItsSigningTime) {
  Verifier verifier;
  const DocumentReport report = VerifyXml(verifier, "valid-xades.xml");
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_EQ(report.signatures[0].format, "xades");
  EXPECT_TRUE(report.signatures[0].signing_time.has_value());
  bool signed_properties = false;
  for (const SignedReference& r : report.signatures[0].signed_references) {
    signed_properties |= r.type == "http://uri.etsi.org/01903#SignedProperties" && r.matched;
  }
  EXPECT_TRUE(signed_properties);
}

TEST(XmlVerifier, HostileInputsAreRefusedBeforeAnyDigest) {
  // Refused at parse time (no signature report at all) or at SignedInfo checks (no reference
  // resolved): in neither case is an entity expanded, a DTD, URI or XPath fetched or evaluated.
  Verifier verifier;
  for (const char* file : {"xxe-local-file.xml", "billion-laughs.xml", "external-dtd.xml",
                           "deep-nesting.xml", "big-text.xml", "duplicate-ids.xml"}) {
    const DocumentReport report = VerifyXml(verifier, file);
    EXPECT_TRUE(report.signatures.empty()) << file;
    EXPECT_EQ(VerdictString(report.verdict), "TOTAL_FAILED/FORMAT_FAILURE") << file;
  }
  for (const char* file :
       {"xpath-transform.xml", "xslt-transform.xml", "uri-http.xml", "uri-file.xml"}) {
    const DocumentReport report = VerifyXml(verifier, file);
    ASSERT_EQ(report.signatures.size(), 1u) << file;
    EXPECT_TRUE(report.signatures[0].signed_references.empty()) << file;
    EXPECT_EQ(VerdictString(report.verdict), "INDETERMINATE/SIG_CONSTRAINTS_FAILURE") << file;
  }
}

TEST(XmlVerifier, DetachedReferenceWithoutContentIsSignedDataNotFound) {
  Verifier verifier;
  const DocumentReport report = verifier.VerifyDocument(
      ReadFileOrDie(XmlDir() + "/valid-detached.xml"), std::nullopt, DemoContext());
  EXPECT_EQ(VerdictString(report.verdict), "INDETERMINATE/SIGNED_DATA_NOT_FOUND");
}

TEST(XmlVerifier, CertificatesAreSharedWithTheCmsCache) {
  // The signer's certificate decoded for one XML document is the same object for the next one:
  // certificates are decoded once per process, not per document.
  Verifier verifier;
  VerifyXml(verifier, "valid-enveloped-rsa.xml");
  const size_t cached = verifier.certificates().size();
  VerifyXml(verifier, "valid-enveloped-exc-c14n.xml");
  EXPECT_EQ(verifier.certificates().size(), cached);
}

// xmlsec1 (run by the fixture script, results in XMLSEC1.tsv) as an oracle: wherever it could
// check a file, kyso's cryptographic verdict agrees with it: every signature value verified and
// every reference matched, or not. Where kyso refuses by design what xmlsec1 accepts, that is
// asserted as such.
const std::set<std::string> kKysoRefusesByDesign = {
    "xpath-transform.xml",             // kyso never evaluates XPath (xmlsec1 does)
    "xslt-transform.xml",              // nor XSLT
    "xades-no-signed-properties.xml",  // XAdES rule; xmlsec1 knows only XMLDSig
    "bare-keyvalue.xml",               // a bare key identifies nobody; xmlsec1 trusts it
};

bool CryptoVerified(const DocumentReport& report) {
  if (report.signatures.empty()) return false;
  for (const SignatureReport& s : report.signatures) {
    if (s.signed_references.empty()) return false;  // the signature value was not verified
    for (const SignedReference& r : s.signed_references) {
      if (!r.matched) return false;
    }
    const SubIndication sub = s.verdict.sub_indication;
    if (sub == SubIndication::kSigCryptoFailure || sub == SubIndication::kHashFailure ||
        sub == SubIndication::kFormatFailure) {
      return false;
    }
  }
  return true;
}

TEST(XmlVerifier, CryptoOutcomeAgreesWithXmlsec1) {
  std::istringstream in(ReadFileOrDie(XmlDir() + "/XMLSEC1.tsv"));
  std::string line;
  int compared = 0;
  Verifier verifier;
  while (std::getline(in, line)) {
    std::vector<std::string> cols = absl::StrSplit(line, '\t');
    if (cols.size() < 3 || cols[0].empty() || cols[0][0] == '#') continue;
    const std::string& file = cols[0];
    const std::string& result = cols[2];
    // Compared: what xmlsec1 verified or found broken. Not compared: files it was not run on
    // (hostile), algorithms it lacks (RSA-PSS), and trust outcomes (kyso's own tables cover them).
    if (result != "OK" && result != "DIGEST_MISMATCH" && result != "SIGNATURE_MISMATCH") continue;
    const DocumentReport report = VerifyXml(verifier, file);
    ++compared;
    if (kKysoRefusesByDesign.count(file) > 0) {
      EXPECT_EQ(result, "OK") << file;
      EXPECT_FALSE(report.verdict.passed()) << file;
      continue;
    }
    EXPECT_EQ(CryptoVerified(report), result == "OK") << file << ": " << Codes(report);
  }
  EXPECT_GE(compared, 20);
}

// KeyInfo is outside SignedInfo in these fixtures, so it can be edited without breaking anything
// but the signer lookup.
std::string WithKeyInfoData(const std::string& xml, const std::string& data) {
  const size_t open = xml.find("<ds:X509Data>");
  const size_t close = xml.find("</ds:X509Data>");
  EXPECT_NE(open, std::string::npos);
  EXPECT_NE(close, std::string::npos);
  return xml.substr(0, open) + "<ds:X509Data>" + data + xml.substr(close);
}

TEST(XmlVerifier, WindowsStyleSubjectNameBreaksNothing) {
  const std::string original = ReadFileOrDie(XmlDir() + "/valid-enveloped-rsa.xml");
  const size_t open = original.find("<ds:X509Data>") + std::string("<ds:X509Data>").size();
  const std::string edited = original.substr(0, open) +
                             "<ds:X509SubjectName>OID.0.9.2342.19200300.100.1.1=MST:0101234567, "
                             "CN=\"Công ty, TNHH\" + O=x; C=VN</ds:X509SubjectName>" +
                             original.substr(open);
  Verifier verifier;
  const DocumentReport report = verifier.VerifyDocument(edited, std::nullopt, DemoContext());
  EXPECT_EQ(VerdictString(report.verdict), "TOTAL_PASSED") << Codes(report);
}

TEST(XmlVerifier, SignerNamedByIssuerSerialIsLookedUpAmongConfiguredCertificates) {
  // KeyInfo names the certificate instead of embedding it, Windows-style issuer and all.
  const std::string named = WithKeyInfoData(
      ReadFileOrDie(XmlDir() + "/valid-enveloped-rsa.xml"),
      "<ds:X509IssuerSerial><ds:X509IssuerName>CN=VNPT-CA Public (Demo), O=VNPT (Demo), "
      "C=VN</ds:X509IssuerName><ds:X509SerialNumber>1048848</ds:X509SerialNumber>"
      "</ds:X509IssuerSerial>");  // 1048848 = 0x100110, signer-rsa2048's serial
  Verifier verifier;
  EXPECT_EQ(VerdictString(verifier.VerifyDocument(named, std::nullopt, DemoContext()).verdict),
            "INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND");
  auto trust = LoadTrustStore({::kyso::testing::PkiDir() + "/anchors"},
                              {::kyso::testing::PkiDir() + "/intermediates",
                               ::kyso::testing::PkiDir() + "/certs/signer-rsa2048.pem"},
                              2);
  ASSERT_TRUE(trust.ok()) << trust.status();
  VerificationContext ctx = DemoContext();
  ctx.trust = *trust;
  const DocumentReport report = verifier.VerifyDocument(named, std::nullopt, ctx);
  EXPECT_EQ(VerdictString(report.verdict), "TOTAL_PASSED") << Codes(report);
}

TEST(XmlVerifier, EcdsaValueOfTheWrongLengthIsRefused) {
  // XMLDSig ECDSA values are r||s of exactly twice the order's byte length; a DER value (or any
  // other length) is not accepted as one.
  std::string xml = ReadFileOrDie(XmlDir() + "/valid-ecdsa.xml");
  const size_t open = xml.find("<ds:SignatureValue>") + std::string("<ds:SignatureValue>").size();
  const size_t close = xml.find("</ds:SignatureValue>");
  xml = xml.substr(0, open) + "AAAA" + xml.substr(open, close - open) + xml.substr(close);
  Verifier verifier;
  EXPECT_EQ(VerdictString(verifier.VerifyDocument(xml, std::nullopt, DemoContext()).verdict),
            "TOTAL_FAILED/SIG_CRYPTO_FAILURE");
}

}  // namespace
}  // namespace kyso
