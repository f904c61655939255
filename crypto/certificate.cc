#include "crypto/certificate.h"

#include <openssl/ec.h>
#include <openssl/pem.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "crypto/algorithms.h"
#include "crypto/asn1/certificate_fields.h"
#include "crypto/identifiers.h"
#include "crypto/openssl_error.h"
#include "crypto/status_macros.h"

namespace kyso {
namespace {

PublicKeyInfo DescribeKey(EVP_PKEY* key) {
  PublicKeyInfo info;
  if (key == nullptr) return info;
  info.bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      info.type = "rsa";
      break;
    case EVP_PKEY_RSA_PSS:
      info.type = "rsa-pss";
      break;
    case EVP_PKEY_EC: {
      info.type = "ec";
      char group[64] = {0};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) == 1) {
        const char* nist = EC_curve_nid2nist(OBJ_txt2nid(group));
        info.curve = nist != nullptr ? nist : group;
      }
      break;
    }
    case EVP_PKEY_ED25519:
      info.type = "ed25519";
      break;
    case EVP_PKEY_ED448:
      info.type = "ed448";
      break;
    default:
      info.type = "other";
  }
  return info;
}

std::string SerialHex(const ASN1_INTEGER* serial) {
  BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return "";
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) return "";
  std::string out = absl::AsciiStrToLower(hex);
  OPENSSL_free(hex);
  return out;
}

}  // namespace

std::string NameToString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  // RFC 2253 ordering and escaping, but UTF-8 bytes printed as they are (no \XX escapes), so
  // Vietnamese text survives.
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);  // NOLINT(google-runtime-int)
  return std::string(data, static_cast<size_t>(len));
}

absl::Time Asn1TimeToAbsl(const ASN1_TIME* t) {
  struct tm tm = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return absl::InfinitePast();
  return absl::FromCivil(absl::CivilSecond(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                                           tm.tm_min, tm.tm_sec),
                         absl::UTCTimeZone());
}

absl::StatusOr<std::shared_ptr<const Certificate>> Certificate::Parse(absl::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* const end = p + der.size();
  X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));  // NOLINT
  if (!x509) return OpenSslError("cannot decode certificate");
  if (p != end) return absl::InvalidArgumentError("trailing bytes after certificate");
  // Fill OpenSSL's extension cache now, while no other thread can see the object, and learn
  // whether the extensions decoded at all.
  X509_check_purpose(x509.get(), -1, 0);

  std::shared_ptr<Certificate> cert(new Certificate());
  cert->der_ = std::string(der);
  cert->sha256_ = Digest(DigestAlgorithm::kSha256, der);
  cert->sha256_hex_ = HexEncode(cert->sha256_);
  cert->subject_ = NameToString(X509_get_subject_name(x509.get()));
  cert->issuer_ = NameToString(X509_get_issuer_name(x509.get()));
  cert->serial_hex_ = SerialHex(X509_get0_serialNumber(x509.get()));
  cert->identifiers_ = IdentifiersFromName(X509_get_subject_name(x509.get()));
  cert->key_ = DescribeKey(X509_get0_pubkey(x509.get()));
  cert->not_before_ = Asn1TimeToAbsl(X509_get0_notBefore(x509.get()));
  cert->not_after_ = Asn1TimeToAbsl(X509_get0_notAfter(x509.get()));
  cert->self_issued_ =
      X509_NAME_cmp(X509_get_subject_name(x509.get()), X509_get_issuer_name(x509.get())) == 0;
  const uint32_t usage = X509_get_key_usage(x509.get());
  // X509_get_key_usage returns UINT32_MAX when the extension is absent.
  cert->allows_document_signing_ =
      usage == UINT32_MAX || (usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
  if (const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(x509.get())) {
    cert->subject_key_id_.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)),
                                 static_cast<size_t>(ASN1_STRING_length(ski)));
  }
  KYSO_ASSIGN_OR_RETURN(asn1::CertificateIdFields id, asn1::ReadCertificateIdFields(der));
  cert->issuer_der_ = std::string(id.issuer);
  cert->serial_der_ = std::string(id.serial);
  cert->x509_ = std::move(x509);
  return std::shared_ptr<const Certificate>(std::move(cert));
}

absl::StatusOr<std::vector<std::shared_ptr<const Certificate>>> Certificate::ParseAll(
    absl::string_view pem_or_der) {
  std::vector<std::shared_ptr<const Certificate>> out;
  if (!absl::StrContains(pem_or_der, "-----BEGIN")) {
    KYSO_ASSIGN_OR_RETURN(auto cert, Parse(pem_or_der));
    out.push_back(std::move(cert));
    return out;
  }
  BioPtr bio(BIO_new_mem_buf(pem_or_der.data(), static_cast<int>(pem_or_der.size())));
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;  // NOLINT(google-runtime-int)
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
      DrainOpenSslErrors();  // "no start line" marks the end of the input
      break;
    }
    const std::string block_name = name;
    std::string der(reinterpret_cast<char*>(data), static_cast<size_t>(len));
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (block_name != "CERTIFICATE" && block_name != "X509 CERTIFICATE") continue;
    KYSO_ASSIGN_OR_RETURN(auto cert, Parse(der));
    out.push_back(std::move(cert));
  }
  if (out.empty()) return absl::InvalidArgumentError("no certificate found in PEM input");
  return out;
}

SignerIdentity Certificate::Identity() const {
  return SignerIdentity{subject_, issuer_, serial_hex_, sha256_hex_, identifiers_};
}

}  // namespace kyso
