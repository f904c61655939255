// Verification whose revocation waits hold no calling thread: fifty documents from one signer
// arrive while the responder is stalled; every call returns at once, one request is made, and all
// fifty complete when the responder answers.
#include "service/revocation/async_verify.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "service/worker_pool.h"
#include "tests/support/test_data.h"
#include "tests/support/test_http_server.h"
#include "tests/unit/ocsp_fixtures.h"
#include "tests/unit/verifier_fixture.h"

namespace kyso {
namespace {

using ::kyso::testing::BuildResponse;
using ::kyso::testing::DemoContext;
using ::kyso::testing::DocsDir;
using ::kyso::testing::HttpReply;
using ::kyso::testing::HttpRequest;
using ::kyso::testing::ReadFileOrDie;
using ::kyso::testing::ResponseSpec;
using ::kyso::testing::TestHttpServer;
using ::kyso::testing::VerdictString;

TEST(AsyncVerify, RevocationWaitsHoldNoCallerThread) {
  absl::Notification release;
  auto server = TestHttpServer::Start([&](const HttpRequest&) {
    // Stalled until the test has issued every verification (bounded, so a bug fails the test
    // instead of hanging it).
    release.WaitForNotificationWithTimeout(absl::Seconds(30));
    ResponseSpec spec;
    spec.this_update = absl::Now() - absl::Minutes(1);
    spec.next_update = absl::Now() + absl::Hours(1);
    HttpReply reply;
    reply.body = BuildResponse(spec);
    return reply;
  });
  ASSERT_TRUE(server.ok());
  OnlineSourceOptions options;
  options.ocsp_overrides["VNPT-CA Public (Demo)"] = (*server)->url();
  options.ocsp_timeout = absl::Seconds(60);
  OnlineRevocationSource online(options, nullptr);
  WorkerPool cpu(2, 1000);  // stands in for the service's CPU workers
  Verifier verifier;
  VerificationContext ctx = DemoContext();
  ctx.policy.revocation = RevocationMode::kRequire;
  ctx.intermediates = IntermediateRevocation::kOff;  // the signer's status is what is exercised
  ctx.now = absl::Now();
  const std::string doc = ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s");

  constexpr int kDocuments = 50;
  std::atomic<int> completed{0};
  std::atomic<int> passed{0};
  absl::Notification all_done;
  auto done = [&](DocumentReport report) {
    if (VerdictString(report.verdict) == "TOTAL_PASSED") ++passed;
    if (++completed == kDocuments) all_done.Notify();
  };
  for (int i = 0; i < kDocuments; ++i) {
    VerifyWithAsyncRevocation(
        &verifier, doc, {}, ctx, &online,
        [&cpu](std::function<void()> task) { cpu.Submit(std::move(task)); }, done);
  }
  // Every call has returned while the responder still holds its answer: nothing waited on it.
  EXPECT_EQ(completed.load(), 0);
  release.Notify();
  ASSERT_TRUE(all_done.WaitForNotificationWithTimeout(absl::Seconds(60)));
  EXPECT_EQ(passed.load(), kDocuments);
  EXPECT_EQ((*server)->request_count(), 1);

  // Warm: the whole verification happens in pass 1, before the call returns.
  int warm = 0;
  VerifyWithAsyncRevocation(
      &verifier, doc, {}, ctx, &online, [](std::function<void()>) { FAIL() << "no second pass"; },
      [&](DocumentReport report) {
        EXPECT_EQ(VerdictString(report.verdict), "TOTAL_PASSED");
        EXPECT_TRUE(report.signatures.at(0).revocation.from_cache);
        ++warm;
      });
  EXPECT_EQ(warm, 1);
  EXPECT_EQ((*server)->request_count(), 1);
}

TEST(AsyncVerify, UnreachableResponderIsTryLaterAfterTheSecondPass) {
  OnlineSourceOptions options;
  options.ocsp_overrides["VNPT-CA Public (Demo)"] = "http://127.0.0.1:1/";
  options.crl_overrides["VNPT-CA Public (Demo)"] = "http://127.0.0.1:1/x.crl";
  OnlineRevocationSource online(options, nullptr);
  Verifier verifier;
  VerificationContext ctx = DemoContext();
  ctx.policy.revocation = RevocationMode::kRequire;
  ctx.intermediates = IntermediateRevocation::kOff;
  ctx.now = absl::Now();
  absl::Notification finished;
  std::string verdict;
  VerifyWithAsyncRevocation(
      &verifier, ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"), {}, ctx, &online,
      [](std::function<void()> task) { task(); },
      [&](DocumentReport report) {
        verdict = VerdictString(report.verdict);
        finished.Notify();
      });
  ASSERT_TRUE(finished.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(verdict, "INDETERMINATE/TRY_LATER");
}

}  // namespace
}  // namespace kyso
