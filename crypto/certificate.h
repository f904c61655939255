// An X.509 certificate decoded once and kept immutable, with everything kyso reads from it
// precomputed: names, identifiers, key facts, validity, fingerprint.
//
// Decoding a certificate costs more than verifying a signature (d2i_X509 ≈ 170-260 µs with
// OpenSSL 3.0 against ≈ 25 µs for an RSA-2048 verify), so certificates are parsed once, shared
// through CertificateCache, and never copied.
//
// Thread-safety: immutable after Parse(); safe to share. The X509 handle is handed to OpenSSL
// functions that take a non-const pointer but only read (their internal caches are locked).
#ifndef KYSO_CRYPTO_CERTIFICATE_H_
#define KYSO_CRYPTO_CERTIFICATE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crypto/openssl_ptr.h"
#include "crypto/report.h"

namespace kyso {

struct PublicKeyInfo {
  std::string type;   // "rsa" | "rsa-pss" | "ec" | "ed25519" | ...
  int bits = 0;       // modulus size for RSA, group order size for EC
  std::string curve;  // "P-256" for EC keys
};

class Certificate final {
 public:
  // Decodes one DER certificate. Trailing bytes are an error.
  static absl::StatusOr<std::shared_ptr<const Certificate>> Parse(absl::string_view der);

  // Decodes every certificate in PEM text or a single DER certificate.
  static absl::StatusOr<std::vector<std::shared_ptr<const Certificate>>> ParseAll(
      absl::string_view pem_or_der);

  X509* x509() const { return x509_.get(); }
  EVP_PKEY* public_key() const { return X509_get0_pubkey(x509_.get()); }
  const std::string& der() const { return der_; }
  const std::string& sha256() const { return sha256_; }  // raw 32 bytes
  const std::string& sha256_hex() const { return sha256_hex_; }
  const std::string& subject() const { return subject_; }
  const std::string& issuer() const { return issuer_; }
  const std::string& serial_hex() const { return serial_hex_; }
  const std::vector<Identifier>& identifiers() const { return identifiers_; }
  const PublicKeyInfo& key() const { return key_; }
  absl::Time not_before() const { return not_before_; }
  absl::Time not_after() const { return not_after_; }
  bool self_issued() const { return self_issued_; }

  // RFC 5280 4.2.1.3: a certificate without keyUsage may be used for any purpose; with it, signing
  // documents needs digitalSignature or nonRepudiation (contentCommitment).
  bool allows_document_signing() const { return allows_document_signing_; }

  // The issuer Name and serialNumber as encoded in the certificate, for matching a CMS
  // IssuerAndSerialNumber byte for byte.
  const std::string& issuer_der() const { return issuer_der_; }
  const std::string& serial_der() const { return serial_der_; }
  // The subjectKeyIdentifier value, empty when absent.
  const std::string& subject_key_id() const { return subject_key_id_; }

  SignerIdentity Identity() const;

 private:
  Certificate() = default;

  X509Ptr x509_;
  std::string der_, sha256_, sha256_hex_;
  std::string subject_, issuer_, serial_hex_;
  std::vector<Identifier> identifiers_;
  PublicKeyInfo key_;
  absl::Time not_before_, not_after_;
  bool self_issued_ = false;
  bool allows_document_signing_ = true;
  std::string issuer_der_, serial_der_, subject_key_id_;
};

using CertificatePtr = std::shared_ptr<const Certificate>;

// RFC 2253 rendering of a name, UTF-8 kept as UTF-8 (Vietnamese names stay readable).
std::string NameToString(const X509_NAME* name);

// ASN1_TIME to absl::Time; InfinitePast for an unreadable value.
absl::Time Asn1TimeToAbsl(const ASN1_TIME* t);

}  // namespace kyso

#endif  // KYSO_CRYPTO_CERTIFICATE_H_
