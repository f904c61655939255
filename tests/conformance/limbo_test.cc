// x509-limbo (C2SP/x509-limbo) conformance of kyso's certification path validation.
//
// Runs the corpus's path-validation cases (`rfc5280::`, `pathlen::`, `pathological::`) through
// ChainValidator::ValidateUncached, records per case whether kyso agrees with the expected
// SUCCESS/FAILURE, and compares that with the committed baseline tests/conformance/
// limbo-baseline.tsv. Cases kyso is not expected to decide (host names, EKU, knobs kyso does not
// have) are counted as "not applicable" with the reason, never as passes. See README.md beside
// this file for the numbers and why each disagreement exists.
//
// Folders (tests/support/test_data.h; compiled in, overridable by KYSO_SOURCE_DIR /
// KYSO_BINARY_DIR):
//   SourceDir()   the checkout; the corpus is at SourceDir()/../shared/corpora/
//   BinaryDir()   where limbo-results.tsv is written
// Environment:
//   KYSO_UPDATE_LIMBO_BASELINE=1   rewrite the baseline from this run instead of comparing
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "crypto/certificate.h"
#include "crypto/chain_validator.h"
#include "crypto/policy.h"
#include "crypto/trust_store.h"
#include "gtest/gtest.h"
#include "tests/support/test_data.h"

namespace kyso::testing {
namespace {

using nlohmann::json;

constexpr absl::string_view kCorpusRelativePath =
    "../shared/corpora/x509-limbo/limbo-2023-12-02.json";
constexpr absl::string_view kBaselineRelativePath = "tests/conformance/limbo-baseline.tsv";

// The groups that test path-validation rules. The corpus's `webpki::` group tests the CA/Browser
// Forum profile and host names, `online::` real TLS server chains: neither is what a document
// signature's certification path is judged by.
constexpr absl::string_view kSelectedGroups[] = {"rfc5280::", "pathlen::", "pathological::"};

enum class Outcome { kAgree, kDisagree, kNotApplicable };

absl::string_view ToString(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAgree:
      return "agree";
    case Outcome::kDisagree:
      return "disagree";
    case Outcome::kNotApplicable:
      return "n/a";
  }
  return "?";
}

struct CaseResult {
  std::string id;
  std::string expected;  // SUCCESS | FAILURE
  std::string kyso;      // SUCCESS | FAILURE | "-" when not run
  Outcome outcome = Outcome::kNotApplicable;
  std::string detail;  // OpenSSL error and kyso findings, or why the case does not apply
};

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The limbo rows are TSV; a detail must stay on its line and in its column.
std::string TsvField(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"\t", " "}, {"\n", " "}, {"\r", " "}});
}

// Limbo's validation policy: the corpus tests path rules, not kyso's algorithm policy, so the
// policy admits everything the cases are built with (P-256 keys, RSA from 1024 bits, SHA-1 to
// SHA-512 certificate signatures). Stricter key or digest rules would turn expected SUCCESSes into
// failures that say nothing about path validation.
Policy LimboPolicy() {
  Policy policy;
  policy.min_rsa_bits = 1024;
  policy.min_ec_bits = 256;
  policy.allowed_digests = {DigestAlgorithm::kSha1, DigestAlgorithm::kSha224,
                            DigestAlgorithm::kSha256, DigestAlgorithm::kSha384,
                            DigestAlgorithm::kSha512};
  policy.revocation = RevocationMode::kOff;
  return policy;
}

// kyso never sets a verification depth, so X509_verify_cert runs with the depth of OpenSSL's
// "default" parameter set (100 in OpenSSL 3.0).
int KysoEffectiveMaxDepth() {
  const X509_VERIFY_PARAM* defaults = X509_VERIFY_PARAM_lookup("default");
  return defaults != nullptr ? X509_VERIFY_PARAM_get_depth(defaults) : -1;
}

// Whether the leaf carries the name the case's TLS client expects. A subjectAltName that does not
// decode (or appears twice) is a malformed certificate, not a name mismatch: that is for path
// validation to reject, so it returns true then.
bool LeafMatchesPeerName(X509* leaf, const json& peer_name) {
  int crit = -1;  // -1: absent; otherwise present, and a null result means it did not decode
  const std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)> san(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf, NID_subject_alt_name, &crit, nullptr)),
      &GENERAL_NAMES_free);
  if (san == nullptr && crit != -1) return true;

  const std::string kind = peer_name.value("kind", "");
  const std::string value = peer_name.value("value", "");
  int matched = 0;
  if (kind == "DNS") {
    matched = X509_check_host(leaf, value.data(), value.size(), 0, nullptr);
  } else if (kind == "IP") {
    matched = X509_check_ip_asc(leaf, value.c_str(), 0);
  } else if (kind == "RFC822") {
    matched = X509_check_email(leaf, value.data(), value.size(), 0);
  }
  return matched == 1;
}

// Why kyso's path validation is not asked to decide this case, or nullopt when it is. These are
// features kyso deliberately does not have: it validates the certification path of a document
// signer, not a TLS peer.
std::optional<std::string> NotApplicableReason(const json& tc, X509* leaf) {
  for (const char* constraint : {"extended_key_usage", "key_usage", "signature_algorithms"}) {
    if (tc.contains(constraint) && tc[constraint].is_array() && !tc[constraint].empty()) {
      return absl::StrCat(constraint, " constraint ", tc[constraint].dump(),
                          ": kyso's path validation takes no caller-supplied ", constraint);
    }
  }
  if (tc.contains("crls") && tc["crls"].is_array() && !tc["crls"].empty()) {
    return std::string("case supplies CRLs: revocation is outside ChainValidator");
  }
  if (tc.contains("max_chain_depth") && tc["max_chain_depth"].is_number_integer()) {
    const int wanted = tc["max_chain_depth"].get<int>();
    const int kyso_depth = KysoEffectiveMaxDepth();
    // A limit at least as large as kyso's own cannot make kyso's answer too lenient, so those
    // cases (the hostile cycle with max depth 255) still run.
    if (wanted < kyso_depth) {
      return absl::StrCat("max_chain_depth ", wanted,
                          ": kyso has no per-call depth limit (its effective limit is OpenSSL's "
                          "default ",
                          kyso_depth, ")");
    }
  }
  // A TLS client rejects a peer whose certificate does not carry the expected name; kyso matches
  // no host names. When the leaf lacks the name and the case expects FAILURE, that failure may be
  // the host-name check alone. Name-constraint cases are exempt: there the mismatching name is
  // the constrained name under test, and RFC 5280 6.1.3 (b) and (c) are path validation.
  const bool expects_failure = tc.value("expected_result", "") == "FAILURE";
  if (expects_failure && leaf != nullptr &&
      !absl::StartsWith(tc.value("id", ""), "rfc5280::nc::")) {
    std::vector<json> names;
    if (tc.contains("expected_peer_name") && tc["expected_peer_name"].is_object()) {
      names.push_back(tc["expected_peer_name"]);
    }
    if (tc.contains("expected_peer_names") && tc["expected_peer_names"].is_array()) {
      for (const json& n : tc["expected_peer_names"]) names.push_back(n);
    }
    for (const json& name : names) {
      if (!LeafMatchesPeerName(leaf, name)) {
        return absl::StrCat("expected FAILURE may come from host-name matching alone (leaf lacks ",
                            name.dump(), "); kyso matches no host names");
      }
    }
  }
  return std::nullopt;
}

// Every certificate in a list of PEM strings, or the first parse error.
absl::StatusOr<std::vector<CertificatePtr>> ParsePemList(const json& list) {
  std::vector<CertificatePtr> out;
  if (!list.is_array()) return out;
  for (const json& pem : list) {
    if (!pem.is_string()) return absl::InvalidArgumentError("certificate entry is not a string");
    absl::StatusOr<std::vector<CertificatePtr>> certs =
        Certificate::ParseAll(pem.get<std::string>());
    if (!certs.ok()) return certs.status();
    out.insert(out.end(), certs->begin(), certs->end());
  }
  return out;
}

CaseResult RunCase(const json& tc, const Policy& policy) {
  CaseResult r;
  r.id = tc.value("id", "");
  r.expected = tc.value("expected_result", "");
  r.kyso = "-";

  // A certificate kyso cannot parse is one it rejects: a document signed with it fails.
  auto reject = [&r](absl::string_view what, const absl::Status& status) {
    r.kyso = "FAILURE";
    r.detail = absl::StrCat("kyso cannot parse ", what, ": ", status.message());
  };
  absl::StatusOr<std::vector<CertificatePtr>> leaf_certs =
      tc.contains("peer_certificate") && tc["peer_certificate"].is_string()
          ? Certificate::ParseAll(tc["peer_certificate"].get<std::string>())
          : absl::InvalidArgumentError("no peer_certificate");
  X509* leaf_x509 = leaf_certs.ok() ? leaf_certs->front()->x509() : nullptr;

  if (std::optional<std::string> reason = NotApplicableReason(tc, leaf_x509)) {
    r.outcome = Outcome::kNotApplicable;
    r.detail = *std::move(reason);
    return r;
  }

  absl::StatusOr<std::vector<CertificatePtr>> anchors =
      ParsePemList(tc.value("trusted_certs", json::array()));
  absl::StatusOr<std::vector<CertificatePtr>> intermediates =
      ParsePemList(tc.value("untrusted_intermediates", json::array()));
  if (!leaf_certs.ok()) {
    reject("the peer certificate", leaf_certs.status());
  } else if (!anchors.ok()) {
    reject("a trusted certificate", anchors.status());
  } else if (!intermediates.ok()) {
    reject("an untrusted intermediate", intermediates.status());
  } else {
    absl::Time at = absl::Now();  // limbo: no validation_time means "now"
    const json vt = tc.value("validation_time", json());
    if (vt.is_string()) {
      std::string error;
      if (!absl::ParseTime(absl::RFC3339_full, vt.get<std::string>(), &at, &error)) {
        r.outcome = Outcome::kDisagree;
        r.detail = absl::StrCat("test cannot parse validation_time: ", error);
        return r;
      }
    }
    // The corpus's trusted certs are the trust store's anchors; its untrusted intermediates are
    // what a document would carry (ChainValidator's `supplied`).
    absl::StatusOr<std::shared_ptr<const TrustStore>> trust =
        TrustStore::Create(*anchors, {}, /*generation=*/1);
    if (!trust.ok()) {
      r.kyso = "FAILURE";
      r.detail = absl::StrCat("kyso builds no trust store: ", trust.status().message());
    } else {
      const ChainResult result = ChainValidator::ValidateUncached(
          leaf_certs->front(), *intermediates, **trust, at, policy, LeafUsage::kAny);
      r.kyso = result.verdict.passed() ? "SUCCESS" : "FAILURE";
      std::vector<std::string> details;
      if (result.openssl_error != X509_V_OK) {
        details.push_back(absl::StrCat("openssl ", result.openssl_error, " ",
                                       X509_verify_cert_error_string(result.openssl_error)));
      }
      for (const Message& m : result.messages) details.push_back(absl::StrCat(m.code, ": ", m.en));
      r.detail = absl::StrJoin(details, "; ");
    }
  }
  r.outcome = r.kyso == r.expected ? Outcome::kAgree : Outcome::kDisagree;
  return r;
}

bool Selected(absl::string_view id) {
  for (absl::string_view group : kSelectedGroups) {
    if (absl::StartsWith(id, group)) return true;
  }
  return false;
}

// Baseline: "id<TAB>agree|disagree|n/a" per line; '#' starts a comment line.
std::map<std::string, std::string> ParseBaseline(absl::string_view text) {
  std::map<std::string, std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    if (absl::StartsWith(line, "#")) continue;
    std::vector<std::string> fields = absl::StrSplit(line, '\t');
    if (fields.size() >= 2) out[fields[0]] = fields[1];
  }
  return out;
}

std::string FormatBaseline(const std::vector<CaseResult>& results) {
  std::string out =
      "# x509-limbo agreement baseline for tests/conformance/limbo_test.cc (see README.md).\n"
      "# Regenerate: KYSO_UPDATE_LIMBO_BASELINE=1 ctest -R limbo\n"
      "# id\toutcome\n";
  for (const CaseResult& r : results) absl::StrAppend(&out, r.id, "\t", ToString(r.outcome), "\n");
  return out;
}

std::string FormatResults(const std::vector<CaseResult>& results) {
  std::string out = "id\texpected\tkyso\tagree\tdetail\n";
  for (const CaseResult& r : results) {
    const absl::string_view agree = r.outcome == Outcome::kAgree      ? "yes"
                                    : r.outcome == Outcome::kDisagree ? "no"
                                                                      : "n/a";
    absl::StrAppend(&out, r.id, "\t", r.expected, "\t", r.kyso, "\t", agree, "\t",
                    TsvField(r.detail), "\n");
  }
  return out;
}

// The suite is named in lower case so that `ctest -R limbo` (the corpus's name) selects it.
TEST(limbo, PathValidationMatchesBaseline) {
  const std::string source_dir = ::kyso::testing::SourceDir();
  const std::string binary_dir = ::kyso::testing::BinaryDir();
  ASSERT_FALSE(source_dir.empty()) << "KYSO_SOURCE_DIR is not set; run this test through ctest";
  ASSERT_FALSE(binary_dir.empty()) << "KYSO_BINARY_DIR is not set; run this test through ctest";

  const std::string corpus_path = absl::StrCat(source_dir, "/", kCorpusRelativePath);
  const std::optional<std::string> corpus_text = ReadFile(corpus_path);
  if (!corpus_text) {
    // Third-party corpora are not part of the checkout: CI provides ../shared/corpora beside it,
    // a developer's clone elsewhere may not have it. Skipping (reported as SKIPPED, with the path)
    // is the honest answer there; a pass would claim conformance nobody checked.
    GTEST_SKIP() << "x509-limbo corpus not found at " << corpus_path;
  }

  const json corpus = json::parse(*corpus_text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(corpus.is_discarded()) << corpus_path << " is not valid JSON";
  ASSERT_EQ(corpus.value("version", 0), 1) << "unknown limbo schema version";
  ASSERT_TRUE(corpus.contains("testcases") && corpus["testcases"].is_array());

  const Policy policy = LimboPolicy();
  std::vector<CaseResult> results;
  for (const json& tc : corpus["testcases"]) {
    if (!tc.is_object() || !Selected(tc.value("id", ""))) continue;
    results.push_back(RunCase(tc, policy));
  }
  // Guards against a renamed group or a reshaped corpus selecting nothing and "passing".
  ASSERT_FALSE(results.empty()) << "no rfc5280::/pathlen::/pathological:: case in " << corpus_path;

  int agree = 0, disagree = 0, not_applicable = 0;
  for (const CaseResult& r : results) {
    switch (r.outcome) {
      case Outcome::kAgree:
        ++agree;
        break;
      case Outcome::kDisagree:
        ++disagree;
        break;
      case Outcome::kNotApplicable:
        ++not_applicable;
        break;
    }
  }

  const std::string results_path = absl::StrCat(binary_dir, "/limbo-results.tsv");
  {
    std::ofstream out(results_path, std::ios::binary | std::ios::trunc);
    out << FormatResults(results);
    EXPECT_TRUE(out.good()) << "cannot write " << results_path;
  }
  std::cout << "x509-limbo: agree " << agree << " / disagree " << disagree << " / not applicable "
            << not_applicable << " (of " << results.size() << " selected cases; per case in "
            << results_path << ")" << std::endl;

  const std::string baseline_path = absl::StrCat(source_dir, "/", kBaselineRelativePath);
  if (Env("KYSO_UPDATE_LIMBO_BASELINE") == "1") {
    std::ofstream out(baseline_path, std::ios::binary | std::ios::trunc);
    out << FormatBaseline(results);
    ASSERT_TRUE(out.good()) << "cannot write " << baseline_path;
    std::cout << "x509-limbo: baseline rewritten at " << baseline_path << std::endl;
    return;
  }

  const std::optional<std::string> baseline_text = ReadFile(baseline_path);
  ASSERT_TRUE(baseline_text.has_value())
      << "no baseline at " << baseline_path
      << "; create it with KYSO_UPDATE_LIMBO_BASELINE=1 ctest -R limbo";
  const std::map<std::string, std::string> baseline = ParseBaseline(*baseline_text);

  std::map<std::string, const CaseResult*> current;
  for (const CaseResult& r : results) current[r.id] = &r;

  int baseline_agree = 0;
  std::vector<std::string> regressions;
  for (const auto& [id, outcome] : baseline) {
    if (outcome != ToString(Outcome::kAgree)) continue;
    ++baseline_agree;
    auto it = current.find(id);
    if (it == current.end()) {
      regressions.push_back(absl::StrCat(id, ": agreed in the baseline, no longer in the corpus"));
    } else if (it->second->outcome != Outcome::kAgree) {
      const CaseResult& r = *it->second;
      regressions.push_back(absl::StrCat(id, ": agreed in the baseline, now ", ToString(r.outcome),
                                         " (expected ", r.expected, ", kyso ", r.kyso,
                                         r.detail.empty() ? "" : "; ", r.detail, ")"));
    }
  }
  std::vector<std::string> improvements;
  for (const CaseResult& r : results) {
    auto it = baseline.find(r.id);
    if (r.outcome == Outcome::kAgree &&
        (it == baseline.end() || it->second != ToString(Outcome::kAgree))) {
      improvements.push_back(r.id);
    }
  }

  EXPECT_TRUE(regressions.empty())
      << "x509-limbo regressions:\n  " << absl::StrJoin(regressions, "\n  ");
  EXPECT_GE(agree, baseline_agree)
      << "x509-limbo agreement dropped from " << baseline_agree << " to " << agree;
  if (!improvements.empty()) {
    std::cout << "x509-limbo: " << improvements.size()
              << " case(s) agree now that did not in the baseline: "
              << absl::StrJoin(improvements, ", ")
              << "\n  update the baseline: KYSO_UPDATE_LIMBO_BASELINE=1 ctest -R limbo "
                 "(and the numbers in tests/conformance/README.md)"
              << std::endl;
  }
}

}  // namespace
}  // namespace kyso::testing
