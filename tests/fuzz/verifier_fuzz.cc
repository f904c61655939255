// Fuzz target: the whole of kyso::Verifier::VerifyDocument (format detection, PEM, XML signatures,
// CMS parsing and
// BER normalisation, signer lookup, signed attributes, signatures, ESS, chain validation and its
// caches) on arbitrary bytes, against the demo trust store of tests/pki at the pinned test time.
//
// The trust store is loaded once from $KYSO_TEST_DATA/pki (anchors/ and intermediates/); the
// detached content offered to every input is $KYSO_TEST_DATA/docs/dossier.txt, so mutations of
// valid-detached.p7s reach the signature checks. Without $KYSO_TEST_DATA the target does nothing
// (and says so once): without anchors there is no context to verify in.
//
// Besides memory safety, it asserts the report contract (crypto/report.h) and cache coherence:
//   - a document with no signature report is never TOTAL_PASSED;
//   - the document verdict is at least as bad as every signature's;
//   - a TOTAL_PASSED signature names its signer and the anchor its chain ends at;
//   - the long-lived Verifier, whose caches every earlier input filled, answers exactly as a fresh
//     one: a cached certificate or chain verdict never leaks from one document into another.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crypto/report.h"
#include "crypto/verification_context.h"
#include "crypto/verifier.h"
#include "service/trust_loader.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

struct Environment {
  std::optional<kyso::VerificationContext> context;  // nullopt: no test data, nothing to do
  std::string detached_content;
  std::unique_ptr<kyso::Verifier> verifier;
};

// 2026-01-01T00:00:00Z, the time every fixture expectation is written for (tests/pki/README.md).
constexpr int64_t kPinnedUnixSeconds = 1767225600;

Environment* LoadEnvironment() {
  auto* env = new Environment();
  const char* data = std::getenv("KYSO_TEST_DATA");
  if (data == nullptr || *data == '\0') {
    std::fprintf(stderr, "verifier_fuzz: KYSO_TEST_DATA is not set; inputs are not verified\n");
    return env;
  }
  const std::string root = data;
  absl::StatusOr<std::shared_ptr<const kyso::TrustStore>> trust =
      kyso::LoadTrustStore({root + "/pki/anchors"}, {root + "/pki/intermediates"}, 1);
  if (!trust.ok()) {
    // Set but wrong: a fuzzer that silently verified nothing would report a clean run.
    std::fprintf(stderr, "verifier_fuzz: cannot load the trust store from %s: %s\n", data,
                 std::string(trust.status().message()).c_str());
    std::abort();
  }
  std::ifstream in(root + "/docs/dossier.txt", std::ios::binary);
  env->detached_content.assign(std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>());
  env->context =
      kyso::VerificationContext{*trust, kyso::Policy(), absl::FromUnixSeconds(kPinnedUnixSeconds)};
  // Small caches, so that the fuzzer also drives eviction.
  env->verifier = std::make_unique<kyso::Verifier>(kyso::VerifierOptions{64, 32});
  return env;
}

// What must not depend on the caches: verdicts and the codes of every finding.
std::string Outcome(const kyso::DocumentReport& report) {
  auto verdict = [](const kyso::Verdict& v) {
    return std::string(kyso::ToString(v.indication)) + "/" +
           std::string(kyso::ToString(v.sub_indication));
  };
  std::string out = verdict(report.verdict);
  for (const kyso::Message& m : report.messages) out += " " + m.code;
  for (const kyso::SignatureReport& s : report.signatures) {
    out += " | " + verdict(s.verdict) + " anchor=" + s.trust_anchor;
    for (const kyso::Message& m : s.messages) out += " " + m.code;
  }
  return out;
}

void CheckReport(const kyso::DocumentReport& report) {
  KYSO_FUZZ_CHECK(!report.format.empty(), "every report names a format");
  KYSO_FUZZ_CHECK(report.document_sha256.size() == 64, "every report carries the SHA-256");
  if (report.signatures.empty()) {
    KYSO_FUZZ_CHECK(report.verdict.indication == kyso::Indication::kTotalFailed,
                    "a document without signatures fails");
  }
  for (const kyso::SignatureReport& s : report.signatures) {
    KYSO_FUZZ_CHECK(
        static_cast<int>(report.verdict.indication) >= static_cast<int>(s.verdict.indication),
        "the document verdict is the worst of its signatures");
    if (s.verdict.passed()) {
      KYSO_FUZZ_CHECK(s.signer.has_value() && !s.trust_anchor.empty() && !s.chain.empty(),
                      "a passed signature names its signer and anchor");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Environment* const env = LoadEnvironment();  // never freed: lives as long as the fuzzer
  if (!env->context) return 0;
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);

  const kyso::DocumentReport report =
      env->verifier->VerifyDocument(bytes, env->detached_content, *env->context);
  CheckReport(report);

  kyso::Verifier fresh(kyso::VerifierOptions{8, 8});
  const kyso::DocumentReport uncached =
      fresh.VerifyDocument(bytes, env->detached_content, *env->context);
  const std::string cached_outcome = Outcome(report);
  const std::string fresh_outcome = Outcome(uncached);
  if (cached_outcome != fresh_outcome) {
    std::fprintf(stderr, "cached: %s\nfresh:  %s\n", cached_outcome.c_str(), fresh_outcome.c_str());
  }
  KYSO_FUZZ_CHECK(cached_outcome == fresh_outcome,
                  "the shared Verifier's caches do not change the outcome");
  return 0;
}
