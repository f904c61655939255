// DER contents octets of the object identifiers kyso's own CMS reader compares against.
// oids_test.cc re-derives every one with OBJ_txt2obj.
#ifndef KYSO_CRYPTO_ASN1_OIDS_H_
#define KYSO_CRYPTO_ASN1_OIDS_H_

#include "absl/strings/string_view.h"

namespace kyso::asn1 {

// 1.2.840.113549.1.7.1: id-data
inline constexpr absl::string_view kOidData("\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01", 9);
// 1.2.840.113549.1.7.2: id-signedData
inline constexpr absl::string_view kOidSignedData("\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", 9);
// 1.2.840.113549.1.7.3: id-envelopedData
inline constexpr absl::string_view kOidEnvelopedData("\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03", 9);
// 1.2.840.113549.1.9.3: content-type attribute (RFC 5652 11.1)
inline constexpr absl::string_view kOidAttrContentType("\x2a\x86\x48\x86\xf7\x0d\x01\x09\x03", 9);
// 1.2.840.113549.1.9.4: message-digest attribute (RFC 5652 11.2)
inline constexpr absl::string_view kOidAttrMessageDigest("\x2a\x86\x48\x86\xf7\x0d\x01\x09\x04", 9);
// 1.2.840.113549.1.9.5: signing-time attribute (RFC 5652 11.3)
inline constexpr absl::string_view kOidAttrSigningTime("\x2a\x86\x48\x86\xf7\x0d\x01\x09\x05", 9);
// 1.2.840.113549.1.9.16.2.12: ESS signing-certificate (RFC 2634 5.4)
inline constexpr absl::string_view kOidAttrSigningCertificate(
    "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x02\x0c", 11);
// 1.2.840.113549.1.9.16.2.47: ESS signing-certificate-v2 (RFC 5035 3)
inline constexpr absl::string_view kOidAttrSigningCertificateV2(
    "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x02\x2f", 11);
// 1.3.14.3.2.26: SHA-1
inline constexpr absl::string_view kOidSha1("\x2b\x0e\x03\x02\x1a", 5);
// 2.16.840.1.101.3.4.2.4: SHA-224
inline constexpr absl::string_view kOidSha224("\x60\x86\x48\x01\x65\x03\x04\x02\x04", 9);
// 2.16.840.1.101.3.4.2.1: SHA-256
inline constexpr absl::string_view kOidSha256("\x60\x86\x48\x01\x65\x03\x04\x02\x01", 9);
// 2.16.840.1.101.3.4.2.2: SHA-384
inline constexpr absl::string_view kOidSha384("\x60\x86\x48\x01\x65\x03\x04\x02\x02", 9);
// 2.16.840.1.101.3.4.2.3: SHA-512
inline constexpr absl::string_view kOidSha512("\x60\x86\x48\x01\x65\x03\x04\x02\x03", 9);
// 1.2.840.113549.1.1.1: rsaEncryption
inline constexpr absl::string_view kOidRsaEncryption("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", 9);
// 1.2.840.113549.1.1.5: sha1WithRSAEncryption
inline constexpr absl::string_view kOidSha1WithRsa("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x05", 9);
// 1.2.840.113549.1.1.14: sha224WithRSAEncryption
inline constexpr absl::string_view kOidSha224WithRsa("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0e", 9);
// 1.2.840.113549.1.1.11: sha256WithRSAEncryption
inline constexpr absl::string_view kOidSha256WithRsa("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b", 9);
// 1.2.840.113549.1.1.12: sha384WithRSAEncryption
inline constexpr absl::string_view kOidSha384WithRsa("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0c", 9);
// 1.2.840.113549.1.1.13: sha512WithRSAEncryption
inline constexpr absl::string_view kOidSha512WithRsa("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0d", 9);
// 1.2.840.113549.1.1.10: id-RSASSA-PSS (RFC 4055)
inline constexpr absl::string_view kOidRsassaPss("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a", 9);
// 1.2.840.113549.1.1.8: id-mgf1 (RFC 4055)
inline constexpr absl::string_view kOidMgf1("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x08", 9);
// 1.2.840.10045.2.1: id-ecPublicKey (seen as a signature algorithm in CMS)
inline constexpr absl::string_view kOidEcPublicKey("\x2a\x86\x48\xce\x3d\x02\x01", 7);
// 1.2.840.10045.4.1: ecdsa-with-SHA1
inline constexpr absl::string_view kOidEcdsaWithSha1("\x2a\x86\x48\xce\x3d\x04\x01", 7);
// 1.2.840.10045.4.3.1: ecdsa-with-SHA224
inline constexpr absl::string_view kOidEcdsaWithSha224("\x2a\x86\x48\xce\x3d\x04\x03\x01", 8);
// 1.2.840.10045.4.3.2: ecdsa-with-SHA256
inline constexpr absl::string_view kOidEcdsaWithSha256("\x2a\x86\x48\xce\x3d\x04\x03\x02", 8);
// 1.2.840.10045.4.3.3: ecdsa-with-SHA384
inline constexpr absl::string_view kOidEcdsaWithSha384("\x2a\x86\x48\xce\x3d\x04\x03\x03", 8);
// 1.2.840.10045.4.3.4: ecdsa-with-SHA512
inline constexpr absl::string_view kOidEcdsaWithSha512("\x2a\x86\x48\xce\x3d\x04\x03\x04", 8);

// Every constant above with its dotted form, for tests and diagnostics.
struct KnownOid {
  absl::string_view der;
  const char* dotted;
};
inline constexpr KnownOid kKnownOids[] = {
    {kOidData, "1.2.840.113549.1.7.1"},
    {kOidSignedData, "1.2.840.113549.1.7.2"},
    {kOidEnvelopedData, "1.2.840.113549.1.7.3"},
    {kOidAttrContentType, "1.2.840.113549.1.9.3"},
    {kOidAttrMessageDigest, "1.2.840.113549.1.9.4"},
    {kOidAttrSigningTime, "1.2.840.113549.1.9.5"},
    {kOidAttrSigningCertificate, "1.2.840.113549.1.9.16.2.12"},
    {kOidAttrSigningCertificateV2, "1.2.840.113549.1.9.16.2.47"},
    {kOidSha1, "1.3.14.3.2.26"},
    {kOidSha224, "2.16.840.1.101.3.4.2.4"},
    {kOidSha256, "2.16.840.1.101.3.4.2.1"},
    {kOidSha384, "2.16.840.1.101.3.4.2.2"},
    {kOidSha512, "2.16.840.1.101.3.4.2.3"},
    {kOidRsaEncryption, "1.2.840.113549.1.1.1"},
    {kOidSha1WithRsa, "1.2.840.113549.1.1.5"},
    {kOidSha224WithRsa, "1.2.840.113549.1.1.14"},
    {kOidSha256WithRsa, "1.2.840.113549.1.1.11"},
    {kOidSha384WithRsa, "1.2.840.113549.1.1.12"},
    {kOidSha512WithRsa, "1.2.840.113549.1.1.13"},
    {kOidRsassaPss, "1.2.840.113549.1.1.10"},
    {kOidMgf1, "1.2.840.113549.1.1.8"},
    {kOidEcPublicKey, "1.2.840.10045.2.1"},
    {kOidEcdsaWithSha1, "1.2.840.10045.4.1"},
    {kOidEcdsaWithSha224, "1.2.840.10045.4.3.1"},
    {kOidEcdsaWithSha256, "1.2.840.10045.4.3.2"},
    {kOidEcdsaWithSha384, "1.2.840.10045.4.3.3"},
    {kOidEcdsaWithSha512, "1.2.840.10045.4.3.4"},
};

}  // namespace kyso::asn1

#endif  // KYSO_CRYPTO_ASN1_OIDS_H_
