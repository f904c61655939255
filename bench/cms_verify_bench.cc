// Stage benchmarks of the CMS path over the generated fixtures (RSA-2048 and ECDSA P-256 signers,
// 4 KiB content). The steady state is the warm case: certificates parsed and chains validated
// once, then every document costs a parse, a content digest and one public-key verify.
//
//   build/bench/kyso_bench_cms --benchmark_format=json
#include <benchmark/benchmark.h>
#include <openssl/cms.h>

#include <cstdlib>

#include "crypto/cms/cms_parser.h"
#include "crypto/openssl_ptr.h"
#include "crypto/verifier.h"
#include "service/file_io.h"
#include "service/trust_loader.h"

namespace kyso {
namespace {

std::string DataDir() {
  const char* env = std::getenv("KYSO_TEST_DATA");
  return env != nullptr ? env : KYSO_DEFAULT_TEST_DATA;
}

std::string Doc(const std::string& name) {
  auto bytes = ReadFile(DataDir() + "/docs/" + name);
  if (!bytes.ok()) {
    std::fprintf(stderr, "%s\n", std::string(bytes.status().message()).c_str());
    std::abort();
  }
  return *bytes;
}

VerificationContext Context() {
  auto trust = LoadTrustStore({DataDir() + "/pki/anchors"}, {DataDir() + "/pki/intermediates"}, 1);
  if (!trust.ok()) std::abort();
  return VerificationContext{*trust, Policy{}, absl::FromUnixSeconds(1767225600)};
}

void BM_CmsParse(benchmark::State& state) {
  const std::string der = Doc("valid-rsa2048.p7s");
  for (auto _ : state) benchmark::DoNotOptimize(cms::ParseCms(der));
}
BENCHMARK(BM_CmsParse);

void VerifyWarm(benchmark::State& state, const char* file) {
  static Verifier* verifier = new Verifier();  // shared by all threads, as in the service
  static const VerificationContext* ctx = new VerificationContext(Context());
  const std::string der = Doc(file);
  for (auto _ : state) {
    DocumentReport r = verifier->VerifyDocument(der, std::nullopt, *ctx);
    if (!r.verdict.passed()) state.SkipWithError("document did not pass");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VerifyWarmRsa2048(benchmark::State& state) { VerifyWarm(state, "valid-rsa2048.p7s"); }
void BM_VerifyWarmRsa3072(benchmark::State& state) { VerifyWarm(state, "valid-rsa3072.p7s"); }
void BM_VerifyWarmP256(benchmark::State& state) { VerifyWarm(state, "valid-p256.p7s"); }
BENCHMARK(BM_VerifyWarmRsa2048)->ThreadRange(1, 2)->UseRealTime();
BENCHMARK(BM_VerifyWarmRsa3072)->ThreadRange(1, 2)->UseRealTime();
BENCHMARK(BM_VerifyWarmP256)->ThreadRange(1, 2)->UseRealTime();

void BM_VerifyCold(benchmark::State& state) {
  // A fresh Verifier per document: certificates decoded and the chain built every time.
  const std::string der = Doc("valid-rsa2048.p7s");
  const VerificationContext ctx = Context();
  for (auto _ : state) {
    Verifier verifier;
    benchmark::DoNotOptimize(verifier.VerifyDocument(der, std::nullopt, ctx));
  }
}
BENCHMARK(BM_VerifyCold);

void BM_NaiveCmsVerify(benchmark::State& state) {
  // The naive peer: decode the whole message and let CMS_verify build and check the chain for
  // every document.
  const std::string der = Doc("valid-rsa2048.p7s");
  const VerificationContext ctx = Context();
  X509StorePtr store(X509_STORE_new());
  for (const auto& a : ctx.trust->anchors()) X509_STORE_add_cert(store.get(), a->x509());
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), 1767225600);
  BorrowingX509Stack pool = MakeBorrowingX509Stack();
  for (const auto& c : ctx.trust->intermediates()) sk_X509_push(pool.get(), c->x509());
  for (auto _ : state) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    CmsContentInfoPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    BioPtr out(BIO_new(BIO_s_mem()));
    if (CMS_verify(cms.get(), pool.get(), store.get(), nullptr, out.get(), CMS_BINARY) != 1) {
      state.SkipWithError("CMS_verify failed");
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NaiveCmsVerify);

}  // namespace
}  // namespace kyso

BENCHMARK_MAIN();
