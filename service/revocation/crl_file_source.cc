#include "service/revocation/crl_file_source.h"

#include "absl/strings/str_cat.h"
#include "service/file_io.h"

namespace kyso {

absl::StatusOr<std::unique_ptr<CrlFileSource>> CrlFileSource::Load(
    const std::vector<std::string>& paths, const TrustStore& trust) {
  auto source = std::unique_ptr<CrlFileSource>(new CrlFileSource());
  for (const std::string& path : paths) {
    absl::StatusOr<std::string> bytes = ReadFile(path, 64 << 20);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<X509CrlPtr> decoded = revocation::Crl::Decode(*bytes);
    if (!decoded.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", decoded.status().message()));
    }
    // The issuer: a configured certificate whose subject is the CRL's issuer name and whose key
    // verifies it (a name alone could belong to a re-keyed CA).
    absl::Status last = absl::NotFoundError("no configured CA certificate issued this CRL");
    bool loaded = false;
    for (const auto* list : {&trust.intermediates(), &trust.anchors()}) {
      for (const CertificatePtr& c : *list) {
        if (X509_NAME_cmp(X509_CRL_get_issuer(decoded->get()), X509_get_subject_name(c->x509())) !=
            0) {
          continue;
        }
        absl::StatusOr<std::shared_ptr<const revocation::Crl>> crl =
            revocation::Crl::ParseAndVerify(*bytes, *c);
        if (!crl.ok()) {
          last = crl.status();
          continue;
        }
        source->by_issuer_[c->sha256()] = Entry{*std::move(crl), path};
        loaded = true;
      }
    }
    if (!loaded) return absl::Status(last.code(), absl::StrCat(path, ": ", last.message()));
  }
  return source;
}

absl::StatusOr<RevocationReport> CrlFileSource::Check(const RevocationQuery& query) {
  auto it = by_issuer_.find(query.issuer->sha256());
  if (it == by_issuer_.end()) {
    return absl::NotFoundError(absl::StrCat("no CRL given for ", query.issuer->subject()));
  }
  absl::StatusOr<RevocationReport> evidence = it->second.crl->StatusOf(*query.cert, query.now);
  if (evidence.ok()) evidence->url = it->second.path;
  return evidence;
}

}  // namespace kyso
