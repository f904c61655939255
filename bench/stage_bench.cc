// Stage micro-benchmarks over the generated fixtures (tests/pki: RSA-2048, RSA-3072 and ECDSA
// P-256 signers, 4 KiB content; tests/xml: an enveloped XMLDSig document), one per stage of
// docs/ARCHITECTURE.md's "life of one document", then the whole pipeline from 1 thread to every
// core, with revocation off and with revocation required and answered from the memory cache.
//
//   build/bench/kyso_bench_stages --benchmark_format=json
//
// Validation time is pinned at 2026-01-01 like the tests. The OCSP benchmarks start a real
// `openssl ocsp` responder for the public CA (tests/support/ocsp_responder.h) and fetch once.
#include <benchmark/benchmark.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <memory>
#include <thread>

#include "absl/time/clock.h"
#include "crypto/algorithms.h"
#include "crypto/asn1/der_reader.h"
#include "crypto/cms/cms_parser.h"
#include "crypto/openssl_ptr.h"
#include "crypto/verifier.h"
#include "service/file_io.h"
#include "service/report_json.h"
#include "service/revocation/online_source.h"
#include "service/trust_loader.h"
#include "tests/support/ocsp_responder.h"

namespace kyso {
namespace {

constexpr int64_t kValidationTime = 1767225600;  // 2026-01-01T00:00:00Z

std::string DataDir() {
  const char* env = std::getenv("KYSO_TEST_DATA");
  return env != nullptr ? env : KYSO_DEFAULT_TEST_DATA;
}

std::string ReadOrDie(const std::string& path) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) {
    std::fprintf(stderr, "%s\n", std::string(bytes.status().message()).c_str());
    std::abort();
  }
  return *bytes;
}

std::string Doc(const std::string& name) { return ReadOrDie(DataDir() + "/docs/" + name); }

VerificationContext Context(RevocationMode mode = RevocationMode::kOff,
                            RevocationSource* source = nullptr) {
  auto trust = LoadTrustStore({DataDir() + "/pki/anchors"}, {DataDir() + "/pki/intermediates"}, 1);
  if (!trust.ok()) std::abort();
  VerificationContext ctx;
  ctx.trust = *trust;
  ctx.validation_time = absl::FromUnixSeconds(kValidationTime);
  ctx.policy.revocation = mode;
  ctx.now = absl::Now();
  ctx.revocation = source;
  ctx.intermediates = IntermediateRevocation::kOff;  // the public CA's responder answers the signer
  return ctx;
}

// The pieces of a document's first signature, for the stages taken one at a time.
struct SignerParts {
  std::string der;
  CertificatePtr signer;
  std::vector<CertificatePtr> embedded;
  SignatureAlgorithm alg;
  std::string to_be_signed;  // the signed attributes as SET OF
  std::string signature;
};

SignerParts Parts(const std::string& file) {
  SignerParts p;
  p.der = Doc(file);
  auto parsed = cms::ParseCms(p.der);
  if (!parsed.ok() || parsed->signed_data.signers.empty()) std::abort();
  const cms::SignerInfo& si = parsed->signed_data.signers.front();
  for (absl::string_view c : parsed->signed_data.certificates) {
    auto cert = Certificate::Parse(c);
    if (!cert.ok()) std::abort();
    p.embedded.push_back(*cert);
    if ((*cert)->serial_der() == si.sid_serial && (*cert)->issuer_der() == si.sid_issuer) {
      p.signer = *cert;
    }
  }
  auto alg = ResolveCmsSignatureAlgorithm(si.digest_algorithm, si.signature_algorithm);
  if (p.signer == nullptr || !alg.ok() || !si.signed_attributes) std::abort();
  p.alg = *alg;
  p.to_be_signed = std::string(si.signed_attributes->full);
  p.to_be_signed[0] = static_cast<char>(asn1::kTagSet);
  p.signature = std::string(si.signature);
  return p;
}

// --- parse and digest ---

void BM_CmsParse(benchmark::State& state) {
  const std::string der = Doc("valid-rsa2048.p7s");
  for (auto _ : state) benchmark::DoNotOptimize(cms::ParseCms(der));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CmsParse);

void BM_ContentDigestSha256(benchmark::State& state) {
  const std::string content(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(Digest(DigestAlgorithm::kSha256, content));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ContentDigestSha256)->Arg(4096)->Arg(1 << 20);

// --- signature value ---

// kyso's path: a verification context prepared once per thread and key (algorithms.cc).
void SignatureVerify(benchmark::State& state, const char* file) {
  const SignerParts p = Parts(file);
  const std::string digest = Digest(p.alg.digest, p.to_be_signed);
  for (auto _ : state) {
    if (!VerifyDigestSignature(p.signer->public_key(), p.alg, digest, p.signature).ok()) {
      state.SkipWithError("signature did not verify");
    }
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_SignatureVerifyRsa2048(benchmark::State& s) { SignatureVerify(s, "valid-rsa2048.p7s"); }
void BM_SignatureVerifyRsa3072(benchmark::State& s) { SignatureVerify(s, "valid-rsa3072.p7s"); }
void BM_SignatureVerifyP256(benchmark::State& s) { SignatureVerify(s, "valid-p256.p7s"); }
BENCHMARK(BM_SignatureVerifyRsa2048)->ThreadRange(1, 2)->UseRealTime();
BENCHMARK(BM_SignatureVerifyRsa3072)->ThreadRange(1, 2)->UseRealTime();
BENCHMARK(BM_SignatureVerifyP256)->ThreadRange(1, 2)->UseRealTime();

// What kyso did before (and what most callers do): a new EVP_PKEY_CTX, verify_init and the
// digest and padding set on every call; in OpenSSL 3.0 each of those fetches through the global
// method store. Kept as the reference the prepared contexts are measured against.
void BM_SignatureVerifyRsa2048NewContextPerCall(benchmark::State& state) {
  const SignerParts p = Parts("valid-rsa2048.p7s");
  const std::string digest = Digest(p.alg.digest, p.to_be_signed);
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  for (auto _ : state) {
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, p.signer->public_key(), nullptr));
    EVP_PKEY_verify_init(ctx.get());
    EVP_PKEY_CTX_set_signature_md(ctx.get(), md);
    EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING);
    if (EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(p.signature.data()),
                        p.signature.size(), reinterpret_cast<const unsigned char*>(digest.data()),
                        digest.size()) != 1) {
      state.SkipWithError("signature did not verify");
    }
  }
  EVP_MD_free(md);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignatureVerifyRsa2048NewContextPerCall)->ThreadRange(1, 2)->UseRealTime();

// --- certificates and chain ---

void BM_CertificateDecode(benchmark::State& state) {
  const SignerParts p = Parts("valid-rsa2048.p7s");
  for (auto _ : state) benchmark::DoNotOptimize(Certificate::Parse(p.signer->der()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CertificateDecode);

void BM_CertificateCacheHit(benchmark::State& state) {
  const SignerParts p = Parts("valid-rsa2048.p7s");
  CertificateCache cache;
  const std::string der = p.signer->der();
  for (auto _ : state) benchmark::DoNotOptimize(cache.GetOrParse(der));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CertificateCacheHit)->ThreadRange(1, 2)->UseRealTime();

void BM_ChainCold(benchmark::State& state) {
  const SignerParts p = Parts("valid-rsa2048.p7s");
  const VerificationContext ctx = Context();
  for (auto _ : state) {
    ChainResult r =
        ChainValidator::ValidateUncached(p.signer, p.embedded, *ctx.trust, ctx.validation_time,
                                         ctx.policy, LeafUsage::kDocumentSigning);
    if (!r.verdict.passed()) state.SkipWithError("chain did not validate");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChainCold);

void BM_ChainCached(benchmark::State& state) {
  static ChainValidator* chains = new ChainValidator();
  const SignerParts p = Parts("valid-rsa2048.p7s");
  const VerificationContext ctx = Context();
  for (auto _ : state) {
    auto r = chains->Validate(p.signer, p.embedded, *ctx.trust, ctx.validation_time, ctx.policy,
                              LeafUsage::kDocumentSigning);
    if (!r->verdict.passed()) state.SkipWithError("chain did not validate");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChainCached)->ThreadRange(1, 2)->UseRealTime();

// --- revocation ---

// A responder for the public CA and an online source pointed at it; started on first use and
// kept for the process (the responder dies with it).
struct Ocsp {
  std::unique_ptr<testing::OcspResponder> responder;
  std::unique_ptr<OnlineRevocationSource> source;
};
Ocsp* SharedOcsp() {
  static Ocsp* ocsp = [] {
    auto* o = new Ocsp();
    testing::OcspResponderOptions options;
    const std::string pki = DataDir() + "/pki";
    options.index_file = pki + "/ca/ca-public/index.txt";
    options.ca_cert = pki + "/certs/ca-public.pem";
    options.responder_cert = pki + "/certs/ocsp-public.pem";
    options.responder_key = pki + "/keys/ocsp-public.key";
    auto responder = testing::OcspResponder::Start(options);
    if (!responder.ok()) {
      std::fprintf(stderr, "OCSP responder: %s\n",
                   std::string(responder.status().message()).c_str());
      std::abort();
    }
    o->responder = *std::move(responder);
    OnlineSourceOptions source_options;
    source_options.ocsp_overrides["VNPT-CA Public (Demo)"] = o->responder->url();
    o->source = std::make_unique<OnlineRevocationSource>(source_options, nullptr);
    return o;
  }();
  return ocsp;
}

void BM_OcspCacheHit(benchmark::State& state) {
  Ocsp* ocsp = SharedOcsp();
  const SignerParts p = Parts("valid-rsa2048.p7s");
  CertificatePtr issuer;
  for (const CertificatePtr& c : p.embedded) {
    if (c->subject() == p.signer->issuer()) issuer = c;
  }
  const RevocationQuery query{p.signer, issuer, absl::Now()};
  if (!ocsp->source->Check(query).ok()) state.SkipWithError("no OCSP answer");
  for (auto _ : state) {
    if (!ocsp->source->TryCached(query)) state.SkipWithError("not cached");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OcspCacheHit)->ThreadRange(1, 2)->UseRealTime();

// --- XML ---

void BM_XmlVerifyWarm(benchmark::State& state) {
  static Verifier* verifier = new Verifier();
  static const VerificationContext* ctx = new VerificationContext(Context());
  const std::string xml = ReadOrDie(DataDir() + "/xml/valid-enveloped-rsa.xml");
  for (auto _ : state) {
    DocumentReport r = verifier->VerifyDocument(xml, std::nullopt, *ctx);
    if (!r.verdict.passed()) state.SkipWithError("document did not pass");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_XmlVerifyWarm)->ThreadRange(1, 2)->UseRealTime();

// --- report ---

void BM_ReportJson(benchmark::State& state) {
  Verifier verifier;
  const DocumentReport report =
      verifier.VerifyDocument(Doc("valid-rsa2048.p7s"), std::nullopt, Context());
  for (auto _ : state) benchmark::DoNotOptimize(ToJson(report).dump());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReportJson);

// --- the whole pipeline, thread scaling ---

void Pipeline(benchmark::State& state, const char* file, bool revocation) {
  static Verifier* verifier = new Verifier();  // shared by all threads, as in the service
  static const VerificationContext* off = new VerificationContext(Context());
  const VerificationContext* ctx = off;
  if (revocation) {
    static const VerificationContext* on =
        new VerificationContext(Context(RevocationMode::kRequire, SharedOcsp()->source.get()));
    ctx = on;
  }
  const std::string der = Doc(file);
  for (auto _ : state) {
    DocumentReport r = verifier->VerifyDocument(der, std::nullopt, *ctx);
    if (!r.verdict.passed()) state.SkipWithError("document did not pass");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
const int kCores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
void BM_PipelineRsa2048(benchmark::State& s) { Pipeline(s, "valid-rsa2048.p7s", false); }
void BM_PipelineRsa2048Ocsp(benchmark::State& s) { Pipeline(s, "valid-rsa2048.p7s", true); }
void BM_PipelineRsa3072(benchmark::State& s) { Pipeline(s, "valid-rsa3072.p7s", false); }
void BM_PipelineP256(benchmark::State& s) { Pipeline(s, "valid-p256.p7s", false); }
BENCHMARK(BM_PipelineRsa2048)->DenseThreadRange(1, kCores)->UseRealTime();
BENCHMARK(BM_PipelineRsa2048Ocsp)->DenseThreadRange(1, kCores)->UseRealTime();
BENCHMARK(BM_PipelineRsa3072)->DenseThreadRange(1, kCores)->UseRealTime();
BENCHMARK(BM_PipelineP256)->DenseThreadRange(1, kCores)->UseRealTime();

void BM_PipelineCold(benchmark::State& state) {
  // A fresh Verifier per document: certificates decoded and the chain built every time.
  const std::string der = Doc("valid-rsa2048.p7s");
  const VerificationContext ctx = Context();
  for (auto _ : state) {
    Verifier verifier;
    benchmark::DoNotOptimize(verifier.VerifyDocument(der, std::nullopt, ctx));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PipelineCold);

}  // namespace
}  // namespace kyso

BENCHMARK_MAIN();
