// The `kyso` program: flag parsing only; the commands live in commands.cc.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/synchronization/mutex.h"
#include "service/cli/batch_command.h"
#include "service/cli/commands.h"
#include "service/cli/serve_command.h"

namespace {

void AddCommonFlags(CLI::App* cmd, kyso::cli::CommonOptions* o, std::string* lang) {
  cmd->add_option("--config", o->config_path, "YAML config file (trust, policy, revocation)");
  cmd->add_option("--trust-anchor", o->trust_anchors, "trust anchor certificate file or folder")
      ->allow_extra_args(false)
      ->take_all();
  cmd->add_option("--intermediate", o->intermediates, "intermediate CA certificate file or folder")
      ->allow_extra_args(false)
      ->take_all();
  cmd->add_option("--at", o->at, "validation time, RFC 3339 (2025-07-01T08:00:00Z); default now");
  cmd->add_option("--revocation", o->revocation, "revocation mode: require | prefer | off")
      ->check(CLI::IsMember({"require", "prefer", "off"}));
  cmd->add_option("--crl", o->crl_paths, "local CRL file (PEM or DER): revocation evidence")
      ->allow_extra_args(false)
      ->take_all();
  cmd->add_flag("--json", o->json, "print one JSON object per input (JSON Lines)");
  cmd->add_option("--lang", *lang, "language of the text output: en | vi")
      ->check(CLI::IsMember({"en", "vi"}));
}

}  // namespace

int main(int argc, char** argv) {
#ifdef NDEBUG
  // Debian's abseil is built without NDEBUG, so absl::Mutex checks lock ordering on every lock
  // (a global graph under its own lock): a cost on every document in a release build. Debug and
  // sanitizer builds, where the check finds bugs, keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  CLI::App app{
      "kyso: verifies digital signatures (CMS/PKCS#7, XMLDSig/XAdES) and X.509 certificate chains, "
      "in process or as a gRPC service"};
  app.require_subcommand(1);

  kyso::cli::VerifyOptions verify;
  std::string verify_lang = "en";
  CLI::App* verify_cmd = app.add_subcommand("verify", "verify signed documents");
  AddCommonFlags(verify_cmd, &verify, &verify_lang);
  verify_cmd
      ->add_option("--content", verify.content_paths,
                   "signed content of detached signatures (repeatable; XML references "
                   "match it by file name)")
      ->allow_extra_args(false)
      ->take_all();
  verify_cmd->add_option("--server", verify.server,
                         "HOST:PORT of a running kyso service to verify with");
  verify_cmd->add_option("--tls-ca", verify.tls_ca,
                         "with --server: the CA of the server's TLS certificate");
  verify_cmd->add_option("--tls-cert", verify.tls_cert, "with --server: client certificate (mTLS)");
  verify_cmd->add_option("--tls-key", verify.tls_key, "with --server: client key (mTLS)");
  verify_cmd->add_flag("--table", verify.table, "one line per document (ignored with --json)");
  verify_cmd->add_option("FILE", verify.files, "signed documents")->required();

  kyso::cli::ValidateCertOptions cert;
  std::string cert_lang = "en";
  CLI::App* cert_cmd = app.add_subcommand("validate-cert", "validate certificates alone");
  AddCommonFlags(cert_cmd, &cert, &cert_lang);
  cert_cmd->add_flag("--any-usage", cert.any_usage,
                     "check the path only, not that the key may sign documents");
  cert_cmd->add_option("CERT", cert.files, "certificate files (PEM or DER)")->required();

  kyso::cli::ServeOptions serve;
  CLI::App* serve_cmd = app.add_subcommand("serve", "run the gRPC service");
  serve_cmd->add_option("--config", serve.config_path, "YAML config file")->required();
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on (overrides the config)");
  serve_cmd->add_flag("--print-config", serve.print_config,
                      "print the effective configuration (defaults filled in) and exit");
  serve_cmd->add_option("--metrics-listen", serve.metrics_listen,
                        "HOST:PORT for Prometheus /metrics (overrides the config)");
  serve_cmd->add_option("--admin-listen", serve.admin_listen,
                        "HOST:PORT for plaintext health and reflection, for probes (overrides "
                        "the config)");

  kyso::cli::BatchCommandOptions batch;
  std::string batch_lang = "en";
  CLI::App* batch_cmd =
      app.add_subcommand("batch", "re-verify an archive (folders, zip/tar, JSONL manifests)");
  batch_cmd->add_option("--input", batch.inputs, "folder, zip/tar archive or .jsonl manifest")
      ->required()
      ->allow_extra_args(false);
  batch_cmd->add_option("--out", batch.out, "results, one JSON line per file (appended)")
      ->required();
  batch_cmd->add_option("--server", batch.server, "HOST:PORT of a running kyso service");
  batch_cmd->add_flag("--embedded", batch.embedded, "verify in this process (the default)");
  batch_cmd->add_option("--at", batch.at,
                        "validation time: RFC 3339, or signing-time (the claimed signing time); "
                        "default now");
  batch_cmd->add_flag("--resume", batch.resume, "skip files already in --out (path and SHA-256)");
  batch_cmd->add_option("--concurrency", batch.concurrency, "documents in flight (default 64)");
  batch_cmd->add_option("--shard", batch.shard, "this run's shard, 0 <= I < N");
  batch_cmd->add_option("--of", batch.of, "number of shards N");
  batch_cmd->add_option("--report", batch.report_html, "write a self-contained HTML report");
  batch_cmd->add_option("--lang", batch_lang, "language of the summary: en | vi")
      ->check(CLI::IsMember({"en", "vi"}));
  batch_cmd->add_option("--config", batch.config_path, "YAML config (with --embedded)");
  batch_cmd->add_option("--trust-anchor", batch.trust_anchors, "trust anchor (with --embedded)")
      ->allow_extra_args(false);
  batch_cmd->add_option("--intermediate", batch.intermediates, "intermediate CA (--embedded)")
      ->allow_extra_args(false);
  batch_cmd->add_option("--crl", batch.crl_paths, "local CRL file (with --embedded)")
      ->allow_extra_args(false);
  batch_cmd->add_option("--revocation", batch.revocation, "require | prefer | off (--embedded)")
      ->check(CLI::IsMember({"require", "prefer", "off"}));
  batch_cmd->add_option("--threads", batch.threads, "worker threads with --embedded (0 = cores)");
  batch_cmd->add_option("--tls-ca", batch.tls_ca, "with --server: the server certificate's CA");
  batch_cmd->add_option("--tls-cert", batch.tls_cert, "with --server: client certificate (mTLS)");
  batch_cmd->add_option("--tls-key", batch.tls_key, "with --server: client key (mTLS)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, exit 2 (DESIGN.md "Command line"); CLI11 would print a usage block.
    std::cerr << "kyso: " << e.what() << " (see kyso --help)\n";
    return kyso::cli::kExitError;
  }

  if (serve_cmd->parsed()) return kyso::cli::RunServe(serve, std::cerr);
  if (batch_cmd->parsed()) {
    batch.lang = batch_lang == "vi" ? kyso::Language::kVietnamese : kyso::Language::kEnglish;
    return kyso::cli::RunBatchCommand(batch, std::cout, std::cerr);
  }
  if (verify_cmd->parsed()) {
    verify.lang = verify_lang == "vi" ? kyso::Language::kVietnamese : kyso::Language::kEnglish;
    return kyso::cli::RunVerify(verify, std::cout, std::cerr);
  }
  cert.lang = cert_lang == "vi" ? kyso::Language::kVietnamese : kyso::Language::kEnglish;
  return kyso::cli::RunValidateCert(cert, std::cout, std::cerr);
}
