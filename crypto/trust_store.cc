#include "crypto/trust_store.h"

#include "crypto/openssl_error.h"

namespace kyso {

absl::StatusOr<std::shared_ptr<const TrustStore>> TrustStore::Create(
    std::vector<CertificatePtr> anchors, std::vector<CertificatePtr> intermediates,
    uint64_t generation) {
  if (anchors.empty()) return absl::InvalidArgumentError("no trust anchor configured");
  std::shared_ptr<TrustStore> ts(new TrustStore());
  ts->store_.reset(X509_STORE_new());
  if (!ts->store_) return OpenSslError("cannot allocate X509_STORE", absl::StatusCode::kInternal);
  for (const CertificatePtr& a : anchors) {
    if (ts->anchor_sha256_.contains(a->sha256())) continue;
    if (X509_STORE_add_cert(ts->store_.get(), a->x509()) != 1) {
      return OpenSslError("cannot add trust anchor " + a->subject(), absl::StatusCode::kInternal);
    }
    ts->anchor_sha256_[a->sha256()] = true;
    ts->by_sha256_[a->sha256()] = a;
    ts->anchors_.push_back(a);
  }
  for (const CertificatePtr& c : intermediates) {
    if (ts->by_sha256_.contains(c->sha256())) continue;
    ts->by_sha256_[c->sha256()] = c;
    ts->intermediates_.push_back(c);
  }
  ts->generation_ = generation;
  return std::shared_ptr<const TrustStore>(std::move(ts));
}

CertificatePtr TrustStore::FindBySha256(const std::string& sha256) const {
  auto it = by_sha256_.find(sha256);
  return it == by_sha256_.end() ? nullptr : it->second;
}

bool TrustStore::IsAnchor(const Certificate& cert) const {
  return anchor_sha256_.contains(cert.sha256());
}

CertificatePtr TrustStore::FindByIssuerAndSerial(absl::string_view issuer_der,
                                                 absl::string_view serial_der) const {
  for (const auto& list : {&intermediates_, &anchors_}) {
    for (const CertificatePtr& c : *list) {
      if (c->serial_der() == serial_der && c->issuer_der() == issuer_der) return c;
    }
  }
  return nullptr;
}

CertificatePtr TrustStore::FindBySubjectKeyId(absl::string_view ski) const {
  for (const auto& list : {&intermediates_, &anchors_}) {
    for (const CertificatePtr& c : *list) {
      if (!c->subject_key_id().empty() && c->subject_key_id() == ski) return c;
    }
  }
  return nullptr;
}

}  // namespace kyso
