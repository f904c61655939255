#include "service/trust_loader.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "crypto/status_macros.h"
#include "service/file_io.h"

namespace kyso {
namespace {

namespace fs = std::filesystem;

bool IsCertificateFile(const fs::path& p) {
  const std::string ext = absl::AsciiStrToLower(p.extension().string());
  return ext == ".pem" || ext == ".crt" || ext == ".cer" || ext == ".der";
}

absl::Status LoadFile(const std::string& path, std::vector<CertificatePtr>* out) {
  KYSO_ASSIGN_OR_RETURN(std::string data, ReadFile(path, 16 << 20));
  absl::StatusOr<std::vector<CertificatePtr>> certs = Certificate::ParseAll(data);
  if (!certs.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", certs.status().message()));
  }
  out->insert(out->end(), certs->begin(), certs->end());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<CertificatePtr>> LoadCertificates(
    const std::vector<std::string>& paths) {
  std::vector<CertificatePtr> out;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (entry.is_regular_file() && IsCertificateFile(entry.path()))
          files.push_back(entry.path());
      }
      if (ec) return absl::UnavailableError(absl::StrCat(path, ": ", ec.message()));
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) KYSO_RETURN_IF_ERROR(LoadFile(f.string(), &out));
    } else {
      KYSO_RETURN_IF_ERROR(LoadFile(path, &out));
    }
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const TrustStore>> LoadTrustStore(
    const std::vector<std::string>& anchor_paths,
    const std::vector<std::string>& intermediate_paths, uint64_t generation) {
  KYSO_ASSIGN_OR_RETURN(std::vector<CertificatePtr> anchors, LoadCertificates(anchor_paths));
  KYSO_ASSIGN_OR_RETURN(std::vector<CertificatePtr> intermediates,
                        LoadCertificates(intermediate_paths));
  if (anchors.empty()) {
    return absl::InvalidArgumentError(
        "no trust anchor: set trust.anchors in the config or pass --trust-anchor");
  }
  return TrustStore::Create(std::move(anchors), std::move(intermediates), generation);
}

}  // namespace kyso
