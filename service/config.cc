#include "service/config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "crypto/status_macros.h"

namespace kyso {
namespace {

namespace fs = std::filesystem;

// yaml-cpp reports problems by throwing; this file is the adapter that turns them into statuses.
// Every helper below may throw YAML::Exception; ParseConfig catches.

absl::Status CheckKeys(const YAML::Node& node, const std::string& where,
                       const std::set<std::string>& allowed) {
  if (!node.IsMap()) return absl::InvalidArgumentError(absl::StrCat(where, ": expected a mapping"));
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (allowed.count(key) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown key '", where.empty() ? "" : where + ".", key,
                       "' (allowed: ", absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(base_dir) / path).lexically_normal().string();
}

absl::StatusOr<std::vector<std::string>> PathList(const YAML::Node& node, const std::string& where,
                                                  const std::string& base_dir) {
  std::vector<std::string> out;
  if (!node) return out;
  if (node.IsScalar()) {
    out.push_back(Resolve(base_dir, node.as<std::string>()));
    return out;
  }
  if (!node.IsSequence()) return absl::InvalidArgumentError(where + ": expected a list of paths");
  for (const auto& item : node) out.push_back(Resolve(base_dir, item.as<std::string>()));
  return out;
}

absl::Status ParseServer(const YAML::Node& node, const std::string& base_dir, ServerConfig* out) {
  KYSO_RETURN_IF_ERROR(CheckKeys(node, "server",
                                 {"listen", "metrics_listen", "admin_listen", "tls",
                                  "max_message_bytes", "shutdown_grace_ms"}));
  if (node["listen"]) out->listen = node["listen"].as<std::string>();
  if (node["metrics_listen"]) out->metrics_listen = node["metrics_listen"].as<std::string>();
  if (node["admin_listen"]) out->admin_listen = node["admin_listen"].as<std::string>();
  if (node["max_message_bytes"]) out->max_message_bytes = node["max_message_bytes"].as<int64_t>();
  if (node["shutdown_grace_ms"]) out->shutdown_grace_ms = node["shutdown_grace_ms"].as<int64_t>();
  if (out->shutdown_grace_ms < 0) {
    return absl::InvalidArgumentError("server.shutdown_grace_ms: must not be negative");
  }
  if (const YAML::Node tls = node["tls"]) {
    KYSO_RETURN_IF_ERROR(CheckKeys(tls, "server.tls", {"cert", "key", "client_ca"}));
    if (tls["cert"]) out->tls.cert = Resolve(base_dir, tls["cert"].as<std::string>());
    if (tls["key"]) out->tls.key = Resolve(base_dir, tls["key"].as<std::string>());
    if (tls["client_ca"])
      out->tls.client_ca = Resolve(base_dir, tls["client_ca"].as<std::string>());
  }
  return absl::OkStatus();
}

absl::Status ParseStringMap(const YAML::Node& node, const std::string& where,
                            std::map<std::string, std::string>* out) {
  if (!node) return absl::OkStatus();
  if (!node.IsMap()) return absl::InvalidArgumentError(where + ": expected a mapping");
  for (const auto& kv : node) (*out)[kv.first.as<std::string>()] = kv.second.as<std::string>();
  return absl::OkStatus();
}

absl::Status ParseRevocation(const YAML::Node& node, const std::string& base_dir,
                             RevocationConfig* out) {
  KYSO_RETURN_IF_ERROR(
      CheckKeys(node, "revocation", {"mode", "intermediates", "ocsp", "crl", "cache"}));
  if (node["mode"]) {
    KYSO_ASSIGN_OR_RETURN(out->mode, ParseRevocationMode(node["mode"].as<std::string>()));
  }
  if (node["intermediates"]) {
    out->intermediates = node["intermediates"].as<std::string>();
    if (out->intermediates != "if_advertised" && out->intermediates != "require" &&
        out->intermediates != "off") {
      return absl::InvalidArgumentError(
          "revocation.intermediates must be if_advertised, require or off");
    }
  }
  if (const YAML::Node ocsp = node["ocsp"]) {
    KYSO_RETURN_IF_ERROR(CheckKeys(ocsp, "revocation.ocsp", {"timeout_ms", "overrides", "nonce"}));
    if (ocsp["timeout_ms"]) out->ocsp_timeout_ms = ocsp["timeout_ms"].as<int>();
    if (ocsp["nonce"]) out->ocsp_nonce = ocsp["nonce"].as<bool>();
    KYSO_RETURN_IF_ERROR(
        ParseStringMap(ocsp["overrides"], "revocation.ocsp.overrides", &out->ocsp_overrides));
  }
  if (const YAML::Node crl = node["crl"]) {
    KYSO_RETURN_IF_ERROR(CheckKeys(crl, "revocation.crl", {"overrides"}));
    KYSO_RETURN_IF_ERROR(
        ParseStringMap(crl["overrides"], "revocation.crl.overrides", &out->crl_overrides));
  }
  if (const YAML::Node cache = node["cache"]) {
    KYSO_RETURN_IF_ERROR(CheckKeys(cache, "revocation.cache", {"path", "redis"}));
    if (cache["path"]) out->cache_path = Resolve(base_dir, cache["path"].as<std::string>());
    if (cache["redis"]) out->cache_redis = cache["redis"].as<std::string>();
  }
  return absl::OkStatus();
}

absl::Status ParsePolicy(const YAML::Node& node, Policy* out) {
  KYSO_RETURN_IF_ERROR(
      CheckKeys(node, "policy", {"min_rsa_bits", "min_ec_bits", "allowed_digests"}));
  if (node["min_rsa_bits"]) out->min_rsa_bits = node["min_rsa_bits"].as<int>();
  if (node["min_ec_bits"]) out->min_ec_bits = node["min_ec_bits"].as<int>();
  if (const YAML::Node digests = node["allowed_digests"]) {
    if (!digests.IsSequence()) {
      return absl::InvalidArgumentError("policy.allowed_digests: expected a list");
    }
    out->allowed_digests.clear();
    for (const auto& d : digests) {
      const std::string name = d.as<std::string>();
      auto digest = DigestFromName(name);
      if (!digest) {
        return absl::InvalidArgumentError(absl::StrCat("policy.allowed_digests: unknown digest '",
                                                       name,
                                                       "' (sha1, sha224, sha256, sha384, sha512)"));
      }
      out->allowed_digests.push_back(*digest);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Config> ParseConfigOrThrow(absl::string_view yaml, const std::string& base_dir) {
  Config config;
  const YAML::Node root = YAML::Load(std::string(yaml));
  if (!root || root.IsNull()) return config;
  KYSO_RETURN_IF_ERROR(CheckKeys(root, "", {"server", "workers", "trust", "revocation", "policy"}));
  if (root["server"]) KYSO_RETURN_IF_ERROR(ParseServer(root["server"], base_dir, &config.server));
  if (root["workers"]) config.workers = root["workers"].as<int>();
  if (const YAML::Node trust = root["trust"]) {
    KYSO_RETURN_IF_ERROR(CheckKeys(trust, "trust", {"anchors", "intermediates"}));
    KYSO_ASSIGN_OR_RETURN(config.trust.anchors,
                          PathList(trust["anchors"], "trust.anchors", base_dir));
    KYSO_ASSIGN_OR_RETURN(config.trust.intermediates,
                          PathList(trust["intermediates"], "trust.intermediates", base_dir));
  }
  if (root["revocation"]) {
    KYSO_RETURN_IF_ERROR(ParseRevocation(root["revocation"], base_dir, &config.revocation));
  }
  if (root["policy"]) KYSO_RETURN_IF_ERROR(ParsePolicy(root["policy"], &config.policy));
  config.policy.revocation = config.revocation.mode;
  // The default cache file lives beside the config too.
  config.revocation.cache_path = Resolve(base_dir, config.revocation.cache_path);
  if (config.workers < 0) return absl::InvalidArgumentError("workers must be 0 or more");
  return config;
}

}  // namespace

std::string ConfigToYaml(const Config& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "server" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "listen" << YAML::Value << config.server.listen;
  out << YAML::Key << "metrics_listen" << YAML::Value << config.server.metrics_listen;
  out << YAML::Key << "admin_listen" << YAML::Value << config.server.admin_listen;
  out << YAML::Key << "tls" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "cert" << YAML::Value << config.server.tls.cert;
  out << YAML::Key << "key" << YAML::Value << config.server.tls.key;
  out << YAML::Key << "client_ca" << YAML::Value << config.server.tls.client_ca;
  out << YAML::EndMap;
  out << YAML::Key << "max_message_bytes" << YAML::Value << config.server.max_message_bytes;
  out << YAML::Key << "shutdown_grace_ms" << YAML::Value << config.server.shutdown_grace_ms;
  out << YAML::EndMap;
  out << YAML::Key << "workers" << YAML::Value << config.workers;
  out << YAML::Key << "trust" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "anchors" << YAML::Value << YAML::Flow << config.trust.anchors;
  out << YAML::Key << "intermediates" << YAML::Value << YAML::Flow << config.trust.intermediates;
  out << YAML::EndMap;
  const RevocationConfig& r = config.revocation;
  out << YAML::Key << "revocation" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "mode" << YAML::Value << YAML::DoubleQuoted << std::string(ToString(r.mode));
  out << YAML::Key << "intermediates" << YAML::Value << YAML::DoubleQuoted << r.intermediates;
  out << YAML::Key << "ocsp" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "timeout_ms" << YAML::Value << r.ocsp_timeout_ms;
  out << YAML::Key << "nonce" << YAML::Value << r.ocsp_nonce;
  out << YAML::Key << "overrides" << YAML::Value << YAML::BeginMap;
  for (const auto& [k, v] : r.ocsp_overrides) out << YAML::Key << k << YAML::Value << v;
  out << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "crl" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "overrides" << YAML::Value << YAML::BeginMap;
  for (const auto& [k, v] : r.crl_overrides) out << YAML::Key << k << YAML::Value << v;
  out << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "cache" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "path" << YAML::Value << r.cache_path;
  out << YAML::Key << "redis" << YAML::Value << r.cache_redis;
  out << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "policy" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "min_rsa_bits" << YAML::Value << config.policy.min_rsa_bits;
  out << YAML::Key << "min_ec_bits" << YAML::Value << config.policy.min_ec_bits;
  std::vector<std::string> digests;
  for (DigestAlgorithm d : config.policy.allowed_digests) digests.emplace_back(ToString(d));
  out << YAML::Key << "allowed_digests" << YAML::Value << YAML::Flow << digests;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

absl::StatusOr<Config> ParseConfig(absl::string_view yaml, const std::string& base_dir) {
  try {
    return ParseConfigOrThrow(yaml, base_dir);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("invalid YAML: ", e.what()));
  }
}

absl::StatusOr<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  const std::string dir = fs::absolute(fs::path(path)).parent_path().string();
  absl::StatusOr<Config> config = ParseConfig(text.str(), dir);
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

}  // namespace kyso
