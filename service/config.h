// The kyso configuration file (YAML; DESIGN.md "Config"). Unknown keys are rejected with the key
// named, so a typo never silently falls back to a default. Relative paths resolve against the
// folder of the config file.
#ifndef KYSO_SERVICE_CONFIG_H_
#define KYSO_SERVICE_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/policy.h"

namespace kyso {

struct TlsConfig {
  std::string cert, key, client_ca;
};

struct ServerConfig {
  std::string listen = "127.0.0.1:50051";
  std::string metrics_listen = "127.0.0.1:9464";
  // Plaintext health + reflection for probes; empty: none (health is on the main port too).
  std::string admin_listen;
  TlsConfig tls;
  int64_t max_message_bytes = 64 << 20;
  // SIGTERM: how long calls in flight may take to finish before they are cancelled.
  int64_t shutdown_grace_ms = 10000;
};

struct TrustConfig {
  std::vector<std::string> anchors;        // files or folders of PEM/DER certificates
  std::vector<std::string> intermediates;  // idem
};

struct RevocationConfig {
  RevocationMode mode = RevocationMode::kRequire;  // DESIGN.md: hard-fail by default
  std::string intermediates = "if_advertised";     // if_advertised | require | off
  int ocsp_timeout_ms = 3000;
  std::map<std::string, std::string> ocsp_overrides;  // issuer subject or name -> responder URL
  std::map<std::string, std::string> crl_overrides;   // issuer subject or name -> CRL URL
  bool ocsp_nonce = false;
  std::string cache_path = "kyso-cache.sqlite";
  std::string cache_redis;
};

struct Config {
  ServerConfig server;
  int workers = 0;  // 0 = number of cores
  TrustConfig trust;
  RevocationConfig revocation;
  Policy policy;
};

// Reads and validates a config file. Errors name the file and the offending key.
absl::StatusOr<Config> LoadConfig(const std::string& path);

// The effective configuration as YAML, every key spelled out (`kyso serve --print-config`);
// ParseConfig reads it back to the same values.
std::string ConfigToYaml(const Config& config);

// The same from text; `base_dir` resolves relative paths.
absl::StatusOr<Config> ParseConfig(absl::string_view yaml, const std::string& base_dir);

}  // namespace kyso

#endif  // KYSO_SERVICE_CONFIG_H_
