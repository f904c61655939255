// Drives the real `kyso` binary: flags, config, exit statuses and JSON Lines output.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/support/ocsp_responder.h"
#include "tests/support/serve_process.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"

namespace kyso {
namespace {

using ::kyso::testing::CommandResult;
using ::kyso::testing::DocsDir;
using ::kyso::testing::PkiDir;
using ::kyso::testing::RunCommand;

using ::kyso::testing::KysoBinary;

CommandResult Kyso(std::vector<std::string> args) {
  args.insert(args.begin(), KysoBinary());
  auto result = RunCommand(args);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : CommandResult{-1, "", ""};
}

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

const char* kAt = "2026-01-01T00:00:00Z";

TEST(KysoCli, VerifyAllPassedExitsZeroWithOneJsonLinePerFile) {
  const CommandResult r =
      Kyso({"verify", "--config", PkiDir() + "/trust.yaml", "--at", kAt, "--json",
            DocsDir() + "/valid-rsa2048.p7s", DocsDir() + "/valid-p256.p7s"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  const auto lines = JsonLines(r.stdout_text);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["indication"], "TOTAL_PASSED");
  EXPECT_EQ(lines[0]["signatures"][0]["signer"]["identifiers"]["MST"], "0101234567");
  EXPECT_EQ(lines[1]["signatures"][0]["signer"]["identifiers"]["CCCD"], "079190004567");
}

TEST(KysoCli, SomeNotPassedExitsOne) {
  const CommandResult r =
      Kyso({"verify", "--config", PkiDir() + "/trust.yaml", "--at", kAt, "--json",
            DocsDir() + "/valid-rsa2048.p7s", DocsDir() + "/tampered-content.p7s"});
  EXPECT_EQ(r.exit_code, 1);
  const auto lines = JsonLines(r.stdout_text);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1]["sub_indication"], "HASH_FAILURE");
}

TEST(KysoCli, FlagsInsteadOfConfigAndDetachedContent) {
  const CommandResult r =
      Kyso({"verify", "--trust-anchor", PkiDir() + "/anchors/root-national.pem", "--intermediate",
            PkiDir() + "/intermediates", "--at", kAt, "--revocation", "off", "--content",
            DocsDir() + "/dossier.txt", "--json", DocsDir() + "/valid-detached.p7s"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text << r.stdout_text;
}

TEST(KysoCli, ValidationTimeChangesTheOutcome) {
  const CommandResult r =
      Kyso({"verify", "--config", PkiDir() + "/trust.yaml", "--at", "2031-01-01T00:00:00Z",
            "--json", DocsDir() + "/valid-rsa2048.p7s"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(JsonLines(r.stdout_text).at(0)["sub_indication"], "OUT_OF_BOUNDS_NO_POE");
}

TEST(KysoCli, MissingFileIsOneLineAndExitTwoButOthersStillRun) {
  const CommandResult r = Kyso({"verify", "--config", PkiDir() + "/trust.yaml", "--at", kAt,
                                "--json", "/nonexistent.p7s", DocsDir() + "/valid-rsa2048.p7s"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(std::count(r.stderr_text.begin(), r.stderr_text.end(), '\n'), 1) << r.stderr_text;
  EXPECT_EQ(JsonLines(r.stdout_text).size(), 1u);
}

TEST(KysoCli, UsageAndConfigErrorsExitTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"verify", "--bogus", "x"},
           {"verify", "--config", "/nonexistent.yaml", "x"},
           {"verify", "--config", PkiDir() + "/trust.yaml", "--at", "yesterday", "x"},
           {"verify", "--config", PkiDir() + "/trust.yaml", "--revocation", "sometimes",
            DocsDir() + "/valid-rsa2048.p7s"},
           {"verify", "--config", PkiDir() + "/trust.yaml", "--crl", "/nonexistent.crl",
            DocsDir() + "/valid-rsa2048.p7s"},
           {"verify", "--config", PkiDir() + "/trust.yaml", "--crl",
            PkiDir() + "/crl/root-untrusted.crl.pem",
            DocsDir() + "/valid-rsa2048.p7s"},  // issuer not configured
           {"verify", "x"},                     // no trust anchor
           {"frobnicate"},
       }) {
    const CommandResult r = Kyso(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << (args.size() > 1 ? args[1] : "");
    EXPECT_EQ(std::count(r.stderr_text.begin(), r.stderr_text.end(), '\n'), 1) << r.stderr_text;
    EXPECT_EQ(r.stderr_text.find("terminate"), std::string::npos);
  }
}

TEST(KysoCli, TextOutputInVietnamese) {
  const CommandResult r = Kyso({"verify", "--config", PkiDir() + "/trust.yaml", "--at", kAt,
                                "--lang", "vi", DocsDir() + "/tampered-content.p7s"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.stdout_text.find("Nội dung tài liệu đã bị thay đổi"), std::string::npos)
      << r.stdout_text;
}

TEST(KysoCli, ValidateCert) {
  const CommandResult r =
      Kyso({"validate-cert", "--config", PkiDir() + "/trust.yaml", "--at", kAt, "--json",
            PkiDir() + "/certs/signer-rsa3072.pem", PkiDir() + "/certs/signer-expired.pem"});
  EXPECT_EQ(r.exit_code, 1);
  const auto lines = JsonLines(r.stdout_text);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["indication"], "TOTAL_PASSED");
  EXPECT_EQ(lines[0]["certificate"]["identifiers"]["CCCD"], "001085012345");
  EXPECT_EQ(lines[0]["chain"].size(), 3u);
  EXPECT_EQ(lines[1]["sub_indication"], "OUT_OF_BOUNDS_NO_POE");
}

// Revocation from local CRL files (--crl): the offline check of an archive.
std::vector<std::string> WithCrls(std::vector<std::string> args) {
  for (const char* ca : {"ca-public", "ca-ministry", "ca-gov", "root-national", "root-gov"}) {
    args.push_back("--crl");
    args.push_back(PkiDir() + "/crl/" + ca + ".crl.pem");
  }
  return args;
}

TEST(KysoCli, RevokedSignerFromALocalCrl) {
  const CommandResult r = Kyso(
      WithCrls({"verify", "--config", PkiDir() + "/trust.yaml", "--at", kAt, "--revocation",
                "require", "--json", DocsDir() + "/revoked.p7s", DocsDir() + "/valid-p256.p7s"}));
  EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
  const auto lines = JsonLines(r.stdout_text);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["indication"], "INDETERMINATE");
  EXPECT_EQ(lines[0]["sub_indication"], "REVOKED_NO_POE");
  const auto& revocation = lines[0]["signatures"][0]["revocation"];
  EXPECT_EQ(revocation["status"], "revoked");
  EXPECT_EQ(revocation["source"], "crl");
  EXPECT_EQ(revocation["revocation_reason"], "keyCompromise");
  EXPECT_EQ(revocation["revocation_time"], "2025-09-01T00:00:00Z");
  // The Government CA's signer, its P-384 intermediate checked against the root's CRL too.
  EXPECT_EQ(lines[1]["indication"], "TOTAL_PASSED") << lines[1].dump();
  EXPECT_EQ(lines[1]["signatures"][0]["revocation"]["status"], "good");
}

TEST(KysoCli, RevokedOnlyAfterTheValidationTimeStillPasses) {
  // Validated at 2025-08-01, a month before the revocation (2025-09-01).
  const CommandResult r =
      Kyso(WithCrls({"verify", "--config", PkiDir() + "/trust.yaml", "--at", "2025-08-01T00:00:00Z",
                     "--revocation", "require", "--json", DocsDir() + "/revoked.p7s"}));
  EXPECT_EQ(r.exit_code, 0) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find("revocation.revoked_after_validation_time"), std::string::npos);
}

TEST(KysoCli, NoEvidenceIsTryLaterWhenRequiredAndAWarningWhenPreferred) {
  // A CRL for the signer's CA but none for the root that issued that CA: the intermediate, which
  // advertises its revocation service, has no evidence.
  const std::vector<std::string> base = {
      "verify", "--config", PkiDir() + "/trust.yaml",           "--at", kAt,
      "--json", "--crl",    PkiDir() + "/crl/ca-public.crl.pem"};
  std::vector<std::string> require = base;
  require.insert(require.end(), {"--revocation", "require", DocsDir() + "/valid-rsa2048.p7s"});
  CommandResult r = Kyso(require);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(JsonLines(r.stdout_text).at(0)["sub_indication"], "TRY_LATER");
  std::vector<std::string> prefer = base;
  prefer.insert(prefer.end(), {"--revocation", "prefer", DocsDir() + "/valid-rsa2048.p7s"});
  r = Kyso(prefer);
  EXPECT_EQ(r.exit_code, 0) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find("revocation.unavailable"), std::string::npos);
}

TEST(KysoCli, ValidateCertWithACrl) {
  const CommandResult r =
      Kyso(WithCrls({"validate-cert", "--config", PkiDir() + "/trust.yaml", "--at", kAt,
                     "--revocation", "require", "--json", PkiDir() + "/certs/signer-revoked.pem",
                     PkiDir() + "/certs/signer-rsa3072.pem"}));
  EXPECT_EQ(r.exit_code, 1);
  const auto lines = JsonLines(r.stdout_text);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["sub_indication"], "REVOKED_NO_POE");
  EXPECT_EQ(lines[1]["indication"], "TOTAL_PASSED") << lines[1].dump();
  EXPECT_EQ(lines[1]["revocation"]["status"], "good");
}

TEST(KysoCli, RevocationIsRequiredByDefault) {
  // A config that says nothing about the mode; the CA's services point at a dead port.
  const std::string config = ::testing::TempDir() + "/kyso-default-require.yaml";
  std::ofstream(config) << "trust: {anchors: [" << PkiDir() << "/anchors/], intermediates: ["
                        << PkiDir() << "/intermediates/]}\n"
                        << "revocation:\n"
                        << "  ocsp: {timeout_ms: 500, overrides: {\"VNPT-CA Public (Demo)\": "
                           "\"http://127.0.0.1:1/\"}}\n"
                        << "  crl: {overrides: {\"VNPT-CA Public (Demo)\": "
                           "\"http://127.0.0.1:1/x.crl\"}}\n";
  const CommandResult r =
      Kyso({"verify", "--config", config, "--at", kAt, "--json", DocsDir() + "/valid-rsa2048.p7s"});
  EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
  EXPECT_EQ(JsonLines(r.stdout_text).at(0)["sub_indication"], "TRY_LATER");
}

TEST(KysoCli, OcspAnswersPersistAcrossProcesses) {
  // Process 1 asks a live responder; process 2, with the responder stopped, answers from the
  // cache file.
  ::kyso::testing::OcspResponderOptions options;
  options.index_file = PkiDir() + "/ca/ca-public/index.txt";
  options.ca_cert = PkiDir() + "/certs/ca-public.pem";
  options.responder_cert = PkiDir() + "/certs/ocsp-public.pem";
  options.responder_key = PkiDir() + "/keys/ocsp-public.key";
  auto responder = ::kyso::testing::OcspResponder::Start(options);
  ASSERT_TRUE(responder.ok()) << responder.status();
  const std::string dir = ::testing::TempDir() + "/kyso-persist-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string config = dir + "/kyso.yaml";
  std::ofstream(config) << "trust: {anchors: [" << PkiDir() << "/anchors/], intermediates: ["
                        << PkiDir() << "/intermediates/]}\n"
                        << "revocation:\n  mode: require\n  intermediates: \"off\"\n"
                        << "  ocsp: {overrides: {\"VNPT-CA Public (Demo)\": \""
                        << (*responder)->url() << "\"}}\n"
                        << "  cache: {path: cache.sqlite}\n";
  const std::vector<std::string> args = {"verify", "--config", config, "--json",
                                         DocsDir() + "/valid-rsa2048.p7s"};
  CommandResult first = Kyso(args);
  ASSERT_EQ(first.exit_code, 0) << first.stdout_text << first.stderr_text;
  EXPECT_EQ(JsonLines(first.stdout_text).at(0)["signatures"][0]["revocation"]["from_cache"], false);
  responder->reset();  // the responder stops
  CommandResult second = Kyso(args);
  ASSERT_EQ(second.exit_code, 0) << second.stdout_text << second.stderr_text;
  const auto revocation = JsonLines(second.stdout_text).at(0)["signatures"][0]["revocation"];
  EXPECT_EQ(revocation["status"], "good");
  EXPECT_EQ(revocation["from_cache"], true);
  EXPECT_TRUE(std::filesystem::exists(dir + "/cache.sqlite"));
  // A corrupt cache file is reported and rebuilt, not a crash; without it and without the
  // responder there is no evidence left.
  std::ofstream(dir + "/cache.sqlite", std::ios::trunc) << std::string(4096, 'x');
  std::filesystem::remove(dir + "/cache.sqlite-wal");
  std::filesystem::remove(dir + "/cache.sqlite-shm");
  CommandResult third = Kyso(args);
  EXPECT_EQ(third.exit_code, 1) << third.stdout_text;
  EXPECT_NE(third.stderr_text.find("revocation cache rebuilt"), std::string::npos)
      << third.stderr_text;
  EXPECT_EQ(JsonLines(third.stdout_text).at(0)["sub_indication"], "TRY_LATER");
  std::filesystem::remove_all(dir);
}

TEST(KysoCli, ServeAndVerifyThroughTheServerPrintTheSameAsInProcess) {
  auto serve = ::kyso::testing::ServeProcess::Start(PkiDir() + "/trust.yaml");
  ASSERT_TRUE(serve.ok()) << serve.status();
  const std::string address = (*serve)->address();
  std::vector<std::string> files = {DocsDir() + "/valid-rsa2048.p7s",
                                    DocsDir() + "/tampered-content.p7s", DocsDir() + "/random.p7s",
                                    ::kyso::testing::TestDataDir() + "/xml/einvoice-valid.xml"};
  std::vector<std::string> local = {"verify", "--config", PkiDir() + "/trust.yaml",
                                    "--at",   kAt,        "--json"};
  std::vector<std::string> remote = {"verify", "--server", address, "--at", kAt, "--json"};
  local.insert(local.end(), files.begin(), files.end());
  remote.insert(remote.end(), files.begin(), files.end());
  const CommandResult in_process = Kyso(local);
  const CommandResult through_server = Kyso(remote);
  EXPECT_EQ(through_server.exit_code, in_process.exit_code) << through_server.stderr_text;
  // Through VerifyStream, results arrive in completion order: compare them file by file.
  auto by_file = [](const std::string& text) {
    std::map<std::string, nlohmann::json> out;
    for (const nlohmann::json& line : JsonLines(text)) out[line["file"].get<std::string>()] = line;
    return out;
  };
  EXPECT_EQ(by_file(through_server.stdout_text), by_file(in_process.stdout_text));
  EXPECT_EQ(JsonLines(through_server.stdout_text).size(), files.size());
  // The audit log: one JSON line per document, with its digest and never its content.
  int audited = 0;
  const std::string first_sha = JsonLines(in_process.stdout_text).at(0)["document_sha256"];
  // The audit log is buffered and flushed when the service falls idle or within a second.
  ASSERT_TRUE((*serve)->WaitForEvent("verified", static_cast<int>(files.size())))
      << (*serve)->Log();
  for (const nlohmann::json& record : (*serve)->Lines()) {
    if (record["event"] != "verified") continue;
    EXPECT_FALSE(record.contains("content"));
    if (record["document_sha256"] == first_sha) ++audited;
  }
  EXPECT_EQ(audited, 1) << (*serve)->Log();
  // Prometheus text format at /metrics, read with curl.
  const std::string metrics_url = (*serve)->metrics_url();
  ASSERT_FALSE(metrics_url.empty()) << (*serve)->Log();
  const CommandResult scrape = [&] {
    auto r = ::kyso::testing::RunCommand({"curl", "-sS", "--max-time", "10", metrics_url});
    return r.ok() ? *r : CommandResult{-1, "", r.status().ToString()};
  }();
  ASSERT_EQ(scrape.exit_code, 0) << scrape.stderr_text;
  EXPECT_NE(
      scrape.stdout_text.find("kyso_documents_total{format=\"cms\",indication=\"TOTAL_PASSED\""),
      std::string::npos)
      << scrape.stdout_text;
  EXPECT_NE(scrape.stdout_text.find("sub_indication=\"HASH_FAILURE\""), std::string::npos);
  EXPECT_NE(scrape.stdout_text.find("kyso_queue_depth"), std::string::npos);
  EXPECT_NE(scrape.stdout_text.find("kyso_document_latency_seconds_bucket"), std::string::npos);
  // Calls by method and status code, latency per stage, documents in flight, health.
  EXPECT_NE(scrape.stdout_text.find("kyso_rpc_calls_total{code=\"OK\",method=\"VerifyStream\"} 1"),
            std::string::npos)
      << scrape.stdout_text;
  EXPECT_NE(scrape.stdout_text.find("kyso_rpc_seconds_bucket{code=\"OK\",method=\"VerifyStream\""),
            std::string::npos);
  for (const char* stage : {"parse", "signature", "chain", "revocation"}) {
    EXPECT_NE(scrape.stdout_text.find(
                  absl::StrCat("kyso_stage_seconds_count{stage=\"", stage, "\"} ", files.size())),
              std::string::npos)
        << stage << "\n"
        << scrape.stdout_text;
  }
  EXPECT_NE(scrape.stdout_text.find("kyso_documents_in_flight 0"), std::string::npos);
  EXPECT_NE(scrape.stdout_text.find("kyso_serving 1"), std::string::npos);
  // SIGTERM: drain and exit 0.
  EXPECT_EQ((*serve)->Stop(), 0) << (*serve)->Log();
  // A stopped server is an RPC error: one line, exit 2.
  const CommandResult gone = Kyso({"verify", "--server", address, files[0]});
  EXPECT_EQ(gone.exit_code, 2);
}

TEST(KysoCli, HostileXmlTouchesNeitherTheNetworkNorOtherFiles) {
  // The real binary under strace: verifying documents that name /etc/passwd, http:// DTDs and
  // URIs opens no socket and reads no file but its own inputs, config, trust store and libraries.
  const std::string xml = ::kyso::testing::TestDataDir() + "/xml";
  const std::string log = ::testing::TempDir() + "/kyso-strace.log";
  // LeakSanitizer refuses to run under ptrace and would end the sanitizer build's process before
  // it flushes its output, so leak checking is off for this one traced run.
  std::vector<std::string> args = {"env", "ASAN_OPTIONS=detect_leaks=0", "strace", "-f", "-qq",
                                   "-e",  "trace=%network,%file",        "-o",     log};
  for (const std::string& a :
       {KysoBinary(), std::string("verify"), std::string("--config"), PkiDir() + "/trust.yaml",
        std::string("--at"), std::string(kAt), std::string("--json")}) {
    args.push_back(a);
  }
  for (const char* f :
       {"xxe-local-file.xml", "billion-laughs.xml", "external-dtd.xml", "uri-http.xml",
        "uri-file.xml", "xpath-transform.xml", "xslt-transform.xml"}) {
    args.push_back(xml + "/" + f);
  }
  auto result = RunCommand(args);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->exit_code, 1) << result->stderr_text;  // all refused, none crashed
  EXPECT_EQ(JsonLines(result->stdout_text).size(), 7u);
  const std::string trace = ::kyso::testing::ReadFileOrDie(log);
  ASSERT_NE(trace.find("execve("), std::string::npos) << "strace recorded nothing";
  for (const char* forbidden :
       {"socket(", "connect(", "/etc/passwd", "evil.dtd", "127.0.0.1", "/usr/share/xml"}) {
    EXPECT_EQ(trace.find(forbidden), std::string::npos) << forbidden << " in:\n" << trace;
  }
}

}  // namespace
}  // namespace kyso
