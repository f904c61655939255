// The online revocation source against real parts on loopback: `openssl ocsp` responders, a real
// SQLite cache file, and a small HTTP server that serves CRLs or misbehaves on purpose.
#include "service/revocation/online_source.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "crypto/verifier.h"
#include "gtest/gtest.h"
#include "tests/support/ocsp_responder.h"
#include "tests/support/test_data.h"
#include "tests/support/test_http_server.h"
#include "tests/unit/ocsp_fixtures.h"
#include "tests/unit/verifier_fixture.h"

namespace kyso {
namespace {

using ::kyso::testing::BuildResponse;
using ::kyso::testing::BuildStatusResponse;
using ::kyso::testing::Cert;
using ::kyso::testing::HttpReply;
using ::kyso::testing::HttpRequest;
using ::kyso::testing::OcspResponder;
using ::kyso::testing::OcspResponderOptions;
using ::kyso::testing::PkiDir;
using ::kyso::testing::ResponseSpec;
using ::kyso::testing::TestHttpServer;

constexpr char kCaPublic[] = "VNPT-CA Public (Demo)";

std::unique_ptr<OcspResponder> StartResponder(std::vector<std::string> extra_args = {}) {
  OcspResponderOptions options;
  options.index_file = PkiDir() + "/ca/ca-public/index.txt";
  options.ca_cert = PkiDir() + "/certs/ca-public.pem";
  options.responder_cert = PkiDir() + "/certs/ocsp-public.pem";
  options.responder_key = PkiDir() + "/keys/ocsp-public.key";
  options.extra_args = std::move(extra_args);
  auto responder = OcspResponder::Start(options);
  EXPECT_TRUE(responder.ok()) << responder.status();
  return responder.ok() ? *std::move(responder) : nullptr;
}

OnlineSourceOptions PointedAt(const std::string& ocsp_url, const std::string& crl_url = "") {
  OnlineSourceOptions options;
  options.ocsp_overrides[kCaPublic] = ocsp_url;
  // Without an override the CRL fallback would try the certificate's fixed demo port.
  options.crl_overrides[kCaPublic] = crl_url.empty() ? "http://127.0.0.1:1/none.crl" : crl_url;
  options.ocsp_timeout = absl::Seconds(1);
  options.crl_timeout = absl::Seconds(1);
  return options;
}

RevocationQuery Query(const std::string& signer, absl::Time now = absl::Now()) {
  return RevocationQuery{Cert(signer), Cert("ca-public"), now};
}

TEST(OnlineSource, GoodAndRevokedFromARealResponderThenFromMemory) {
  auto responder = StartResponder();
  ASSERT_NE(responder, nullptr);
  OnlineRevocationSource source(PointedAt(responder->url()), nullptr);
  auto good = source.Check(Query("signer-rsa2048"));
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->status, RevocationStatus::kGood);
  EXPECT_FALSE(good->from_cache);
  EXPECT_EQ(good->url, responder->url());
  auto revoked = source.Check(Query("signer-revoked"));
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->status, RevocationStatus::kRevoked);
  EXPECT_EQ(revoked->revocation_reason, "keyCompromise");
  auto again = source.Check(Query("signer-rsa2048"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->from_cache);
  EXPECT_EQ(source.cache_stats().memory_hits, 1u);
  EXPECT_EQ(source.fetch_stats().at(responder->url()).requests, 2u);
}

TEST(OnlineSource, TwoHundredConcurrentVerificationsMakeOneRequest) {
  // 200 documents from one signer verified at once with a cold cache. The responder answers
  // exactly one request and exits (-nrequest 1): a second request would be refused and show up
  // as TRY_LATER below. The count is the responder's, not kyso's.
  auto responder = StartResponder({"-nrequest", "1"});
  ASSERT_NE(responder, nullptr);
  OnlineRevocationSource source(PointedAt(responder->url()), nullptr);
  Verifier verifier;
  VerificationContext ctx = ::kyso::testing::DemoContext();
  ctx.revocation = &source;
  ctx.now = absl::Now();
  ctx.policy.revocation = RevocationMode::kRequire;
  ctx.intermediates = IntermediateRevocation::kOff;  // the signer's answer is what is counted
  const std::string doc =
      ::kyso::testing::ReadFileOrDie(::kyso::testing::DocsDir() + "/valid-rsa2048.p7s");
  std::vector<std::thread> threads;
  std::atomic<int> passed{0};
  for (int i = 0; i < 200; ++i) {
    threads.emplace_back([&] {
      const DocumentReport report = verifier.VerifyDocument(doc, std::nullopt, ctx);
      if (report.verdict.passed() &&
          report.signatures.at(0).revocation.status == RevocationStatus::kGood) {
        ++passed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(passed.load(), 200);
  EXPECT_EQ(source.fetch_stats().at(responder->url()).requests, 1u);
}

TEST(OnlineSource, PersistentCacheSurvivesARestartWithTheResponderGone) {
  const std::string path =
      ::testing::TempDir() + "/online-source-" + std::to_string(::getpid()) + ".sqlite";
  std::remove(path.c_str());
  {
    auto responder = StartResponder();
    ASSERT_NE(responder, nullptr);
    auto store = EvidenceStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    OnlineRevocationSource source(PointedAt(responder->url()), *std::move(store));
    auto evidence = source.Check(Query("signer-rsa2048"));
    ASSERT_TRUE(evidence.ok()) << evidence.status();
    EXPECT_FALSE(evidence->from_cache);
  }  // the responder stops here
  auto store = EvidenceStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  OnlineRevocationSource restarted(PointedAt("http://127.0.0.1:1/"), *std::move(store));
  auto evidence = restarted.Check(Query("signer-rsa2048"));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->status, RevocationStatus::kGood);
  EXPECT_TRUE(evidence->from_cache);
  EXPECT_EQ(restarted.cache_stats().persistent_hits, 1u);
  std::remove(path.c_str());
}

// Each misbehaving responder: no evidence, and nothing cached (a second check asks again).
struct Fault {
  const char* name;
  std::function<HttpReply(const HttpRequest&)> reply;
};

TEST(OnlineSource, FaultyRespondersGiveNoEvidenceAndNothingIsCached) {
  const absl::Time now = testing::kPinnedNow;
  auto reply_with = [](std::string body) {
    return [body](const HttpRequest&) {
      HttpReply r;
      r.content_type = "application/ocsp-response";
      r.body = body;
      return r;
    };
  };
  ResponseSpec stale;
  stale.this_update = now - absl::Hours(72);
  stale.next_update = now - absl::Hours(48);
  ResponseSpec future;
  future.this_update = now + absl::Hours(2);
  ResponseSpec unauthorized;
  unauthorized.signer = "signer-cmnd";
  ResponseSpec other_ca_responder;
  other_ca_responder.signer = "ocsp-ministry";
  ResponseSpec other_serial;
  other_serial.about = "signer-cmnd";
  const std::vector<Fault> faults = {
      {"hang",
       [](const HttpRequest&) {
         HttpReply r;
         r.fault = HttpReply::Fault::kHang;
         return r;
       }},
      {"http 500",
       [](const HttpRequest&) {
         HttpReply r;
         r.status = 500;
         return r;
       }},
      {"garbage body", reply_with("this is not DER")},
      {"truncated body",
       [&](const HttpRequest&) {
         HttpReply r;
         r.body = BuildResponse({});
         r.fault = HttpReply::Fault::kTruncateBody;
         return r;
       }},
      {"oversized body", reply_with(std::string(100 << 10, 'x'))},
      {"redirect",
       [](const HttpRequest&) {
         HttpReply r;
         r.status = 302;
         r.extra_headers.push_back({"Location", "http://127.0.0.1:1/elsewhere"});
         return r;
       }},
      {"tryLater", reply_with(BuildStatusResponse(OCSP_RESPONSE_STATUS_TRYLATER))},
      {"stale nextUpdate", reply_with(BuildResponse(stale))},
      {"future thisUpdate", reply_with(BuildResponse(future))},
      {"signer without OCSP EKU", reply_with(BuildResponse(unauthorized))},
      {"responder of another CA", reply_with(BuildResponse(other_ca_responder))},
      {"answer for another serial", reply_with(BuildResponse(other_serial))},
  };
  for (const Fault& fault : faults) {
    auto server = TestHttpServer::Start(fault.reply);
    ASSERT_TRUE(server.ok()) << server.status();
    OnlineRevocationSource source(PointedAt((*server)->url()), nullptr);
    auto first = source.Check(Query("signer-rsa2048", now));
    EXPECT_FALSE(first.ok()) << fault.name;
    auto second = source.Check(Query("signer-rsa2048", now));
    EXPECT_FALSE(second.ok()) << fault.name;
    EXPECT_EQ((*server)->request_count(), 2) << fault.name << ": the failure was cached";
    EXPECT_EQ(source.cache_stats().memory_hits, 0u) << fault.name;
    // And what a document signed by that certificate gets: TRY_LATER when revocation is required,
    // a pass with a warning when it is preferred.
    Verifier verifier;
    VerificationContext ctx = ::kyso::testing::DemoContext();
    ctx.revocation = &source;
    ctx.now = now;
    ctx.intermediates = IntermediateRevocation::kOff;
    ctx.policy.revocation = RevocationMode::kRequire;
    const std::string doc =
        ::kyso::testing::ReadFileOrDie(::kyso::testing::DocsDir() + "/valid-rsa2048.p7s");
    EXPECT_EQ(
        ::kyso::testing::VerdictString(verifier.VerifyDocument(doc, std::nullopt, ctx).verdict),
        "INDETERMINATE/TRY_LATER")
        << fault.name;
    ctx.policy.revocation = RevocationMode::kPrefer;
    const DocumentReport preferred = verifier.VerifyDocument(doc, std::nullopt, ctx);
    EXPECT_EQ(::kyso::testing::VerdictString(preferred.verdict), "TOTAL_PASSED") << fault.name;
    EXPECT_EQ(preferred.signatures.at(0).revocation.status, RevocationStatus::kUnavailable)
        << fault.name;
  }
}

TEST(OnlineSource, HotEntriesAreRefreshedBeforeTheyExpire) {
  // Every answer is fresh for two minutes; entries expiring within five minutes and used three
  // times are fetched again in the background. Nothing waits on a clock: the test polls for the
  // second request, with a generous bound only so that a broken refresher fails instead of hanging.
  auto server = TestHttpServer::Start([](const HttpRequest&) {
    ResponseSpec spec;
    spec.this_update = absl::Now() - absl::Minutes(1);
    spec.next_update = absl::Now() + absl::Minutes(2);
    HttpReply r;
    r.body = BuildResponse(spec);
    return r;
  });
  ASSERT_TRUE(server.ok());
  OnlineSourceOptions options = PointedAt((*server)->url());
  options.refresh_ahead = absl::Minutes(5);
  options.refresh_after_uses = 2;
  OnlineRevocationSource source(options, nullptr);
  for (int i = 0; i < 3; ++i) {
    auto evidence = source.Check(Query("signer-rsa2048"));
    ASSERT_TRUE(evidence.ok()) << evidence.status();
    EXPECT_EQ(evidence->status, RevocationStatus::kGood);
  }
  for (int i = 0; i < 1000 && source.refreshes() == 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(source.refreshes(), 1u);
  EXPECT_EQ((*server)->request_count(), 2);
  EXPECT_EQ(source.cache_stats().misses, 1u);  // the refresh was not a miss on anyone's path
  auto after = source.Check(Query("signer-rsa2048"));
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->from_cache);
}

TEST(OnlineSource, UnknownIsReturnedButNotCached) {
  ResponseSpec unknown;
  unknown.cert_status = V_OCSP_CERTSTATUS_UNKNOWN;
  const std::string body = BuildResponse(unknown);
  auto server = TestHttpServer::Start([&](const HttpRequest&) {
    HttpReply r;
    r.body = body;
    return r;
  });
  ASSERT_TRUE(server.ok());
  OnlineRevocationSource source(PointedAt((*server)->url()), nullptr);
  for (int i = 0; i < 2; ++i) {
    auto evidence = source.Check(Query("signer-rsa2048", testing::kPinnedNow));
    ASSERT_TRUE(evidence.ok()) << evidence.status();
    EXPECT_EQ(evidence->status, RevocationStatus::kUnknown);
  }
  EXPECT_EQ((*server)->request_count(), 2);
}

TEST(OnlineSource, CrlFallbackWhenOcspFails) {
  // OCSP points at a dead port; the CA's CRL is served over loopback HTTP.
  auto crls = TestHttpServer::Start(TestHttpServer::ServeFolder(PkiDir() + "/crl"));
  ASSERT_TRUE(crls.ok());
  OnlineRevocationSource source(
      PointedAt("http://127.0.0.1:1/", (*crls)->url("/ca-public.crl.der")), nullptr);
  auto revoked = source.Check(Query("signer-revoked"));
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->status, RevocationStatus::kRevoked);
  EXPECT_EQ(revoked->source, RevocationSourceKind::kCrl);
  EXPECT_EQ(revoked->revocation_reason, "keyCompromise");
  auto good = source.Check(Query("signer-rsa2048"));
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->status, RevocationStatus::kGood);
  EXPECT_TRUE(good->from_cache);  // the CRL was fetched once
  EXPECT_EQ((*crls)->request_count(), 1);
}

TEST(OnlineSource, CrlSignedByTheWrongKeyIsRefused) {
  // ca-ministry's CRL served as ca-public's: its issuer and signature do not fit.
  auto crls = TestHttpServer::Start(TestHttpServer::ServeFolder(PkiDir() + "/crl"));
  ASSERT_TRUE(crls.ok());
  OnlineRevocationSource source(
      PointedAt("http://127.0.0.1:1/", (*crls)->url("/ca-ministry.crl.der")), nullptr);
  EXPECT_FALSE(source.Check(Query("signer-rsa2048")).ok());
}

}  // namespace
}  // namespace kyso
