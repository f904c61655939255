#include "tests/support/ocsp_responder.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"

namespace kyso::testing {
namespace {

using ::testing::HasSubstr;

OcspResponderOptions CaPublicOptions() {
  const std::string pki = PkiDir();
  OcspResponderOptions options;
  options.index_file = pki + "/ca/ca-public/index.txt";
  options.ca_cert = pki + "/certs/ca-public.pem";
  options.responder_cert = pki + "/certs/ocsp-public.pem";
  options.responder_key = pki + "/keys/ocsp-public.key";
  return options;
}

// Asks with OpenSSL's own client, which also verifies the response signature up to root-national;
// its stdout then ends with "<cert>: good" or "<cert>: revoked".
CommandResult AskAbout(const OcspResponder& responder, const std::string& signer) {
  const std::string pki = PkiDir();
  absl::StatusOr<CommandResult> result =
      RunCommand({"openssl", "ocsp", "-issuer", pki + "/certs/ca-public.pem", "-cert",
                  pki + "/certs/" + signer + ".pem", "-url", responder.url(), "-resp_text",
                  "-CAfile", pki + "/anchors/root-national.pem", "-verify_other",
                  pki + "/certs/ca-public.pem", "-timeout", "10"});
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : CommandResult{};
}

bool ProcessExists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

TEST(OcspResponder, AnswersGoodAndRevokedThenStops) {
  absl::StatusOr<std::unique_ptr<OcspResponder>> responder =
      OcspResponder::Start(CaPublicOptions());
  ASSERT_TRUE(responder.ok()) << responder.status();
  const pid_t pid = (*responder)->pid();
  ASSERT_GT(pid, 0);
  EXPECT_EQ((*responder)->url(), "http://127.0.0.1:" + std::to_string((*responder)->port()) + "/");

  const CommandResult good = AskAbout(**responder, "signer-rsa2048");
  EXPECT_EQ(good.exit_code, 0) << good.stderr_text;
  EXPECT_THAT(good.stdout_text, HasSubstr("signer-rsa2048.pem: good"));
  EXPECT_THAT(good.stderr_text, HasSubstr("Response verify OK"));

  const CommandResult revoked = AskAbout(**responder, "signer-revoked");
  EXPECT_EQ(revoked.exit_code, 0) << revoked.stderr_text;
  EXPECT_THAT(revoked.stdout_text, HasSubstr("signer-revoked.pem: revoked"));
  EXPECT_THAT(revoked.stdout_text, HasSubstr("Revocation Reason: keyCompromise"));
  EXPECT_THAT(ReadFileOrDie((*responder)->log_path()), HasSubstr("Received request"));

  const std::string log_path = (*responder)->log_path();
  responder->reset();
  EXPECT_FALSE(ProcessExists(pid));
  EXPECT_NE(access(log_path.c_str(), F_OK), 0) << "the log outlived the responder";
}

TEST(OcspResponder, StopIsIdempotentAndKeepsTheLog) {
  absl::StatusOr<std::unique_ptr<OcspResponder>> responder =
      OcspResponder::Start(CaPublicOptions());
  ASSERT_TRUE(responder.ok()) << responder.status();
  const pid_t pid = (*responder)->pid();
  (*responder)->Stop();
  (*responder)->Stop();
  EXPECT_EQ((*responder)->pid(), -1);
  EXPECT_FALSE(ProcessExists(pid));
  EXPECT_THAT(ReadFileOrDie((*responder)->log_path()), HasSubstr("waiting for OCSP client"));
}

TEST(OcspResponder, RespondersGetDistinctPorts) {
  absl::StatusOr<std::unique_ptr<OcspResponder>> first = OcspResponder::Start(CaPublicOptions());
  absl::StatusOr<std::unique_ptr<OcspResponder>> second = OcspResponder::Start(CaPublicOptions());
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE((*first)->port(), (*second)->port());
}

TEST(OcspResponder, MoveTransfersOwnership) {
  absl::StatusOr<std::unique_ptr<OcspResponder>> started = OcspResponder::Start(CaPublicOptions());
  ASSERT_TRUE(started.ok()) << started.status();
  const pid_t pid = (*started)->pid();
  OcspResponder moved = std::move(**started);
  EXPECT_EQ((*started)->pid(), -1);
  started->reset();  // the moved-from shell must not stop the process
  EXPECT_TRUE(ProcessExists(pid));
  EXPECT_EQ(moved.pid(), pid);
  EXPECT_THAT(AskAbout(moved, "signer-rsa2048").stdout_text, HasSubstr(": good"));
}

TEST(OcspResponder, MissingIndexIsNotFound) {
  OcspResponderOptions options = CaPublicOptions();
  options.index_file = PkiDir() + "/ca/no-such-ca/index.txt";
  absl::StatusOr<std::unique_ptr<OcspResponder>> responder = OcspResponder::Start(options);
  EXPECT_EQ(responder.status().code(), absl::StatusCode::kNotFound) << responder.status();
}

TEST(OcspResponder, OpensslFailureCarriesItsLog) {
  OcspResponderOptions options = CaPublicOptions();
  options.responder_key = PkiDir() + "/certs/ca-public.pem";  // a certificate, not a key
  absl::StatusOr<std::unique_ptr<OcspResponder>> responder = OcspResponder::Start(options);
  EXPECT_EQ(responder.status().code(), absl::StatusCode::kFailedPrecondition) << responder.status();
  EXPECT_THAT(std::string(responder.status().message()), HasSubstr("openssl ocsp exited"));
}

TEST(OcspResponder, MissingProgramIsReported) {
  OcspResponderOptions options = CaPublicOptions();
  options.openssl = "kyso-no-such-openssl";
  absl::StatusOr<std::unique_ptr<OcspResponder>> responder = OcspResponder::Start(options);
  EXPECT_EQ(responder.status().code(), absl::StatusCode::kNotFound) << responder.status();
}

}  // namespace
}  // namespace kyso::testing
