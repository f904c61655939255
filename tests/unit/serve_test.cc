// `kyso serve` as a process: health through its life (start, reload, drain), SIGHUP reloads, and
// SIGTERM in the middle of a stream. The real binary, real signals, real loopback ports.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kyso/v1/verifier.grpc.pb.h"
#include "tests/support/health_probe.h"
#include "tests/support/serve_process.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"

namespace kyso {
namespace {

using ::kyso::testing::CheckHealth;
using ::kyso::testing::DocsDir;
using ::kyso::testing::kNotServing;
using ::kyso::testing::kServing;
using ::kyso::testing::PkiDir;
using ::kyso::testing::ReadFileOrDie;
using ::kyso::testing::ServeProcess;

// The fixtures' validation time: every test certificate is valid then.
google::protobuf::Timestamp PinnedTime() {
  google::protobuf::Timestamp t;
  t.set_seconds(1767225600);  // 2026-01-01T00:00:00Z
  return t;
}

std::string TempPath(const std::string& name) {
  return absl::StrCat(::testing::TempDir(), "/kyso-serve-test-", ::getpid(), "-", name);
}

// A config with the given anchors (files or folders), the demo intermediates, revocation off.
std::string WriteConfig(const std::string& path, const std::string& anchors,
                        const std::string& extra = "") {
  std::ofstream(path, std::ios::trunc) << "trust: {anchors: [" << anchors << "], intermediates: ["
                                       << PkiDir() << "/intermediates/]}\n"
                                       << "revocation: {mode: \"off\"}\n"
                                       << extra;
  return path;
}

std::string VerifyOne(const std::string& address, const std::string& file) {
  auto stub = v1::SignatureVerifier::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::VerifyRequest request;
  request.set_content(ReadFileOrDie(file));
  *request.mutable_validation_time() = PinnedTime();
  v1::VerifyResponse response;
  const grpc::Status status = stub->Verify(&context, request, &response);
  if (!status.ok()) return "RPC " + status.error_message();
  if (response.result().sub_indication() != v1::SUB_INDICATION_UNSPECIFIED)
    return v1::SubIndication_Name(response.result().sub_indication());
  return v1::Indication_Name(response.result().indication());
}

TEST(Serve, HealthIsNotServingUntilTheTrustStoreIsLoaded) {
  // The anchors file is a FIFO: loading the trust store blocks until the test writes into it,
  // which holds the server in its "starting" state for as long as the test needs.
  const std::string fifo = TempPath("anchors.pem");
  std::filesystem::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string config = WriteConfig(TempPath("start.yaml"), fifo);
  auto serve = ServeProcess::Start(config, {}, /*ready_event=*/"admin_listening");
  ASSERT_TRUE(serve.ok()) << serve.status();
  const std::string admin = (*serve)->admin_address();
  EXPECT_EQ(CheckHealth(admin).value_or(-1), kNotServing);
  EXPECT_EQ(CheckHealth(admin, "kyso.v1.SignatureVerifier").value_or(-1), kNotServing);
  EXPECT_TRUE((*serve)->address().empty()) << "the main port opened before the trust store loaded";

  std::ofstream(fifo) << ReadFileOrDie(PkiDir() + "/anchors/root-gov.pem");
  ASSERT_TRUE((*serve)->WaitForEvent("listening")) << (*serve)->Log();
  EXPECT_EQ(CheckHealth(admin).value_or(-1), kServing);
  EXPECT_EQ(CheckHealth(admin, "kyso.v1.SignatureVerifier").value_or(-1), kServing);
  EXPECT_EQ(CheckHealth((*serve)->address()).value_or(-1), kServing);
  // Only the Government root was written: a document under it passes.
  EXPECT_EQ(VerifyOne((*serve)->address(), DocsDir() + "/valid-p256.p7s"), "TOTAL_PASSED");
  EXPECT_EQ((*serve)->Stop(), 0) << (*serve)->Log();
  std::filesystem::remove(fifo);
}

TEST(Serve, SighupAddsAndRemovesACaWhileServingAndAFailedReloadKeepsTheOld) {
  const std::string config = TempPath("reload.yaml");
  // root-national alone: the Government CA's documents have no trusted path yet.
  WriteConfig(config, PkiDir() + "/anchors/root-national.pem");
  auto serve = ServeProcess::Start(config);
  ASSERT_TRUE(serve.ok()) << serve.status();
  const std::string address = (*serve)->address();
  const std::string admin = (*serve)->admin_address();
  const std::string gov_document = DocsDir() + "/valid-p256.p7s";
  EXPECT_EQ(VerifyOne(address, gov_document), "NO_CERTIFICATE_CHAIN_FOUND");

  WriteConfig(config, PkiDir() + "/anchors/");  // adds the Government root
  (*serve)->Signal(SIGHUP);
  ASSERT_TRUE((*serve)->WaitForEvent("reloaded", 1)) << (*serve)->Log();
  EXPECT_EQ(VerifyOne(address, gov_document), "TOTAL_PASSED");
  EXPECT_EQ(CheckHealth(admin).value_or(-1), kServing);

  WriteConfig(config, PkiDir() + "/anchors/root-national.pem");  // removes it again
  (*serve)->Signal(SIGHUP);
  ASSERT_TRUE((*serve)->WaitForEvent("reloaded", 2)) << (*serve)->Log();
  EXPECT_EQ(VerifyOne(address, gov_document), "NO_CERTIFICATE_CHAIN_FOUND");

  std::ofstream(config, std::ios::trunc) << "trust: [\n";  // broken
  (*serve)->Signal(SIGHUP);
  ASSERT_TRUE((*serve)->WaitForEvent("reload_failed")) << (*serve)->Log();
  EXPECT_EQ(VerifyOne(address, gov_document), "NO_CERTIFICATE_CHAIN_FOUND");  // the old snapshot
  EXPECT_EQ(CheckHealth(admin).value_or(-1), kServing);
  for (const nlohmann::json& line : (*serve)->Lines()) {
    if (line["event"] == "reload_failed") {
      EXPECT_EQ(line["level"], "warning");
      EXPECT_EQ(line["generation"], 3);
    }
  }
  // The reloads are metrics too.
  auto scrape =
      ::kyso::testing::RunCommand({"curl", "-sS", "--max-time", "10", (*serve)->metrics_url()});
  ASSERT_TRUE(scrape.ok() && scrape->exit_code == 0);
  EXPECT_NE(scrape->stdout_text.find("kyso_reloads_total{result=\"ok\"} 2"), std::string::npos)
      << scrape->stdout_text;
  EXPECT_NE(scrape->stdout_text.find("kyso_reloads_total{result=\"failed\"} 1"), std::string::npos);
  EXPECT_NE(scrape->stdout_text.find("kyso_trust_generation 3"), std::string::npos);
  EXPECT_EQ((*serve)->Stop(), 0) << (*serve)->Log();
}

TEST(Serve, SigtermDuringAStreamDrainsItThenExitsZero) {
  const std::string config = WriteConfig(TempPath("drain.yaml"), PkiDir() + "/anchors/");
  auto serve = ServeProcess::Start(config);
  ASSERT_TRUE(serve.ok()) << serve.status();
  auto stub = v1::SignatureVerifier::NewStub(
      grpc::CreateChannel((*serve)->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto stream = stub->VerifyStream(&context);
  const std::vector<std::string> documents = {ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"),
                                              ReadFileOrDie(DocsDir() + "/tampered-content.p7s"),
                                              ReadFileOrDie(DocsDir() + "/random.p7s")};
  int sent = 0;
  auto send = [&](int n) {
    for (int i = 0; i < n; ++i, ++sent) {
      v1::VerifyRequest request;
      request.set_request_id(absl::StrCat("doc-", sent));
      request.set_content(documents[sent % documents.size()]);
      *request.mutable_validation_time() = PinnedTime();
      ASSERT_TRUE(stream->Write(request)) << "write " << sent;
    }
  };
  std::set<std::string> answered;
  auto receive = [&](int n) {
    v1::VerifyResponse response;
    for (int i = 0; i < n && stream->Read(&response); ++i) {
      EXPECT_TRUE(answered.insert(response.request_id()).second) << response.request_id();
    }
  };
  send(100);
  receive(50);

  (*serve)->Signal(SIGTERM);
  ASSERT_TRUE((*serve)->WaitForEvent("draining")) << (*serve)->Log();
  // Probes hear NOT_SERVING on the admin port while the stream is still open...
  EXPECT_EQ(CheckHealth((*serve)->admin_address()).value_or(-1), kNotServing);
  // ...and new calls are refused (once Shutdown, which follows the log line, has begun).
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    refused = VerifyOne((*serve)->address(), DocsDir() + "/valid-rsa2048.p7s") != "TOTAL_PASSED";
    if (!refused) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(refused);
  // The open stream goes on: more documents, all answered.
  send(100);
  stream->WritesDone();
  receive(1000);
  const grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(answered.size(), 200u);
  EXPECT_EQ((*serve)->Stop(), 0) << (*serve)->Log();  // already exiting: reaps it
  EXPECT_EQ((*serve)->Lines().back().value("event", ""), "stopped");
}

}  // namespace
}  // namespace kyso
