// Cross-check: `openssl cms -verify` (full chain verification, strict, at the pinned time) and kyso
// must agree on pass/fail for every crypto case of the fixture table. The cases where kyso's
// validation policy is stricter than OpenSSL's defaults are listed and asserted as such.
#include <set>

#include "crypto/verifier.h"
#include "gtest/gtest.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"
#include "tests/unit/verifier_fixture.h"

namespace kyso {
namespace {

using ::kyso::testing::DemoContext;
using ::kyso::testing::DocsDir;
using ::kyso::testing::PkiDir;
using ::kyso::testing::ReadFileOrDie;
using ::kyso::testing::RunCommand;

// Where kyso is deliberately stricter than `openssl cms -verify`: its policy rejects SHA-1 and
// RSA-1024 (Circular 15/2025), which OpenSSL accepts at its default security level for CMS; and
// it rejects bytes after the CMS structure, which `openssl cms` silently ignores.
const std::set<std::string> kKysoStricter = {"sha1.p7s", "rsa1024.p7s", "trailing-garbage.p7s"};

TEST(CmsCrossCheck, AgreesWithOpensslCmsVerify) {
  const std::string cafile = ::testing::TempDir() + "/anchors.pem";
  {
    // `openssl cms` has no -untrusted, and its -certfile only finds signers: the intermediates
    // go into -CAfile too. Without -partial_chain a path must still end at a self-signed root,
    // so only the two roots can terminate it, as in kyso.
    std::string anchors = ReadFileOrDie(PkiDir() + "/anchors/root-national.pem") +
                          ReadFileOrDie(PkiDir() + "/anchors/root-gov.pem");
    for (const char* n : {"ca-public", "ca-ministry", "ca-gov", "ca-untrusted", "ca-notca"}) {
      anchors += ReadFileOrDie(PkiDir() + "/certs/" + n + ".pem");
    }
    FILE* f = fopen(cafile.c_str(), "w");
    fwrite(anchors.data(), 1, anchors.size(), f);
    fclose(f);
  }
  Verifier verifier;
  const VerificationContext ctx = DemoContext();
  int compared = 0;
  for (const ::kyso::testing::ManifestRow& row : ::kyso::testing::ReadManifest()) {
    const std::string& file = row.file;
    if (file == "empty.p7s") continue;  // openssl reads no object at all; nothing to compare
    const std::string path = DocsDir() + "/" + file;
    const bool pem = file.find(".pem.") != std::string::npos;
    std::vector<std::string> cmd = {
        "openssl",           "cms",        "-verify",      "-binary", "-inform",
        pem ? "PEM" : "DER", "-in",        path,           "-CAfile", cafile,
        "-attime",           "1767225600", "-x509_strict", "-out",    "/dev/null"};
    std::optional<std::string> content;
    if (file == "valid-detached.p7s") {
      cmd.push_back("-content");
      cmd.push_back(DocsDir() + "/dossier.txt");
      content = ReadFileOrDie(DocsDir() + "/dossier.txt");
    }
    auto openssl = RunCommand(cmd);
    ASSERT_TRUE(openssl.ok()) << openssl.status();
    const bool openssl_passed = openssl->exit_code == 0;
    const DocumentReport report = verifier.VerifyDocument(
        ReadFileOrDie(path), content ? std::optional<absl::string_view>(*content) : std::nullopt,
        ctx);
    const bool kyso_passed = report.verdict.passed();
    ++compared;
    if (kKysoStricter.count(file) > 0) {
      EXPECT_TRUE(openssl_passed) << file << ": " << openssl->stderr_text;
      EXPECT_FALSE(kyso_passed) << file;
      continue;
    }
    EXPECT_EQ(kyso_passed, openssl_passed)
        << file << ": kyso " << ToString(report.verdict.indication) << "/"
        << ToString(report.verdict.sub_indication) << ", openssl: " << openssl->stderr_text;
  }
  EXPECT_GE(compared, 25);
}

}  // namespace
}  // namespace kyso
