// Differential test: kyso's CMS reader and signer checks against OpenSSL's CMS_verify, on every
// generated fixture document (valid, tampered, malformed) and on kDifferentialMutations seeded
// mutations of the fixtures both sides verify.
//
// What is compared is the crypto-and-structure layer only, never chains or policy:
//   kyso       every SignatureReport names its signer certificate, has its algorithms resolved
//              (an unsupported algorithm leaves the signature unchecked, so it cannot count as
//              verified), and carries no TOTAL_FAILED FORMAT_FAILURE, HASH_FAILURE or
//              SIG_CRYPTO_FAILURE; the document has at least one signature.
//   OpenSSL    d2i_CMS_ContentInfo (PEM_read_bio_CMS for PEM) consumes the whole input, and
//              CMS_verify(cms, pool, nullptr, content, nullptr,
//                         CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) returns 1.
// Both sides see the same certificates: kyso looks signers up in the document and then in the trust
// store (anchors and intermediates pool), so the same certificates are CMS_verify's `certs`. Both
// see the same content: kyso is always offered dossier.txt as detached content and ignores it when
// the document carries its own, so OpenSSL gets it only when CMS_is_detached() (given a dcont,
// CMS_verify would digest it instead of the attached content).
//
// Intentional differences. Each is recognised only when an independent check (with OpenSSL's view
// of the document, not kyso's findings alone) confirms its cause; anything else fails the test.
// IntentionalDifferencesHold makes each one on purpose, so all are asserted on every run.
//   kContentTypeMismatch      kyso rejects a content-type signed attribute that differs from
//                             eContentType (RFC 5652 11.1: its value "MUST match the SignedData
//                             encapContentInfo eContentType value"); CMS_verify does not compare
//                             them. Reached by mutating the unsigned eContentType.
//   kSignatureAlgorithm       kyso requires the SignerInfo's signatureAlgorithm to name the
//                             signer's key type and, when it names a hash, the digestAlgorithm
//                             (RFC 5652 5.4), and both identifiers' parameters to be absent or
//                             NULL (RFC 3370, 5754, 5758); CMS_verify ignores the parameters and
//                             the signature algorithm for ECDSA, and accepts any
//                             <hash>WithRSAEncryption for RSA. The fields are not signed, so a
//                             mutation of them leaves the signature intact.
//   kTrailingBytes            kyso rejects bytes after the ContentInfo (cms.trailing_data);
//                             d2i_CMS_ContentInfo stops at the end of the first object and
//                             CMS_verify then succeeds. Part of the reference definition above,
//                             asserted explicitly so the difference stays visible.
//   kUndecodableCertificate   kyso skips an embedded CertificateChoices element that is not a
//                             decodable X.509 certificate (cms_verifier.cc: it cannot be on a
//                             valid path); OpenSSL's template decoder rejects the whole message.
//                             Confirmed by re-encoding the message without those elements:
//                             OpenSSL must then verify it.
//   kDigestAlgorithmsSet      kyso only checks that SignedData.digestAlgorithms holds
//                             well-formed AlgorithmIdentifiers: every SignerInfo names the digest
//                             it uses, and the set is a hint for one-pass processing (RFC 5652
//                             5.1: "There MAY be any number of elements in the collection,
//                             including zero.").
//                             OpenSSL digests the content only with the algorithms listed there:
//                             CMS_dataInit fails on an entry it does not know or cannot decode,
//                             and a SignerInfo whose digest is not listed fails. Confirmed the
//                             same way, with the set replaced by the SignerInfos' own digests.
//   kSignerNameEncoding       kyso matches IssuerAndSerialNumber to a certificate byte for byte;
//                             OpenSSL compares canonical names (case-folded, string type
//                             ignored), so a re-encoded or re-cased issuer name still matches.
// valid-no-certs.p7s carries no certificate and its signer is in neither the document nor the
// pool, so both sides fail it: no difference there.
//
// Found by this test and fixed: kyso did not check the SignerInfo's signatureAlgorithm parameters
// and accepted even invalid BER there; InvalidSignatureAlgorithmParametersAgree pins the fix.
//
// Reproducing a failure: the message names the seed, mutation index, source fixture and operation,
// and the mutated bytes are written under ::testing::TempDir(). KYSO_DIFFERENTIAL_SEED overrides
// the seed (to explore; the default run is deterministic for a given fixture set).
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crypto/asn1/der_reader.h"
#include "crypto/asn1/oids.h"
#include "crypto/cms/cms_parser.h"
#include "crypto/messages.h"
#include "crypto/openssl_error.h"
#include "crypto/openssl_ptr.h"
#include "crypto/report.h"
#include "crypto/verifier.h"
#include "gtest/gtest.h"
#include "service/trust_loader.h"
#include "tests/support/test_data.h"

namespace kyso {
namespace {

using ::kyso::testing::DocsDir;
using ::kyso::testing::PkiDir;
using ::kyso::testing::ReadFileOrDie;

constexpr int kDifferentialMutations = 2000;
constexpr uint32_t kDefaultSeed = 20260101;
// 2026-01-01T00:00:00Z, the time the fixtures are written for (tests/pki/README.md).
constexpr int64_t kPinnedUnixSeconds = 1767225600;

enum class Difference {
  kNone,
  kContentTypeMismatch,
  kSignatureAlgorithm,
  kTrailingBytes,
  kUndecodableCertificate,
  kDigestAlgorithmsSet,
  kSignerNameEncoding,
};

absl::string_view ToString(Difference d) {
  switch (d) {
    case Difference::kNone:
      return "none";
    case Difference::kContentTypeMismatch:
      return "content_type_mismatch";
    case Difference::kSignatureAlgorithm:
      return "signature_algorithm";
    case Difference::kTrailingBytes:
      return "trailing_bytes";
    case Difference::kUndecodableCertificate:
      return "undecodable_certificate";
    case Difference::kDigestAlgorithmsSet:
      return "digest_algorithms_set";
    case Difference::kSignerNameEncoding:
      return "signer_name_encoding";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// kyso's side.

struct KysoOutcome {
  bool verified = false;
  std::set<std::string> codes;  // every finding's code, document and signatures
  std::string summary;          // for failure messages
};

KysoOutcome RunKyso(Verifier& verifier, const VerificationContext& ctx, absl::string_view bytes,
                    absl::string_view detached) {
  const DocumentReport report = verifier.VerifyDocument(bytes, detached, ctx);
  KysoOutcome out;
  out.verified = !report.signatures.empty();
  out.summary = absl::StrCat(ToString(report.verdict.indication), "/",
                             ToString(report.verdict.sub_indication));
  for (const Message& m : report.messages) {
    out.codes.insert(m.code);
    absl::StrAppend(&out.summary, " ", m.code);
  }
  for (const SignatureReport& s : report.signatures) {
    const bool crypto_failed = s.verdict.indication == Indication::kTotalFailed &&
                               (s.verdict.sub_indication == SubIndication::kFormatFailure ||
                                s.verdict.sub_indication == SubIndication::kHashFailure ||
                                s.verdict.sub_indication == SubIndication::kSigCryptoFailure);
    if (crypto_failed || !s.signer.has_value() || s.signature_algorithm.empty()) {
      out.verified = false;
    }
    absl::StrAppend(&out.summary, " | ", ToString(s.verdict.indication), "/",
                    ToString(s.verdict.sub_indication));
    for (const Message& m : s.messages) {
      out.codes.insert(m.code);
      absl::StrAppend(&out.summary, " ", m.code);
    }
  }
  return out;
}

// The findings of kyso's crypto-and-structure layer (cms_verifier.cc steps 1-5 and the parser).
// Chain, policy, ESS and informational codes are deliberately absent.
const std::set<std::string>& CryptoLayerCodes() {
  static const auto* const codes = new std::set<std::string>([] {
    std::set<std::string> s;
    for (MessageCode c :
         {MessageCode::kFormatEmpty, MessageCode::kFormatUnrecognized,
          MessageCode::kFormatPemInvalid, MessageCode::kCmsMalformed,
          MessageCode::kCmsNotSignedData, MessageCode::kCmsTrailingData, MessageCode::kCmsNoSigners,
          MessageCode::kCmsUnsupportedStructure, MessageCode::kDetachedContentMissing,
          MessageCode::kContentTypeAttributeMissing, MessageCode::kContentTypeMismatch,
          MessageCode::kMessageDigestAttributeMissing, MessageCode::kMessageDigestMismatch,
          MessageCode::kDuplicateSignedAttribute, MessageCode::kSignatureInvalid,
          MessageCode::kAlgorithmUnsupported, MessageCode::kAlgorithmInvalid,
          MessageCode::kSignerCertificateNotFound}) {
      s.insert(std::string(CodeOf(c)));
    }
    return s;
  }());
  return *codes;
}

// The crypto-layer findings of an outcome.
std::set<std::string> CryptoFindings(const KysoOutcome& kyso) {
  std::set<std::string> out;
  for (const std::string& c : kyso.codes) {
    if (CryptoLayerCodes().count(c) > 0) out.insert(c);
  }
  return out;
}

bool OnlyFindings(const KysoOutcome& kyso, std::initializer_list<MessageCode> allowed) {
  const std::set<std::string> found = CryptoFindings(kyso);
  if (found.empty()) return false;
  for (const std::string& c : found) {
    bool ok = false;
    for (MessageCode a : allowed) ok = ok || c == CodeOf(a);
    if (!ok) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// OpenSSL's side.

struct Reference {
  CmsContentInfoPtr cms;      // null when the input does not decode
  bool consumed_all = false;  // the decoder used every byte (only whitespace after PEM)
  bool cms_verify_ok = false;
  std::string error;

  bool verified() const { return cms_verify_ok && consumed_all; }
};

Reference RunOpenssl(absl::string_view bytes, bool pem, absl::string_view detached,
                     STACK_OF(X509) * pool) {
  Reference ref;
  ERR_clear_error();
  if (pem) {
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    // What PEM_read_bio_CMS expands to; cms.h declares that one only when pem.h came first.
    ref.cms.reset(static_cast<CMS_ContentInfo*>(
        PEM_ASN1_read_bio(reinterpret_cast<d2i_of_void*>(d2i_CMS_ContentInfo), PEM_STRING_CMS,
                          bio.get(), nullptr, nullptr, nullptr)));
    char* rest = nullptr;
    const long rest_len = BIO_get_mem_data(bio.get(), &rest);  // NOLINT(google-runtime-int)
    ref.consumed_all =
        absl::StripAsciiWhitespace(absl::string_view(rest, static_cast<size_t>(rest_len))).empty();
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const unsigned char* const end = p + bytes.size();
    ref.cms.reset(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(bytes.size())));  // NOLINT
    ref.consumed_all = ref.cms != nullptr && p == end;
  }
  if (!ref.cms) {
    ref.error = "decode: " + DrainOpenSslErrors();
    return ref;
  }
  BioPtr content;
  if (CMS_is_detached(ref.cms.get()) == 1) {
    content.reset(BIO_new_mem_buf(detached.data(), static_cast<int>(detached.size())));
  }
  ref.cms_verify_ok = CMS_verify(ref.cms.get(), pool, nullptr, content.get(), nullptr,
                                 CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) == 1;
  if (!ref.cms_verify_ok) ref.error = "CMS_verify: " + DrainOpenSslErrors();
  ERR_clear_error();
  return ref;
}

// ---------------------------------------------------------------------------------------------
// Independent checks behind each intentional difference, on OpenSSL's decoding.

// Some signer's content-type attribute is an OID other than eContentType.
bool ContentTypeAttributeDiffers(CMS_ContentInfo* cms) {
  const ASN1_OBJECT* econtent_type = CMS_get0_eContentType(cms);
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms);
  for (int i = 0; i < sk_CMS_SignerInfo_num(signers); ++i) {
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(signers, i);
    const auto* attr = static_cast<const ASN1_OBJECT*>(
        CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -1, V_ASN1_OBJECT));
    if (attr != nullptr && econtent_type != nullptr && OBJ_cmp(attr, econtent_type) != 0) {
      return true;
    }
  }
  return false;
}

// The signatureAlgorithm OIDs of every signer, in order, as text.
std::vector<std::string> SignatureAlgorithms(CMS_ContentInfo* cms) {
  // The DER of both AlgorithmIdentifiers, parameters included: a mutation of either shows.
  std::vector<std::string> out;
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms);
  for (int i = 0; i < sk_CMS_SignerInfo_num(signers); ++i) {
    X509_ALGOR* digest = nullptr;
    X509_ALGOR* sig = nullptr;
    CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(signers, i), nullptr, nullptr, &digest, &sig);
    for (X509_ALGOR* alg : {digest, sig}) {
      unsigned char* der = nullptr;
      const int len = i2d_X509_ALGOR(alg, &der);
      out.emplace_back(reinterpret_cast<char*>(der), len > 0 ? static_cast<size_t>(len) : 0);
      OPENSSL_free(der);
    }
  }
  return out;
}

// Some signer certificate (as CMS_verify set it) matches its IssuerAndSerialNumber only under
// OpenSSL's canonical name comparison, not byte for byte.
bool SignerMatchedOnlyCanonically(CMS_ContentInfo* cms) {
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms);
  for (int i = 0; i < sk_CMS_SignerInfo_num(signers); ++i) {
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(signers, i);
    X509* signer = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, &signer, nullptr, nullptr);
    ASN1_OCTET_STRING* key_id = nullptr;
    X509_NAME* issuer = nullptr;
    ASN1_INTEGER* serial = nullptr;
    if (signer == nullptr || CMS_SignerInfo_get0_signer_id(si, &key_id, &issuer, &serial) != 1 ||
        issuer == nullptr) {
      continue;
    }
    const X509_NAME* cert_issuer = X509_get_issuer_name(signer);
    const unsigned char* sid_der = nullptr;
    size_t sid_len = 0;
    const unsigned char* cert_der = nullptr;
    size_t cert_len = 0;
    if (X509_NAME_get0_der(issuer, &sid_der, &sid_len) != 1 ||
        X509_NAME_get0_der(cert_issuer, &cert_der, &cert_len) != 1) {
      continue;
    }
    const bool same_bytes = sid_len == cert_len && std::equal(sid_der, sid_der + sid_len, cert_der);
    if (!same_bytes && X509_NAME_cmp(issuer, cert_issuer) == 0) return true;
  }
  return false;
}

// A DER TLV with a minimal definite length.
std::string EncodeTlv(uint8_t tag, absl::string_view contents) {
  std::string out(1, static_cast<char>(tag));
  if (contents.size() < 0x80) {
    out.push_back(static_cast<char>(contents.size()));
  } else {
    std::string length;
    for (size_t n = contents.size(); n > 0; n >>= 8) {
      length.insert(length.begin(), static_cast<char>(n & 0xff));
    }
    out.push_back(static_cast<char>(0x80 | length.size()));
    out += length;
  }
  out.append(contents.data(), contents.size());
  return out;
}

bool IsDecodableCertificate(const asn1::Tlv& element) {
  if (element.tag != asn1::kTagSequence) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(element.full.data());
  const unsigned char* const end = p + element.full.size();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(element.full.size())));  // NOLINT
  ERR_clear_error();
  return cert != nullptr && p == end;
}

struct Stripped {
  std::string der;
  bool dropped_certificates = false;
  bool replaced_digest_algorithms = false;
};

// The message re-encoded without what kyso's reader accepts and then ignores: CertificateChoices
// elements that are not decodable certificates are dropped, and digestAlgorithms becomes exactly
// the SignerInfos' digest algorithms. nullopt when kyso's strict reader does not accept the
// message.
std::optional<Stripped> StripIgnoredParts(absl::string_view der) {
  absl::StatusOr<cms::SignedData> parsed = cms::ParseSignedDataDer(der);
  if (!parsed.ok()) return std::nullopt;
  // DER orders a SET OF by encoding (X.690 11.6); std::set does the same for these strings.
  std::set<std::string> signer_digests;
  for (const cms::SignerInfo& si : parsed->signers) {
    std::string alg = EncodeTlv(asn1::kTagOid, si.digest_algorithm.oid);
    if (si.digest_algorithm.parameters) alg += std::string(si.digest_algorithm.parameters->full);
    signer_digests.insert(EncodeTlv(asn1::kTagSequence, alg));
  }
  const std::string digest_set = absl::StrJoin(signer_digests, "");

  // ContentInfo { contentType, [0] { SignedData { version, digestAlgorithms, encapContentInfo,
  // [0] certificates, ... } } }; the strict reader accepted all of it, so every step succeeds.
  asn1::DerReader top(der);
  absl::StatusOr<asn1::Tlv> content_info = top.Expect(asn1::kTagSequence);
  asn1::DerReader ci(content_info->value);
  absl::StatusOr<asn1::Tlv> content_type = ci.Expect(asn1::kTagOid);
  absl::StatusOr<asn1::Tlv> explicit_content = ci.Expect(asn1::ContextConstructed(0));
  asn1::DerReader ec(explicit_content->value);
  absl::StatusOr<asn1::Tlv> signed_data = ec.Expect(asn1::kTagSequence);

  Stripped out;
  std::string body;
  asn1::DerReader sd(signed_data->value);
  for (int index = 0; !sd.empty(); ++index) {
    absl::StatusOr<asn1::Tlv> element = sd.Next();
    if (!element.ok()) return std::nullopt;
    if (index == 1) {  // digestAlgorithms
      out.replaced_digest_algorithms = element->value != digest_set;
      body += EncodeTlv(element->tag, digest_set);
    } else if (index == 3 && element->tag == asn1::ContextConstructed(0)) {  // certificates
      std::string kept;
      asn1::DerReader certs(element->value);
      while (!certs.empty()) {
        absl::StatusOr<asn1::Tlv> cert = certs.Next();
        if (!cert.ok()) return std::nullopt;
        if (IsDecodableCertificate(*cert)) {
          kept += std::string(cert->full);
        } else {
          out.dropped_certificates = true;
        }
      }
      body += EncodeTlv(element->tag, kept);
    } else {
      body += std::string(element->full);
    }
  }
  out.der = EncodeTlv(
      asn1::kTagSequence,
      absl::StrCat(content_type->full,
                   EncodeTlv(asn1::ContextConstructed(0), EncodeTlv(asn1::kTagSequence, body))));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The comparison.

struct Verdicts {
  KysoOutcome kyso;
  Reference openssl;
};

// ---------------------------------------------------------------------------------------------
// Mutations.

enum class Operation { kFlipByte, kTruncate, kInsertByte, kChangeLengthOctet, kSwapBytes };
constexpr int kOperations = 5;

struct Mutation {
  int index = 0;
  std::string source;
  std::string description;  // operation and its arguments
  std::string bytes;
};

// Offsets of every length octet of every DER header, descending into constructed elements.
void LengthOctets(absl::string_view data, const char* base, int depth, std::vector<size_t>* out) {
  asn1::DerReader r(data);
  while (!r.empty() && depth < 32) {
    auto tlv = r.Next();
    if (!tlv.ok()) return;
    const size_t offset = static_cast<size_t>(tlv->full.data() - base);
    const size_t header = tlv->full.size() - tlv->value.size();
    for (size_t i = 1; i < header; ++i) out->push_back(offset + i);
    if (tlv->constructed()) LengthOctets(tlv->value, base, depth + 1, out);
  }
}

Mutation Mutate(int index, const std::string& name, const std::string& original,
                std::mt19937& rng) {
  Mutation m;
  m.index = index;
  m.source = name;
  m.bytes = original;
  std::string& b = m.bytes;
  auto below = [&rng](size_t n) { return static_cast<size_t>(rng() % n); };
  switch (static_cast<Operation>(rng() % kOperations)) {
    case Operation::kFlipByte: {
      const size_t pos = below(b.size());
      const auto mask = static_cast<uint8_t>(1 + below(255));
      b[pos] = static_cast<char>(static_cast<uint8_t>(b[pos]) ^ mask);
      m.description = absl::StrFormat("flip pos=%d xor=0x%02x", pos, mask);
      break;
    }
    case Operation::kTruncate: {
      const size_t size = below(b.size());
      b.resize(size);
      m.description = absl::StrFormat("truncate size=%d", size);
      break;
    }
    case Operation::kInsertByte: {
      const size_t pos = below(b.size() + 1);
      const auto value = static_cast<char>(below(256));
      b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos), value);
      m.description =
          absl::StrFormat("insert pos=%d value=0x%02x", pos, static_cast<uint8_t>(value));
      break;
    }
    case Operation::kChangeLengthOctet: {
      std::vector<size_t> octets;
      LengthOctets(b, b.data(), 0, &octets);
      const size_t pos = octets[below(octets.size())];
      const auto old = static_cast<uint8_t>(b[pos]);
      uint8_t value = 0;
      switch (below(3)) {
        case 0:
          value = static_cast<uint8_t>(old + 1);
          break;
        case 1:
          value = static_cast<uint8_t>(old - 1);
          break;
        default:
          value = static_cast<uint8_t>(below(256));
          break;
      }
      b[pos] = static_cast<char>(value);
      m.description = absl::StrFormat("length pos=%d 0x%02x->0x%02x", pos, old, value);
      break;
    }
    case Operation::kSwapBytes: {
      const size_t a = below(b.size());
      const size_t c = below(b.size());
      std::swap(b[a], b[c]);
      m.description = absl::StrFormat("swap pos=%d pos=%d", a, c);
      break;
    }
  }
  return m;
}

// ---------------------------------------------------------------------------------------------

class CmsDifferentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto trust = LoadTrustStore({PkiDir() + "/anchors"}, {PkiDir() + "/intermediates"}, 1);
    ASSERT_TRUE(trust.ok()) << trust.status();
    ctx_ = VerificationContext{*trust, Policy(), absl::FromUnixSeconds(kPinnedUnixSeconds)};
    // CMS_verify's `certs`: the same anchors and intermediates kyso's signer lookup falls back to.
    for (const CertificatePtr& c : (*trust)->anchors()) sk_X509_push(pool_.get(), c->x509());
    for (const CertificatePtr& c : (*trust)->intermediates()) sk_X509_push(pool_.get(), c->x509());
    detached_ = ReadFileOrDie(DocsDir() + "/dossier.txt");
  }

  Verdicts Compare(absl::string_view bytes, bool pem) {
    return Verdicts{RunKyso(verifier_, ctx_, bytes, detached_),
                    RunOpenssl(bytes, pem, detached_, pool_.get())};
  }

  // Fixture documents: *.p7s and *.p7m, in name order.
  static std::vector<std::string> Fixtures() {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(DocsDir())) {
      const std::string name = e.path().filename().string();
      if (absl::EndsWith(name, ".p7s") || absl::EndsWith(name, ".p7m")) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  static bool IsPem(absl::string_view name) { return absl::StrContains(name, ".pem."); }

  // Which intentional difference explains a disagreement (or the trailing-bytes rule); kNone when
  // both agree without one, std::nullopt when nothing explains the disagreement.
  // `original` is the unmutated document for a mutation (to see what the mutation changed).
  std::optional<Difference> Explain(const Verdicts& v, absl::string_view bytes,
                                    const Reference* original) {
    const bool kyso_ok = v.kyso.verified;
    const bool ref_ok = v.openssl.verified();
    if (v.openssl.cms_verify_ok && !v.openssl.consumed_all) {
      // d2i/PEM read one object and CMS_verify accepted it; kyso must refuse the extra bytes.
      if (!kyso_ok &&
          v.kyso.codes.count(std::string(CodeOf(MessageCode::kCmsTrailingData))) +
                  v.kyso.codes.count(std::string(CodeOf(MessageCode::kFormatPemInvalid))) >
              0) {
        return Difference::kTrailingBytes;
      }
      return std::nullopt;
    }
    if (kyso_ok == ref_ok) return Difference::kNone;

    if (!kyso_ok && ref_ok) {
      CMS_ContentInfo* cms = v.openssl.cms.get();
      if (OnlyFindings(v.kyso, {MessageCode::kContentTypeMismatch}) &&
          ContentTypeAttributeDiffers(cms)) {
        return Difference::kContentTypeMismatch;
      }
      if (original != nullptr && original->cms != nullptr &&
          OnlyFindings(v.kyso, {MessageCode::kAlgorithmInvalid, MessageCode::kAlgorithmUnsupported,
                                MessageCode::kSignatureInvalid}) &&
          SignatureAlgorithms(cms) != SignatureAlgorithms(original->cms.get())) {
        return Difference::kSignatureAlgorithm;
      }
      if (OnlyFindings(v.kyso, {MessageCode::kSignerCertificateNotFound}) &&
          SignerMatchedOnlyCanonically(cms)) {
        return Difference::kSignerNameEncoding;
      }
      return std::nullopt;
    }

    // kyso verified, OpenSSL did not: without the parts kyso ignores, OpenSSL must verify too.
    const std::optional<Stripped> stripped = StripIgnoredParts(bytes);
    if (!stripped || !(stripped->dropped_certificates || stripped->replaced_digest_algorithms)) {
      return std::nullopt;
    }
    if (!RunOpenssl(stripped->der, false, detached_, pool_.get()).verified()) return std::nullopt;
    return stripped->dropped_certificates ? Difference::kUndecodableCertificate
                                          : Difference::kDigestAlgorithmsSet;
  }

  VerificationContext ctx_;
  Verifier verifier_;
  BorrowingX509Stack pool_ = MakeBorrowingX509Stack();
  std::string detached_;
};

std::string Describe(const Verdicts& v) {
  return absl::StrCat("kyso ", v.kyso.verified ? "verified" : "rejected", " [", v.kyso.summary,
                      "]; openssl ", v.openssl.verified() ? "verified" : "rejected",
                      v.openssl.consumed_all ? "" : " (input not fully consumed)", " [",
                      v.openssl.error, "]");
}

TEST_F(CmsDifferentialTest, FixturesAgreeWithCmsVerify) {
  const std::vector<std::string> names = Fixtures();
  ASSERT_GE(names.size(), 25u) << "the generated fixture set looks incomplete";
  std::map<Difference, std::vector<std::string>> seen;
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const std::string bytes = ReadFileOrDie(DocsDir() + "/" + name);
    const Verdicts v = Compare(bytes, IsPem(name));
    const std::optional<Difference> d = Explain(v, bytes, nullptr);
    ASSERT_TRUE(d.has_value()) << "unexplained disagreement on " << name << ": " << Describe(v);
    seen[*d].push_back(name);

    // The comparison is not vacuous: what the fixtures promise holds on both sides.
    if (absl::StartsWith(name, "valid-") && name != "valid-no-certs.p7s") {
      EXPECT_TRUE(v.kyso.verified && v.openssl.verified()) << Describe(v);
    }
    if (absl::StartsWith(name, "tampered-") || name == "valid-no-certs.p7s" ||
        name == "enveloped.p7m" || name == "empty.p7s" || name == "random.p7s" ||
        name == "truncated.p7s") {
      EXPECT_FALSE(v.kyso.verified || v.openssl.verified()) << Describe(v);
    }
  }
  // The one intentional difference the fixtures exercise.
  EXPECT_EQ(seen[Difference::kTrailingBytes], std::vector<std::string>{"trailing-garbage.p7s"});
  for (const auto& [difference, files] : seen) {
    if (difference == Difference::kNone || difference == Difference::kTrailingBytes) continue;
    ADD_FAILURE() << "fixtures should not show " << ToString(difference) << ": "
                  << absl::StrJoin(files, ", ");
  }
}

size_t OffsetIn(absl::string_view view, const std::string& bytes) {
  return static_cast<size_t>(view.data() - bytes.data());
}

// Every intentional difference, made on purpose, so each is asserted whether or not the seeded
// mutations happen to reach it: kyso and CMS_verify disagree exactly as the header says, and the
// independent check behind each class recognises it.
TEST_F(CmsDifferentialTest, IntentionalDifferencesHold) {
  struct Case {
    std::string what;
    std::string source;
    std::string bytes;
    Difference expected;
  };
  std::vector<Case> cases;
  auto add = [&cases](std::string what, const std::string& source, std::string bytes,
                      Difference expected) {
    cases.push_back({std::move(what), source, std::move(bytes), expected});
  };

  const std::string rsa = ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s");
  absl::StatusOr<cms::SignedData> rsa_sd = cms::ParseSignedDataDer(rsa);
  ASSERT_TRUE(rsa_sd.ok()) << rsa_sd.status();
  ASSERT_EQ(rsa_sd->signers.size(), 1u);
  const cms::SignerInfo& rsa_si = rsa_sd->signers[0];

  {  // eContentType id-data (1.2.840.113549.1.7.1) becomes id-digestedData (...7.5).
    std::string b = rsa;
    const size_t last = OffsetIn(rsa_sd->econtent_type, rsa) + rsa_sd->econtent_type.size() - 1;
    ASSERT_EQ(b[last], '\x01');
    b[last] = '\x05';
    add("eContentType differs from the content-type attribute", "valid-rsa2048.p7s", b,
        Difference::kContentTypeMismatch);
  }
  {  // signatureAlgorithm rsaEncryption (...1.1.1) becomes sha384WithRSAEncryption (...1.1.12).
    std::string b = rsa;
    ASSERT_EQ(rsa_si.signature_algorithm.oid, asn1::kOidRsaEncryption);
    b[OffsetIn(rsa_si.signature_algorithm.oid, rsa) + rsa_si.signature_algorithm.oid.size() - 1] =
        '\x0c';
    add("RSA signatureAlgorithm names SHA-384, digestAlgorithm SHA-256", "valid-rsa2048.p7s", b,
        Difference::kSignatureAlgorithm);
  }
  {  // The ECDSA signer's ecdsa-with-SHA256 (...4.3.2) becomes ecdsa-with-SHA384 (...4.3.3).
    const std::string ec = ReadFileOrDie(DocsDir() + "/valid-p256.p7s");
    absl::StatusOr<cms::SignedData> ec_sd = cms::ParseSignedDataDer(ec);
    ASSERT_TRUE(ec_sd.ok()) << ec_sd.status();
    const absl::string_view oid = ec_sd->signers[0].signature_algorithm.oid;
    ASSERT_EQ(oid, asn1::kOidEcdsaWithSha256);
    std::string b = ec;
    b[OffsetIn(oid, ec) + oid.size() - 1] = '\x03';
    add("ECDSA signatureAlgorithm names SHA-384, digestAlgorithm SHA-256", "valid-p256.p7s", b,
        Difference::kSignatureAlgorithm);
  }
  {  // The trailing-garbage fixture: valid-rsa2048.p7s followed by 16 bytes.
    add("bytes after the ContentInfo", "valid-rsa2048.p7s",
        ReadFileOrDie(DocsDir() + "/trailing-garbage.p7s"), Difference::kTrailingBytes);
  }
  {  // The embedded CA certificate's SEQUENCE tag becomes SET: kyso skips it, ca-public is in the
     // pool anyway.
    std::string b = rsa;
    bool changed = false;
    for (absl::string_view der : rsa_sd->certificates) {
      const auto* p = reinterpret_cast<const unsigned char*>(der.data());
      X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));  // NOLINT
      ASSERT_NE(cert, nullptr);
      if (X509_check_ca(cert.get()) == 0) continue;
      b[OffsetIn(der, rsa)] = static_cast<char>(asn1::kTagSet);
      changed = true;
      break;
    }
    ASSERT_TRUE(changed) << "valid-rsa2048.p7s embeds no CA certificate";
    add("an embedded certificate that is not a certificate", "valid-rsa2048.p7s", b,
        Difference::kUndecodableCertificate);
  }
  {  // SignedData.digestAlgorithms: SHA-256 becomes SHA-384 (the first SHA-256 OID of the
     // message, before eContentType).
    std::string b = rsa;
    const size_t at = rsa.find(std::string(asn1::kOidSha256));
    ASSERT_LT(at, OffsetIn(rsa_sd->econtent_type, rsa));
    b[at + asn1::kOidSha256.size() - 1] = '\x02';
    add("digestAlgorithms lists SHA-384 only; the signer uses SHA-256", "valid-rsa2048.p7s", b,
        Difference::kDigestAlgorithmsSet);
  }
  {  // One ASCII letter of a string in the SignerInfo's issuer Name changes case.
    std::string b = rsa;
    std::optional<size_t> letter;
    asn1::DerReader name(rsa_si.sid_issuer);
    absl::StatusOr<asn1::Tlv> seq = name.Expect(asn1::kTagSequence);
    ASSERT_TRUE(seq.ok());
    asn1::DerReader rdns(seq->value);
    while (!rdns.empty() && !letter) {
      absl::StatusOr<asn1::Tlv> rdn = rdns.Expect(asn1::kTagSet);
      ASSERT_TRUE(rdn.ok());
      asn1::DerReader atvs(rdn->value);
      absl::StatusOr<asn1::Tlv> atv = atvs.Expect(asn1::kTagSequence);
      ASSERT_TRUE(atv.ok());
      asn1::DerReader parts(atv->value);
      ASSERT_TRUE(parts.Expect(asn1::kTagOid).ok());
      absl::StatusOr<asn1::Tlv> value = parts.Next();
      ASSERT_TRUE(value.ok());
      if (value->tag != asn1::kTagUtf8String && value->tag != asn1::kTagPrintableString) continue;
      for (size_t i = 0; i < value->value.size(); ++i) {
        if (absl::ascii_isalpha(static_cast<unsigned char>(value->value[i]))) {
          letter = OffsetIn(value->value, rsa) + i;
          break;
        }
      }
    }
    ASSERT_TRUE(letter.has_value()) << "no ASCII letter in the signer's issuer name";
    b[*letter] = static_cast<char>(b[*letter] ^ 0x20);
    add("the SignerInfo's issuer name with one letter re-cased", "valid-rsa2048.p7s", b,
        Difference::kSignerNameEncoding);
  }

  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string original_bytes = ReadFileOrDie(DocsDir() + "/" + c.source);
    const Reference original = RunOpenssl(original_bytes, false, detached_, pool_.get());
    ASSERT_TRUE(original.verified()) << c.source;
    const Verdicts v = Compare(c.bytes, false);
    const bool kyso_stricter = c.expected != Difference::kUndecodableCertificate &&
                               c.expected != Difference::kDigestAlgorithmsSet;
    EXPECT_EQ(v.kyso.verified, !kyso_stricter) << Describe(v);
    EXPECT_EQ(v.openssl.cms_verify_ok, kyso_stricter) << Describe(v);
    const std::optional<Difference> d = Explain(v, c.bytes, &original);
    EXPECT_EQ(d.has_value() ? ToString(*d) : "unexplained", ToString(c.expected)) << Describe(v);
  }
}

// A leniency found by this test with other seeds (KYSO_DIFFERENTIAL_SEED=235, 109, 11) and fixed:
// the SignerInfo's signatureAlgorithm parameters were not checked. RFC 3370 3.2 and RFC 5754 3.2
// require NULL (or absent) with rsaEncryption and <hash>WithRSAEncryption, RFC 5758 3.2 absent with
// ecdsa-with-*; kyso accepted any element there, even one that is not valid BER (a constructed
// INTEGER or OBJECT IDENTIFIER, an empty BIT STRING), and reported TOTAL_PASSED for a message that
// d2i_CMS_ContentInfo refuses
// (tests/fuzz/corpus/signature-algorithm-parameters-constructed-integer.p7s is one reproducer).
TEST_F(CmsDifferentialTest, InvalidSignatureAlgorithmParametersAgree) {
  const std::string original = ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s");
  absl::StatusOr<cms::SignedData> parsed = cms::ParseSignedDataDer(original);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->signers.size(), 1u);
  const std::optional<asn1::Tlv>& params = parsed->signers[0].signature_algorithm.parameters;
  ASSERT_TRUE(params.has_value() && params->tag == asn1::kTagNull && params->value.empty());
  const size_t offset = static_cast<size_t>(params->full.data() - original.data());
  // 05 00 becomes: a constructed INTEGER, a constructed OBJECT IDENTIFIER, an empty BIT STRING.
  for (const char tag : {'\x22', '\x26', '\x03'}) {
    std::string bytes = original;
    bytes[offset] = tag;
    const Verdicts v = Compare(bytes, false);
    EXPECT_EQ(v.kyso.verified, v.openssl.verified())
        << absl::StrFormat("parameters %02x 00: ", static_cast<uint8_t>(tag)) << Describe(v);
  }
}

TEST_F(CmsDifferentialTest, MutationsAgreeWithCmsVerify) {
  uint32_t seed = kDefaultSeed;
  if (const char* s = std::getenv("KYSO_DIFFERENTIAL_SEED"); s != nullptr && *s != '\0') {
    seed = static_cast<uint32_t>(std::strtoul(s, nullptr, 10));
  }

  // Sources: the DER fixtures that both sides verify (so that every disagreement is the
  // mutation's).
  struct Source {
    std::string name;
    std::string bytes;
    Reference reference;
  };
  std::vector<Source> sources;
  for (const std::string& name : Fixtures()) {
    if (IsPem(name)) continue;
    std::string bytes = ReadFileOrDie(DocsDir() + "/" + name);
    Verdicts v = Compare(bytes, false);
    if (v.kyso.verified && v.openssl.verified()) {
      sources.push_back({name, std::move(bytes), std::move(v.openssl)});
    }
  }
  ASSERT_GE(sources.size(), 10u) << "too few verifiable fixtures to mutate";

  std::mt19937 rng(seed);
  std::map<Difference, int> counts;
  int both_verified = 0;
  int compared = 0;
  for (int i = 0; i < kDifferentialMutations; ++i) {
    const Source& source = sources[rng() % sources.size()];
    const Mutation m = Mutate(i, source.name, source.bytes, rng);
    const Verdicts v = Compare(m.bytes, false);
    ++compared;
    if (v.kyso.verified && v.openssl.verified()) ++both_verified;
    const std::optional<Difference> d = Explain(v, m.bytes, &source.reference);
    if (!d.has_value()) {
      const std::string path =
          absl::StrCat(::testing::TempDir(), "cms-differential-seed", seed, "-", i, ".der");
      std::ofstream(path, std::ios::binary)
          .write(m.bytes.data(), static_cast<std::streamsize>(m.bytes.size()));
      ADD_FAILURE() << "unexplained disagreement: seed=" << seed << " index=" << i
                    << " source=" << m.source << " op=" << m.description << "\n  " << Describe(v)
                    << "\n  mutated document: " << path;
      continue;
    }
    ++counts[*d];
  }
  EXPECT_EQ(compared, kDifferentialMutations);

  std::string summary =
      absl::StrCat("seed=", seed, " mutations=", compared, " both_verified=", both_verified);
  for (const auto& [difference, n] : counts)
    absl::StrAppend(&summary, " ", ToString(difference), "=", n);
  std::printf("cms differential: %s\n", summary.c_str());
  RecordProperty("summary", summary);
}

}  // namespace
}  // namespace kyso
