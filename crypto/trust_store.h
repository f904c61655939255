// An immutable snapshot of what kyso trusts: several named trust anchors (the national root, the
// Government root, ministry roots, ...) and a pool of intermediate CA certificates.
//
// A reload builds a new snapshot with a new generation number and swaps a shared_ptr; requests in
// flight finish on the snapshot they started with. The generation is part of every cached chain
// verdict's key, so a reload never serves a verdict computed against other anchors.
//
// Anchors are root certificates: partial chains are never accepted (the issue's "no partial
// chains"), so a path must end at a self-signed anchor; configuring a subordinate CA as an anchor
// makes its signers fail with NO_CERTIFICATE_CHAIN_FOUND. Put subordinate CAs in the
// intermediates pool and their root among the anchors.
//
// Thread-safety: immutable after Create(); safe to share.
#ifndef KYSO_CRYPTO_TRUST_STORE_H_
#define KYSO_CRYPTO_TRUST_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "crypto/certificate.h"
#include "crypto/openssl_ptr.h"

namespace kyso {

class TrustStore final {
 public:
  static absl::StatusOr<std::shared_ptr<const TrustStore>> Create(
      std::vector<CertificatePtr> anchors, std::vector<CertificatePtr> intermediates,
      uint64_t generation);

  // Anchors only; read-only after creation.
  X509_STORE* store() const { return store_.get(); }
  const std::vector<CertificatePtr>& anchors() const { return anchors_; }
  const std::vector<CertificatePtr>& intermediates() const { return intermediates_; }
  uint64_t generation() const { return generation_; }

  // The anchor or intermediate with this exact encoding (by SHA-256), or null.
  CertificatePtr FindBySha256(const std::string& sha256) const;
  bool IsAnchor(const Certificate& cert) const;

  // Lookups for a CMS SignerIdentifier, among anchors and intermediates.
  CertificatePtr FindByIssuerAndSerial(absl::string_view issuer_der,
                                       absl::string_view serial_der) const;
  CertificatePtr FindBySubjectKeyId(absl::string_view ski) const;

 private:
  TrustStore() = default;

  X509StorePtr store_;
  std::vector<CertificatePtr> anchors_;
  std::vector<CertificatePtr> intermediates_;
  absl::flat_hash_map<std::string, CertificatePtr> by_sha256_;
  absl::flat_hash_map<std::string, bool> anchor_sha256_;
  uint64_t generation_ = 0;
};

}  // namespace kyso

#endif  // KYSO_CRYPTO_TRUST_STORE_H_
