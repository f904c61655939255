// The gRPC service against a real server on a loopback port chosen by the kernel.
#include "service/server/server.h"

#include <grpcpp/generic/generic_stub.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kyso/v1/verifier.grpc.pb.h"
#include "tests/support/ocsp_responder.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"
#include "tests/unit/verifier_fixture.h"

namespace kyso {
namespace {

using ::kyso::testing::DemoContext;
using ::kyso::testing::DocsDir;
using ::kyso::testing::ManifestRow;
using ::kyso::testing::PkiDir;
using ::kyso::testing::ReadFileOrDie;
using ::kyso::testing::ReadManifest;
using ::kyso::testing::VerdictString;
using ::kyso::testing::XmlDir;

std::string ProtoVerdict(const v1::DocumentResult& r) {
  if (r.sub_indication() == v1::SUB_INDICATION_UNSPECIFIED)
    return v1::Indication_Name(r.indication());
  return absl::StrCat(v1::Indication_Name(r.indication()), "/",
                      v1::SubIndication_Name(r.sub_indication()));
}

// A TLS CA, a server certificate for 127.0.0.1 and a client certificate, made with the openssl
// CLI into a fresh folder.
struct TlsFiles {
  std::string dir;
  std::string Read(const std::string& name) const { return ReadFileOrDie(dir + "/" + name); }
};

TlsFiles MakeTlsFiles() {
  TlsFiles f;
  f.dir = absl::StrCat(::testing::TempDir(), "/kyso-tls-", ::getpid());
  std::filesystem::remove_all(f.dir);
  std::filesystem::create_directories(f.dir);
  auto run = [&](std::vector<std::string> args) {
    auto r = ::kyso::testing::RunCommand(args);
    ASSERT_TRUE(r.ok() && r->exit_code == 0)
        << args[1] << ": " << (r.ok() ? r->stderr_text : r.status().ToString());
  };
  std::ofstream(f.dir + "/server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  std::ofstream(f.dir + "/client.ext") << "extendedKeyUsage=clientAuth\n";
  for (const char* ca : {"ca", "other-ca"}) {
    run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", f.dir + "/" + ca + ".key", "-out", f.dir + "/" + ca + ".pem", "-days",
         "2", "-subj", std::string("/CN=kyso test ") + ca});
  }
  auto issue = [&](const std::string& name, const std::string& ca, const std::string& cn) {
    run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", f.dir + "/" + name + ".key", "-out", f.dir + "/" + name + ".csr", "-subj",
         "/CN=" + cn});
    run({"openssl", "x509", "-req", "-in", f.dir + "/" + name + ".csr", "-CA",
         f.dir + "/" + ca + ".pem", "-CAkey", f.dir + "/" + ca + ".key", "-CAcreateserial", "-out",
         f.dir + "/" + name + ".pem", "-days", "2", "-extfile",
         f.dir + "/" + (name == "server" ? "server" : "client") + ".ext"});
  };
  issue("server", "ca", "localhost");
  issue("client", "ca", "commune-system-01");
  issue("stranger", "other-ca", "stranger");
  return f;
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(int workers = 2, size_t queue = 256, size_t max_bytes = 64 << 20,
                   ServerOptions server_options = {}) {
    cpu_ = std::make_unique<WorkerPool>(workers, queue);
    VerifierServiceOptions options;
    options.max_document_bytes = max_bytes;
    options.stream_window = 8;
    options.audit = [this](const AuditRecord& record) {
      absl::MutexLock lock(&audit_mu_);
      audit_.push_back(record);
    };
    options.on_call = [this](const CallRecord& record) {
      absl::MutexLock lock(&audit_mu_);
      calls_.push_back(absl::StrCat(record.method, " ", record.code));
    };
    VerificationContext context = DemoContext();
    if (online_ != nullptr) {
      // Revocation answers are fresh now, so "now" is the clock, and the pinned validation time
      // stays for the certificates.
      context.now = absl::Now();
      context.policy.revocation = RevocationMode::kRequire;
      context.intermediates = IntermediateRevocation::kOff;
    }
    service_ = std::make_unique<VerifierService>(
        options, &verifier_, [context] { return context; }, online_.get(), cpu_.get());
    server_options.listen = "127.0.0.1:0";
    server_options.max_message_bytes = max_bytes;
    auto server = KysoServer::Start(server_options, service_.get());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    Connect(grpc::InsecureChannelCredentials());
  }

  // Blocks one CPU worker until `release` is notified, and returns once it is blocked. The gate
  // is shared with the task, so it outlives the test body even if the task runs later.
  void OccupyTheWorker(std::shared_ptr<absl::Notification> release) {
    auto started = std::make_shared<absl::Notification>();
    cpu_->Submit([release, started] {
      started->Notify();
      release->WaitForNotification();
    });
    started->WaitForNotification();
  }

  void Connect(std::shared_ptr<grpc::ChannelCredentials> credentials) {
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()), credentials);
    stub_ = v1::SignatureVerifier::NewStub(channel_);
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(5));
    server_.reset();
    service_.reset();
    cpu_.reset();
  }

  grpc::Status Verify(const std::string& content, v1::VerifyResponse* response,
                      absl::Duration deadline = absl::Seconds(30),
                      grpc::ClientContext* context = nullptr) {
    grpc::ClientContext local;
    grpc::ClientContext* ctx = context != nullptr ? context : &local;
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::milliseconds(absl::ToInt64Milliseconds(deadline)));
    v1::VerifyRequest request;
    request.set_request_id("one");
    request.set_content(content);
    return stub_->Verify(ctx, request, response);
  }

  Verifier verifier_;
  absl::Mutex audit_mu_;
  std::vector<AuditRecord> audit_ ABSL_GUARDED_BY(audit_mu_);
  std::vector<std::string> calls_ ABSL_GUARDED_BY(audit_mu_);  // "method code", as they finish
  std::unique_ptr<OnlineRevocationSource> online_;  // set before StartServer for revocation
  std::unique_ptr<WorkerPool> cpu_;
  std::unique_ptr<VerifierService> service_;
  std::unique_ptr<KysoServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SignatureVerifier::Stub> stub_;
};

TEST_F(ServerTest, UnaryVerifyOfEachFormat) {
  StartServer();
  v1::VerifyResponse cms;
  ASSERT_TRUE(Verify(ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"), &cms).ok());
  EXPECT_EQ(cms.request_id(), "one");
  EXPECT_EQ(ProtoVerdict(cms.result()), "TOTAL_PASSED");
  EXPECT_EQ(cms.result().signatures(0).signer().identifiers().at("MST"), "0101234567");
  v1::VerifyResponse xml;
  ASSERT_TRUE(Verify(ReadFileOrDie(XmlDir() + "/einvoice-valid.xml"), &xml).ok());
  EXPECT_EQ(ProtoVerdict(xml.result()), "TOTAL_PASSED");
  EXPECT_EQ(xml.result().signatures_size(), 2);
  {
    // One audit record per document: request, client, digest, signer, outcome; never content.
    absl::MutexLock lock(&audit_mu_);
    ASSERT_EQ(audit_.size(), 2u);
    EXPECT_EQ(audit_[0].method, "Verify");
    EXPECT_EQ(audit_[0].request_id, "one");
    EXPECT_NE(audit_[0].client.find("127.0.0.1"), std::string::npos) << audit_[0].client;
    EXPECT_EQ(audit_[0].document_sha256, cms.result().document_sha256());
    ASSERT_EQ(audit_[0].signer_sha256.size(), 1u);
    EXPECT_EQ(audit_[0].signer_sha256[0], cms.result().signatures(0).signer().certificate_sha256());
    EXPECT_TRUE(audit_[0].verdict.passed());
    EXPECT_EQ(audit_[1].signer_sha256.size(), 2u);  // the e-invoice's two signers
  }
  // A malformed document is a report, not an RPC error.
  v1::VerifyResponse garbage;
  ASSERT_TRUE(Verify(ReadFileOrDie(DocsDir() + "/random.p7s"), &garbage).ok());
  EXPECT_EQ(ProtoVerdict(garbage.result()), "TOTAL_FAILED/FORMAT_FAILURE");
}

TEST_F(ServerTest, RequestErrorsAreStatuses) {
  StartServer(2, 256, /*max_bytes=*/64 << 10);
  v1::VerifyResponse response;
  EXPECT_EQ(Verify("", &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Verify(std::string(100 << 10, '0'), &response).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Past the gRPC message limit itself (max + 1 MiB of envelope).
  EXPECT_EQ(Verify(std::string(2 << 20, '0'), &response).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(ServerTest, StreamOfTenThousandMixedDocumentsAnswersEachOnceWithTheInProcessResult) {
  StartServer();
  // Every CMS and XML fixture, valid and broken, cycled.
  struct Doc {
    std::string bytes;
    std::string expected;  // the in-process verdict
  };
  std::vector<Doc> docs;
  const VerificationContext ctx = DemoContext();
  for (const auto& [dir, rows] :
       {std::pair{DocsDir(), ReadManifest()}, std::pair{XmlDir(), ReadManifest(XmlDir())}}) {
    for (const ManifestRow& row : rows) {
      if (row.file == "big-text.xml") continue;  // 10 MB: kept out only to keep the test quick
      Doc d{ReadFileOrDie(dir + "/" + row.file), ""};
      d.expected = VerdictString(verifier_.VerifyDocument(d.bytes, std::nullopt, ctx).verdict);
      docs.push_back(std::move(d));
    }
  }
  constexpr int kDocuments = 10000;
  grpc::ClientContext context;
  auto stream = stub_->VerifyStream(&context);
  std::thread writer([&] {
    for (int i = 0; i < kDocuments; ++i) {
      v1::VerifyRequest request;
      request.set_request_id(absl::StrCat(i));
      request.set_content(docs[i % docs.size()].bytes);
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  std::set<std::string> seen;
  v1::VerifyResponse response;
  int mismatches = 0;
  while (stream->Read(&response)) {
    EXPECT_TRUE(seen.insert(response.request_id()).second) << "twice: " << response.request_id();
    const int i = std::stoi(response.request_id());
    if (ProtoVerdict(response.result()) != docs[i % docs.size()].expected) ++mismatches;
  }
  writer.join();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(seen.size(), static_cast<size_t>(kDocuments));
  EXPECT_EQ(mismatches, 0);
  absl::MutexLock lock(&audit_mu_);
  EXPECT_EQ(audit_.size(), static_cast<size_t>(kDocuments));  // one audit record per document
  EXPECT_EQ(audit_.back().method, "VerifyStream");
}

TEST_F(ServerTest, AClientThatReadsSlowlyHoldsAtMostTheWindowOnTheServer) {
  StartServer();  // stream window 8
  const std::string doc = ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s");
  // Several times what gRPC's flow-control windows buffer (the sender stalls after ~3,500 of
  // these 3.5 KB requests here).
  constexpr int kDocuments = 12000;
  grpc::ClientContext context;
  auto stream = stub_->VerifyStream(&context);
  std::atomic<int> sent{0};
  std::thread writer([&] {
    for (int i = 0; i < kDocuments; ++i) {
      v1::VerifyRequest request;
      request.set_request_id(absl::StrCat(i));
      request.set_content(doc);
      if (!stream->Write(request)) break;
      sent.fetch_add(1);
    }
    stream->WritesDone();
  });
  // Read nothing until the sender is stalled: the server holds its whole window and the sender
  // has made no progress for a while (bounded wait; the assertions below are not about time).
  int stalled_polls = 0;
  int last_sent = -1;
  for (int i = 0; i < 3000 && stalled_polls < 20; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    const int now_sent = sent.load();
    stalled_polls =
        (now_sent == last_sent && service_->documents_in_flight() == 8) ? stalled_polls + 1 : 0;
    last_sent = now_sent;
  }
  const int sent_while_not_reading = sent.load();
  // Back-pressure reached the client: it could not push the archive into the server...
  EXPECT_LT(sent_while_not_reading, kDocuments);
  // ...and the server held no more than its window of documents (read, not yet written).
  EXPECT_LE(service_->documents_in_flight(), 8);
  EXPECT_LE(service_->max_stream_held(), 8u);
  // Reading again drains everything, each document answered once.
  std::set<std::string> seen;
  v1::VerifyResponse response;
  while (stream->Read(&response)) EXPECT_TRUE(seen.insert(response.request_id()).second);
  writer.join();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(seen.size(), static_cast<size_t>(kDocuments));
  EXPECT_LE(service_->max_stream_held(), 8u);
  EXPECT_EQ(service_->documents_in_flight(), 0);
  std::cerr << "the client sent " << sent_while_not_reading << " of " << kDocuments
            << " documents before back-pressure stopped it\n";
}

TEST_F(ServerTest, ValidateCertificateWithRevocationFromARealResponder) {
  ::kyso::testing::OcspResponderOptions responder_options;
  responder_options.index_file = PkiDir() + "/ca/ca-public/index.txt";
  responder_options.ca_cert = PkiDir() + "/certs/ca-public.pem";
  responder_options.responder_cert = PkiDir() + "/certs/ocsp-public.pem";
  responder_options.responder_key = PkiDir() + "/keys/ocsp-public.key";
  auto responder = ::kyso::testing::OcspResponder::Start(responder_options);
  ASSERT_TRUE(responder.ok()) << responder.status();
  OnlineSourceOptions online_options;
  online_options.ocsp_overrides["VNPT-CA Public (Demo)"] = (*responder)->url();
  online_ = std::make_unique<OnlineRevocationSource>(online_options, nullptr);
  StartServer();
  auto validate = [&](const std::string& name, v1::ValidateCertificateResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::ValidateCertificateRequest request;
    request.set_request_id(name);
    request.set_certificate(ReadFileOrDie(PkiDir() + "/certs/" + name + ".pem"));
    // Now: the responder dates its answers now, and the demo revocation happened before now.
    request.mutable_validation_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    return stub_->ValidateCertificate(&context, request, response);
  };
  v1::ValidateCertificateResponse good;
  ASSERT_TRUE(validate("signer-rsa2048", &good).ok());
  EXPECT_EQ(good.request_id(), "signer-rsa2048");
  EXPECT_EQ(good.indication(), v1::TOTAL_PASSED);
  EXPECT_EQ(good.chain_size(), 3);
  EXPECT_EQ(good.revocation().status(), v1::GOOD);
  EXPECT_EQ(good.revocation().source(), v1::OCSP);
  v1::ValidateCertificateResponse revoked;
  ASSERT_TRUE(validate("signer-revoked", &revoked).ok());
  EXPECT_NE(revoked.indication(), v1::TOTAL_PASSED);
  EXPECT_EQ(revoked.revocation().status(), v1::REVOKED_STATUS);
  EXPECT_EQ(revoked.revocation().source(), v1::OCSP);
  v1::ValidateCertificateResponse untrusted;
  ASSERT_TRUE(validate("signer-untrusted", &untrusted).ok());
  EXPECT_EQ(untrusted.sub_indication(), v1::NO_CERTIFICATE_CHAIN_FOUND);
  // A request without a certificate is the request's error.
  grpc::ClientContext context;
  v1::ValidateCertificateResponse none;
  EXPECT_EQ(
      stub_->ValidateCertificate(&context, v1::ValidateCertificateRequest(), &none).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  absl::MutexLock lock(&audit_mu_);
  EXPECT_EQ(std::count(calls_.begin(), calls_.end(), "ValidateCertificate 0"), 3);
  EXPECT_EQ(std::count(calls_.begin(), calls_.end(), "ValidateCertificate 3"), 1);
}

TEST_F(ServerTest, FullQueueIsResourceExhaustedWithARetryHint) {
  StartServer(/*workers=*/1, /*queue=*/1);
  // Shared, not on the stack: the queued task below still runs after this test body returns.
  auto release = std::make_shared<absl::Notification>();
  OccupyTheWorker(release);
  cpu_->Submit([release] { release->WaitForNotification(); });  // the queue's one place
  grpc::ClientContext context;
  v1::VerifyResponse response;
  const grpc::Status status = Verify(ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"), &response,
                                     absl::Seconds(30), &context);
  release->Notify();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const auto& trailers = context.GetServerTrailingMetadata();
  EXPECT_NE(trailers.find("retry-after-ms"), trailers.end());
  EXPECT_EQ(service_->refused(), 1u);
}

TEST_F(ServerTest, ExpiredWorkIsDroppedBeforeItRuns) {
  StartServer(/*workers=*/1, /*queue=*/8);
  // Connect first, so that the short deadline below is spent waiting in the server's queue, not
  // setting up the connection.
  v1::VerifyResponse warm;
  ASSERT_TRUE(Verify(ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"), &warm).ok());
  auto release = std::make_shared<absl::Notification>();
  OccupyTheWorker(release);
  v1::VerifyResponse response;
  // Queued behind the blocked worker; its deadline passes while it waits.
  const grpc::Status status =
      Verify(ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"), &response, absl::Milliseconds(500));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // The server's deadline is the client's timeout counted from when the request arrived, so it
  // lags the client's by the transit time; let it pass too before the worker picks the task up
  // (otherwise the task may legitimately still be live and get verified).
  absl::SleepFor(absl::Seconds(1));
  release->Notify();
  // The server notices when the task comes up, and does not verify it.
  for (int i = 0; i < 1000 && service_->dropped() == 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(service_->dropped(), 1u);
}

std::shared_ptr<grpc::ChannelCredentials> Tls(const TlsFiles& f, const std::string& client = "") {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = f.Read("ca.pem");
  if (!client.empty()) {
    ssl.pem_cert_chain = f.Read(client + ".pem");
    ssl.pem_private_key = f.Read(client + ".key");
  }
  return grpc::SslCredentials(ssl);
}

TEST_F(ServerTest, TlsWithoutClientCertificates) {
  const TlsFiles f = MakeTlsFiles();
  ServerOptions options;
  options.tls_cert_pem = f.Read("server.pem");
  options.tls_key_pem = f.Read("server.key");
  StartServer(2, 256, 64 << 20, options);
  Connect(Tls(f));
  v1::VerifyResponse response;
  ASSERT_TRUE(Verify(ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"), &response).ok());
  EXPECT_EQ(ProtoVerdict(response.result()), "TOTAL_PASSED");
  // A plaintext client cannot talk to a TLS server.
  Connect(grpc::InsecureChannelCredentials());
  EXPECT_FALSE(
      Verify(ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"), &response, absl::Seconds(5)).ok());
}

TEST_F(ServerTest, MutualTlsAcceptsTheClientCaAndRefusesOthers) {
  const TlsFiles f = MakeTlsFiles();
  ServerOptions options;
  options.tls_cert_pem = f.Read("server.pem");
  options.tls_key_pem = f.Read("server.key");
  options.tls_client_ca_pem = f.Read("ca.pem");
  StartServer(2, 256, 64 << 20, options);
  const std::string doc = ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s");
  v1::VerifyResponse response;
  Connect(Tls(f, "client"));
  ASSERT_TRUE(Verify(doc, &response).ok());
  {
    absl::MutexLock lock(&audit_mu_);
    ASSERT_EQ(audit_.size(), 1u);
    // The client's identity, from its verified certificate, is what the audit log records.
    EXPECT_NE(audit_[0].client.find("commune-system-01"), std::string::npos) << audit_[0].client;
  }
  Connect(Tls(f));  // no client certificate
  EXPECT_EQ(Verify(doc, &response, absl::Seconds(5)).error_code(), grpc::StatusCode::UNAVAILABLE);
  Connect(Tls(f, "stranger"));  // a certificate from another CA
  EXPECT_EQ(Verify(doc, &response, absl::Seconds(5)).error_code(), grpc::StatusCode::UNAVAILABLE);
  absl::MutexLock lock(&audit_mu_);
  EXPECT_EQ(audit_.size(), 1u);  // refused at the handshake: nothing was verified
}

TEST_F(ServerTest, HealthIsServing) {
  StartServer();
  // grpc.health.v1.Health/Check with an empty HealthCheckRequest; the answer is
  // HealthCheckResponse{status: SERVING (1)}, encoded 08 01.
  grpc::GenericStub generic(channel_);
  grpc::ClientContext context;
  grpc::Slice empty(std::string{});
  grpc::ByteBuffer request(&empty, 1);  // an empty message (a default ByteBuffer is no message)
  grpc::ByteBuffer reply;
  absl::Notification done;
  grpc::Status status;
  generic.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &reply,
                    [&](grpc::Status s) {
                      status = std::move(s);
                      done.Notify();
                    });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(reply.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
}

}  // namespace
}  // namespace kyso
