#include "service/config.h"

#include "gtest/gtest.h"

namespace kyso {
namespace {

TEST(Config, ParsesTheDesignExample) {
  auto config = ParseConfig(R"(
server:
  listen: "127.0.0.1:50051"
  metrics_listen: "127.0.0.1:9464"
  tls: {cert: server.pem, key: server.key, client_ca: clients.pem}
  max_message_bytes: 67108864
workers: 0
trust:
  anchors: [roots/]
  intermediates: [intermediates/]
revocation:
  mode: off
  intermediates: if_advertised
  ocsp: {timeout_ms: 3000, overrides: {"CN=X": "http://127.0.0.1:1/"}}
  cache: {path: kyso-cache.sqlite, redis: ""}
policy:
  min_rsa_bits: 3072
  min_ec_bits: 384
  allowed_digests: [sha256, sha384, sha512]
)",
                            "/etc/kyso");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->trust.anchors, std::vector<std::string>{"/etc/kyso/roots/"});
  EXPECT_EQ(config->trust.intermediates, std::vector<std::string>{"/etc/kyso/intermediates/"});
  EXPECT_EQ(config->server.tls.cert, "/etc/kyso/server.pem");
  EXPECT_EQ(config->revocation.cache_path, "/etc/kyso/kyso-cache.sqlite");
  EXPECT_EQ(config->revocation.ocsp_overrides.at("CN=X"), "http://127.0.0.1:1/");
  EXPECT_EQ(config->policy.min_rsa_bits, 3072);
  EXPECT_EQ(config->policy.min_ec_bits, 384);
  EXPECT_EQ(config->policy.revocation, RevocationMode::kOff);
}

TEST(Config, RevocationIsRequiredByDefault) {
  auto config = ParseConfig("trust: {anchors: [a]}\n", "/");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->revocation.mode, RevocationMode::kRequire);
  EXPECT_EQ(config->policy.revocation, RevocationMode::kRequire);
  EXPECT_EQ(Config().revocation.mode, RevocationMode::kRequire);
}

TEST(Config, RevocationOverrides) {
  auto config = ParseConfig(R"(
revocation:
  ocsp: {timeout_ms: 500, nonce: true, overrides: {"CA One": "http://127.0.0.1:1/"}}
  crl: {overrides: {"CA One": "http://127.0.0.1:2/one.crl"}}
)",
                            "/");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->revocation.ocsp_timeout_ms, 500);
  EXPECT_TRUE(config->revocation.ocsp_nonce);
  EXPECT_EQ(config->revocation.crl_overrides.at("CA One"), "http://127.0.0.1:2/one.crl");
}

TEST(Config, PrintedConfigReadsBackTheSame) {
  auto config = ParseConfig(R"(
server: {listen: "0.0.0.0:7000", admin_listen: "0.0.0.0:7001", shutdown_grace_ms: 2500,
         tls: {cert: s.pem, key: s.key}}
workers: 3
trust: {anchors: [roots/, extra.pem], intermediates: [ca/]}
revocation:
  mode: prefer
  intermediates: "off"
  ocsp: {timeout_ms: 1500, overrides: {"CA One": "http://127.0.0.1:1/"}}
  crl: {overrides: {"CA One": "http://127.0.0.1:2/one.crl"}}
policy: {min_rsa_bits: 3072, allowed_digests: [sha384]}
)",
                            "/etc/kyso");
  ASSERT_TRUE(config.ok()) << config.status();
  const std::string yaml = ConfigToYaml(*config);
  auto again = ParseConfig(yaml, "/elsewhere");  // every path is absolute by now
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << yaml;
  EXPECT_EQ(ConfigToYaml(*again), yaml);
  EXPECT_EQ(again->server.listen, "0.0.0.0:7000");
  EXPECT_EQ(again->server.admin_listen, "0.0.0.0:7001");
  EXPECT_EQ(again->server.shutdown_grace_ms, 2500);
  EXPECT_EQ(again->server.tls.cert, "/etc/kyso/s.pem");
  EXPECT_EQ(again->workers, 3);
  EXPECT_EQ(again->trust.anchors,
            (std::vector<std::string>{"/etc/kyso/roots/", "/etc/kyso/extra.pem"}));
  EXPECT_EQ(again->revocation.mode, RevocationMode::kPrefer);
  EXPECT_EQ(again->revocation.intermediates, "off");
  EXPECT_EQ(again->revocation.ocsp_timeout_ms, 1500);
  EXPECT_EQ(again->revocation.crl_overrides.at("CA One"), "http://127.0.0.1:2/one.crl");
  EXPECT_EQ(again->policy.min_rsa_bits, 3072);
  EXPECT_EQ(again->policy.allowed_digests, std::vector<DigestAlgorithm>{DigestAlgorithm::kSha384});
}

TEST(Config, RejectsUnknownKeysByName) {
  auto config = ParseConfig("trust:\n  anchor: [a]\n", "/");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("trust.anchor"), std::string::npos) << config.status();
  auto top = ParseConfig("polcy: {}\n", "/");
  ASSERT_FALSE(top.ok());
  EXPECT_NE(top.status().message().find("polcy"), std::string::npos);
}

TEST(Config, RejectsBadValues) {
  EXPECT_FALSE(ParseConfig("revocation: {mode: sometimes}\n", "/").ok());
  EXPECT_FALSE(ParseConfig("policy: {allowed_digests: [md5]}\n", "/").ok());
  EXPECT_FALSE(ParseConfig("policy: {min_rsa_bits: lots}\n", "/").ok());
  EXPECT_FALSE(ParseConfig("trust: [", "/").ok());
  EXPECT_FALSE(ParseConfig("workers: -1\n", "/").ok());
}

TEST(Config, AbsolutePathsStayAbsolute) {
  auto config = ParseConfig("trust: {anchors: /srv/roots.pem}\n", "/etc/kyso");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->trust.anchors, std::vector<std::string>{"/srv/roots.pem"});
}

TEST(Config, MissingFileIsAnError) {
  EXPECT_EQ(LoadConfig("/nonexistent/kyso.yaml").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kyso
