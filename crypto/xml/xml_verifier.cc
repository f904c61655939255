#include "crypto/xml/xml_verifier.h"

#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "crypto/base64.h"
#include "crypto/signature_findings.h"
#include "crypto/xml/canonicalizer.h"
#include "crypto/xml/safe_parser.h"
#include "crypto/xml/xml_ptr.h"
#include "crypto/xml/xmldsig_algorithms.h"

namespace kyso::xml {
namespace {

constexpr char kEnvelopedTransform[] = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
constexpr char kBase64Transform[] = "http://www.w3.org/2000/09/xmldsig#base64";
constexpr char kXPathTransform[] = "http://www.w3.org/TR/1999/REC-xpath-19991116";
constexpr char kExcC14nNs[] = "http://www.w3.org/2001/10/xml-exc-c14n#";
constexpr char kSignedPropertiesType[] = "http://uri.etsi.org/01903#SignedProperties";
// The one XPath kyso accepts, recognised literally and never evaluated: XMLDSig 1.0's idiom for
// an enveloped signature (it removes every ds:Signature from the node-set).
constexpr char kEnvelopedXPath[] = "not(ancestor-or-self::ds:Signature)";

struct Transform {
  enum class Kind { kEnveloped, kEnvelopedXPath, kC14n, kBase64 } kind;
  C14nMethod c14n;
  std::vector<std::string> inclusive_prefixes;
};

struct Reference {
  const xmlNode* element = nullptr;
  std::string uri;
  std::string type;
  std::vector<Transform> transforms;
  DigestAlgorithm digest = DigestAlgorithm::kSha256;
  std::string digest_value;
};

struct SignedInfo {
  C14nMethod c14n;
  std::vector<std::string> c14n_prefixes;
  SignatureAlgorithm algorithm;
  std::vector<Reference> references;
};

// A check that failed, with the verdict it gives.
struct Failure {
  Verdict verdict;
  Message message;
};

Failure Constraint(absl::string_view detail) {
  return {Verdict::Indeterminate(SubIndication::kSigConstraintsFailure),
          MakeMessage(MessageCode::kXmlUnsupportedConstruct, detail)};
}

Failure Format(MessageCode code, absl::string_view detail = "") {
  return {Verdict::Fail(SubIndication::kFormatFailure), MakeMessage(code, detail)};
}

std::string Attribute(const xmlNode* node, const char* name) {
  std::string value;
  GetAttribute(node, name, &value);
  return value;
}

// "#id" with an NCName after the hash: no XPointer, no scheme, nothing to fetch.
bool IsSameDocumentUri(absl::string_view uri) {
  if (uri.size() < 2 || uri[0] != '#') return false;
  for (char c : uri.substr(1)) {
    if (c == ':' || c == '(' || c == ')' || c == '/' || c == '#' ||
        absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// A relative name with no scheme and no path upwards: the caller's detached content.
bool IsDetachedName(absl::string_view uri) {
  if (uri.empty() || uri[0] == '#' || uri[0] == '/') return false;
  const size_t colon = uri.find(':');
  const size_t slash = uri.find('/');
  if (colon != absl::string_view::npos && (slash == absl::string_view::npos || colon < slash)) {
    return false;  // has a scheme: http:, file:, urn:, ...
  }
  return !absl::StrContains(uri, "..");
}

std::vector<std::string> InclusivePrefixes(const xmlNode* method) {
  std::vector<std::string> out;
  if (const xmlNode* inc = FirstChildElement(method, kExcC14nNs, "InclusiveNamespaces")) {
    for (absl::string_view p :
         absl::StrSplit(Attribute(inc, "PrefixList"), ' ', absl::SkipWhitespace())) {
      out.emplace_back(p == "#default" ? "" : p);
    }
  }
  return out;
}

std::variant<Transform, Failure> ParseTransform(const xmlNode* node) {
  const std::string algorithm = Attribute(node, "Algorithm");
  if (algorithm == kEnvelopedTransform) return Transform{Transform::Kind::kEnveloped, {}, {}};
  if (algorithm == kBase64Transform) return Transform{Transform::Kind::kBase64, {}, {}};
  if (auto c14n = C14nFromUri(algorithm)) {
    return Transform{Transform::Kind::kC14n, *c14n, InclusivePrefixes(node)};
  }
  if (algorithm == kXPathTransform) {
    const xmlNode* xpath = FirstChildElement(node, kDsigNs, "XPath");
    if (xpath != nullptr && absl::StripAsciiWhitespace(TextContent(xpath)) == kEnvelopedXPath) {
      // The prefix must mean XMLDSig where the expression is written.
      xmlNs* ns = xmlSearchNs(xpath->doc, const_cast<xmlNode*>(xpath), BAD_CAST "ds");
      if (ns != nullptr && xmlStrEqual(ns->href, BAD_CAST kDsigNs)) {
        return Transform{Transform::Kind::kEnvelopedXPath, {}, {}};
      }
    }
    return Constraint("XPath transform other than not(ancestor-or-self::ds:Signature)");
  }
  return Constraint(absl::StrCat("transform ", algorithm));
}

constexpr char kPssNs[] = "http://www.w3.org/2007/05/xmldsig-more#";
constexpr char kRsaPssUri[] = "http://www.w3.org/2007/05/xmldsig-more#rsa-pss";

// RFC 9231 2.3.10: the rsa-pss identifier with optional RSAPSSParams. Absent parameters mean
// SHA-256; MGF1 over the same digest; salt length = digest length; trailer field 1.
absl::StatusOr<SignatureAlgorithm> ParsePssMethod(const xmlNode* method) {
  SignatureAlgorithm alg{SignatureScheme::kRsaPss, DigestAlgorithm::kSha256,
                         DigestAlgorithm::kSha256, 32};
  const xmlNode* params = FirstChildElement(method, kPssNs, "RSAPSSParams");
  if (params == nullptr) return alg;
  if (const xmlNode* d = FirstChildElement(params, kDsigNs, "DigestMethod")) {
    auto digest = DigestFromUri(Attribute(d, "Algorithm"));
    if (!digest) return absl::UnimplementedError("RSAPSSParams digest");
    alg.digest = alg.mgf1_digest = *digest;
  }
  alg.salt_length = EVP_MD_get_size(FetchedMd(alg.digest));
  if (const xmlNode* mgf = FirstChildElement(params, kPssNs, "MaskGenerationFunction")) {
    if (Attribute(mgf, "Algorithm") != absl::StrCat(kPssNs, "MGF1")) {
      return absl::UnimplementedError("RSAPSSParams mask generation function");
    }
    if (const xmlNode* d = FirstChildElement(mgf, kDsigNs, "DigestMethod")) {
      auto digest = DigestFromUri(Attribute(d, "Algorithm"));
      if (!digest) return absl::UnimplementedError("RSAPSSParams MGF1 digest");
      alg.mgf1_digest = *digest;
    }
  }
  int value = 0;
  if (const xmlNode* salt = FirstChildElement(params, kPssNs, "SaltLength")) {
    if (!absl::SimpleAtoi(TextContent(salt), &value) || value < 0 || value > 1024) {
      return absl::InvalidArgumentError("RSAPSSParams SaltLength");
    }
    alg.salt_length = value;
  }
  if (const xmlNode* trailer = FirstChildElement(params, kPssNs, "TrailerField")) {
    if (!absl::SimpleAtoi(TextContent(trailer), &value) || value != 1) {
      return absl::InvalidArgumentError("RSAPSSParams TrailerField must be 1");
    }
  }
  return alg;
}

std::variant<SignedInfo, Failure> ParseSignedInfo(const xmlNode* signed_info,
                                                  const XmlLimits& limits) {
  SignedInfo out;
  const xmlNode* c14n = FirstChildElement(signed_info, kDsigNs, "CanonicalizationMethod");
  const xmlNode* method = FirstChildElement(signed_info, kDsigNs, "SignatureMethod");
  if (c14n == nullptr || method == nullptr) {
    return Format(MessageCode::kXmlSignatureMalformed, "SignedInfo lacks a method");
  }
  auto c14n_method = C14nFromUri(Attribute(c14n, "Algorithm"));
  if (!c14n_method) {
    return Constraint(absl::StrCat("canonicalization ", Attribute(c14n, "Algorithm")));
  }
  out.c14n = *c14n_method;
  out.c14n_prefixes = InclusivePrefixes(c14n);
  const std::string method_uri = Attribute(method, "Algorithm");
  absl::StatusOr<SignatureAlgorithm> algorithm =
      method_uri == kRsaPssUri ? ParsePssMethod(method) : SignatureFromUri(method_uri);
  if (algorithm.status().code() == absl::StatusCode::kInvalidArgument) {
    return Format(MessageCode::kXmlSignatureMalformed, algorithm.status().message());
  }
  if (!algorithm.ok()) {
    return Failure{Verdict::Indeterminate(SubIndication::kCryptoConstraintsFailureNoPoe),
                   MakeMessage(MessageCode::kAlgorithmUnsupported, algorithm.status().message())};
  }
  out.algorithm = *algorithm;
  const std::vector<xmlNode*> references = ChildElements(signed_info, kDsigNs, "Reference");
  if (references.empty()) {
    return Format(MessageCode::kXmlSignatureMalformed, "SignedInfo has no Reference");
  }
  if (references.size() > limits.max_references) {
    return Constraint(
        absl::StrCat(references.size(), " references (limit ", limits.max_references, ")"));
  }
  for (const xmlNode* r : references) {
    Reference ref;
    ref.element = r;
    if (!GetAttribute(r, "URI", &ref.uri)) return Constraint("Reference without URI");
    ref.type = Attribute(r, "Type");
    if (!ref.uri.empty() && !IsSameDocumentUri(ref.uri) && !IsDetachedName(ref.uri)) {
      return Constraint(absl::StrCat("reference URI ", ref.uri));
    }
    if (const xmlNode* transforms = FirstChildElement(r, kDsigNs, "Transforms")) {
      const std::vector<xmlNode*> list = ChildElements(transforms, kDsigNs, "Transform");
      if (list.size() > limits.max_transforms) {
        return Constraint(
            absl::StrCat(list.size(), " transforms (limit ", limits.max_transforms, ")"));
      }
      for (const xmlNode* t : list) {
        auto parsed = ParseTransform(t);
        if (auto* failure = std::get_if<Failure>(&parsed)) return *failure;
        ref.transforms.push_back(std::get<Transform>(parsed));
      }
    }
    const xmlNode* digest_method = FirstChildElement(r, kDsigNs, "DigestMethod");
    const xmlNode* digest_value = FirstChildElement(r, kDsigNs, "DigestValue");
    if (digest_method == nullptr || digest_value == nullptr) {
      return Format(MessageCode::kXmlSignatureMalformed, "Reference lacks its digest");
    }
    auto digest = DigestFromUri(Attribute(digest_method, "Algorithm"));
    if (!digest) {
      return Failure{
          Verdict::Indeterminate(SubIndication::kCryptoConstraintsFailureNoPoe),
          MakeMessage(MessageCode::kAlgorithmUnsupported, Attribute(digest_method, "Algorithm"))};
    }
    ref.digest = *digest;
    absl::StatusOr<std::string> value = Base64Decode(TextContent(digest_value));
    if (!value.ok()) return Format(MessageCode::kXmlSignatureMalformed, "DigestValue not base64");
    ref.digest_value = *std::move(value);
    out.references.push_back(std::move(ref));
  }
  return out;
}

// The certificates KeyInfo offers, embedded or named; the first is the presumed signer.
struct KeyInfoCertificates {
  std::vector<CertificatePtr> embedded;  // X509Certificate elements
  std::vector<CertificatePtr> named;     // found by X509IssuerSerial / X509SKI / X509Digest
  bool key_value_only = false;
};

CertificatePtr FindBySerialAndIssuer(const TrustStore& trust, const std::string& serial_decimal,
                                     const std::string& issuer_name) {
  BIGNUM* raw = nullptr;
  if (BN_dec2bn(&raw, serial_decimal.c_str()) == 0) return nullptr;
  BignumPtr serial(raw);
  char* hex = BN_bn2hex(serial.get());
  const std::string serial_hex = absl::AsciiStrToLower(hex != nullptr ? hex : "");
  OPENSSL_free(hex);
  // X509IssuerName is a string DN in whatever style the signer's software wrote (RFC 2253,
  // Windows' "OID.x=", ...), so it is not parsed: the serial decides, and the issuer string must
  // at least contain the issuer's CN.
  for (const auto* list : {&trust.intermediates(), &trust.anchors()}) {
    for (const CertificatePtr& c : *list) {
      if (c->serial_hex() != serial_hex) continue;
      const size_t cn = c->issuer().find("CN=");
      const std::string issuer_cn =
          cn == std::string::npos ? ""
                                  : c->issuer().substr(cn + 3, c->issuer().find(',', cn) - cn - 3);
      if (issuer_cn.empty() || absl::StrContains(issuer_name, issuer_cn)) return c;
    }
  }
  return nullptr;
}

KeyInfoCertificates ReadKeyInfo(const xmlNode* signature, const TrustStore& trust,
                                CertificateCache* cache) {
  KeyInfoCertificates out;
  const xmlNode* key_info = FirstChildElement(signature, kDsigNs, "KeyInfo");
  if (key_info == nullptr) return out;
  for (const xmlNode* data : ChildElements(key_info, kDsigNs, "X509Data")) {
    for (const xmlNode* item : ChildElements(data)) {
      if (IsElement(item, kDsigNs, "X509Certificate")) {
        absl::StatusOr<std::string> der = Base64Decode(TextContent(item));
        if (!der.ok()) continue;
        absl::StatusOr<CertificatePtr> cert = cache->GetOrParse(*der);
        if (cert.ok()) out.embedded.push_back(*cert);
      } else if (IsElement(item, kDsigNs, "X509IssuerSerial")) {
        const xmlNode* name = FirstChildElement(item, kDsigNs, "X509IssuerName");
        const xmlNode* serial = FirstChildElement(item, kDsigNs, "X509SerialNumber");
        if (name == nullptr || serial == nullptr) continue;
        const std::string serial_text(absl::StripAsciiWhitespace(TextContent(serial)));
        if (auto c = FindBySerialAndIssuer(trust, serial_text, TextContent(name))) {
          out.named.push_back(c);
        }
      } else if (IsElement(item, kDsigNs, "X509SKI")) {
        absl::StatusOr<std::string> ski = Base64Decode(TextContent(item));
        if (ski.ok()) {
          if (auto c = trust.FindBySubjectKeyId(*ski)) out.named.push_back(c);
        }
      } else if (IsElement(item, kDsig11Ns, "X509Digest")) {
        auto digest = DigestFromUri(Attribute(item, "Algorithm"));
        absl::StatusOr<std::string> value = Base64Decode(TextContent(item));
        if (!digest || !value.ok()) continue;
        for (const auto* list : {&trust.intermediates(), &trust.anchors()}) {
          for (const CertificatePtr& c : *list) {
            if (Digest(*digest, c->der()) == *value) out.named.push_back(c);
          }
        }
      }
      // X509SubjectName and X509CRL identify nothing kyso needs; the certificate decides.
    }
  }
  out.key_value_only = out.embedded.empty() && out.named.empty() &&
                       FirstChildElement(key_info, kDsigNs, "KeyValue") != nullptr;
  return out;
}

absl::Status VerifyValue(const Certificate& cert, const SignatureAlgorithm& alg,
                         absl::string_view digest, absl::string_view value) {
  // A certificate whose key OpenSSL cannot decode still parses; it just verifies nothing.
  if (cert.public_key() == nullptr) return absl::InvalidArgumentError("no usable public key");
  if (alg.scheme != SignatureScheme::kEcdsa) {
    return VerifyDigestSignature(cert.public_key(), alg, digest, value);
  }
  if (EVP_PKEY_get_base_id(cert.public_key()) != EVP_PKEY_EC) {
    return absl::InvalidArgumentError("the key type does not match the signature algorithm");
  }
  absl::StatusOr<std::string> der = EcdsaRawToDer(value, cert.public_key());
  if (!der.ok()) return der.status();
  return VerifyDigestSignature(cert.public_key(), alg, digest, *der);
}

// The input or output of a transform: a node-set or octets (XMLDSig 4.4.3.2).
using Data = std::variant<NodeSet, std::string>;

absl::StatusOr<std::string> ToOctets(xmlDoc* doc, const Data& data) {
  if (const auto* octets = std::get_if<std::string>(&data)) return *octets;
  // XMLDSig 4.4.3.2: a node-set left at the end is canonicalized with C14N 1.0.
  return Canonicalize(doc, std::get<NodeSet>(data), C14nMethod{});
}

void CollectSignatures(xmlNode* node, std::vector<const xmlNode*>* out) {
  for (xmlNode* c = node; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (IsElement(c, kDsigNs, "Signature")) {
      out->push_back(c);
      continue;
    }
    CollectSignatures(c->children, out);
  }
}

struct ResolvedReference {
  std::string octets;
  std::string node_path;
  bool covers_root = false;
};

// Dereferences and transforms one Reference. Errors carry the finding to report.
std::variant<ResolvedReference, Failure> Resolve(const Reference& ref, const xmlNode* signature,
                                                 const ParsedXml& xml,
                                                 absl::Span<const DetachedContent> detached) {
  xmlDoc* doc = xml.doc.get();
  ResolvedReference out;
  Data data;
  if (ref.uri.empty()) {
    data = NodeSet{reinterpret_cast<xmlNode*>(doc), {}, false};
    out.node_path = "/";
    out.covers_root = true;
  } else if (ref.uri[0] == '#') {
    auto it = xml.ids.find(ref.uri.substr(1));
    if (it == xml.ids.end()) {
      return Failure{Verdict::Indeterminate(SubIndication::kSignedDataNotFound),
                     MakeMessage(MessageCode::kXmlReferenceNotFound, ref.uri)};
    }
    data = NodeSet{it->second, {}, false};
    out.node_path = NodePath(it->second);
    out.covers_root = it->second == xmlDocGetRootElement(doc);
  } else {
    const absl::string_view base = absl::string_view(ref.uri).substr(ref.uri.rfind('/') + 1);
    const DetachedContent* found = nullptr;
    for (const DetachedContent& d : detached) {
      if (d.name == ref.uri || d.name == base) found = &d;
    }
    if (found == nullptr) {
      return Failure{Verdict::Indeterminate(SubIndication::kSignedDataNotFound),
                     MakeMessage(MessageCode::kDetachedContentMissing, ref.uri)};
    }
    data = std::string(found->bytes);
  }
  for (const Transform& t : ref.transforms) {
    switch (t.kind) {
      case Transform::Kind::kEnveloped:
      case Transform::Kind::kEnvelopedXPath: {
        auto* nodes = std::get_if<NodeSet>(&data);
        if (nodes == nullptr) return Constraint("enveloped transform over octets");
        if (t.kind == Transform::Kind::kEnveloped) {
          nodes->excluded.push_back(signature);
        } else {
          CollectSignatures(xmlDocGetRootElement(doc), &nodes->excluded);
        }
        break;
      }
      case Transform::Kind::kC14n: {
        auto* nodes = std::get_if<NodeSet>(&data);
        if (nodes == nullptr) return Constraint("canonicalization of octets");
        absl::StatusOr<std::string> octets =
            Canonicalize(doc, *nodes, t.c14n, t.inclusive_prefixes);
        if (!octets.ok()) {
          return Format(MessageCode::kXmlSignatureMalformed, octets.status().message());
        }
        data = *std::move(octets);
        break;
      }
      case Transform::Kind::kBase64: {
        std::string text;
        if (auto* nodes = std::get_if<NodeSet>(&data)) {
          text = TextContent(nodes->apex);  // the string value of the node-set
        } else {
          text = std::get<std::string>(data);
        }
        absl::StatusOr<std::string> decoded = Base64Decode(text);
        if (!decoded.ok()) return Format(MessageCode::kXmlSignatureMalformed, "base64 transform");
        data = *std::move(decoded);
        break;
      }
    }
  }
  absl::StatusOr<std::string> octets = ToOctets(doc, data);
  if (!octets.ok()) return Format(MessageCode::kXmlSignatureMalformed, octets.status().message());
  out.octets = *std::move(octets);
  return out;
}

std::optional<absl::Time> ParseDateTime(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err)) return t;
  // Vietnamese e-invoices write local time without an offset; Viet Nam is UTC+7 all year.
  if (absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*S", std::string(text), absl::FixedTimeZone(7 * 3600), &t,
                      &err)) {
    return t;
  }
  return std::nullopt;
}

const xmlNode* FindDescendant(const xmlNode* node, const char* ns, const char* name) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (IsElement(c, ns, name)) return c;
    if (const xmlNode* found = FindDescendant(c, ns, name)) return found;
  }
  return nullptr;
}

const xmlNode* FindQualifyingProperties(const xmlNode* signature, const char** ns) {
  for (const xmlNode* object : ChildElements(signature, kDsigNs, "Object")) {
    for (const char* candidate : {kXades132Ns, kXades122Ns}) {
      if (const xmlNode* qp = FirstChildElement(object, candidate, "QualifyingProperties")) {
        *ns = candidate;
        return qp;
      }
    }
  }
  return nullptr;
}

// XAdES B-B (EN 319 132-1 4.3, 5.2): the signed properties are covered by exactly one reference
// of the SignedProperties type, they belong to this signature, and the signing certificate they
// name is the one that verified the signature value.
void CheckXades(const xmlNode* qualifying, const char* ns, const SignedInfo& info,
                const ParsedXml& xml, const Certificate& signer, Findings* findings,
                SignatureReport* report) {
  report->format = "xades";
  // EN 319 132-1 4.3.1: QualifyingProperties/@Target names the signature they qualify.
  const std::string target = Attribute(qualifying, "Target");
  if (!report->id.empty() && target != absl::StrCat("#", report->id)) {
    findings->Add(Verdict::Fail(SubIndication::kFormatFailure),
                  MakeMessage(MessageCode::kXadesSignedPropertiesNotSigned,
                              absl::StrCat("QualifyingProperties Target is '", target, "'")));
    return;
  }
  const xmlNode* signed_props = FirstChildElement(qualifying, ns, "SignedProperties");
  const std::string props_id = signed_props != nullptr ? Attribute(signed_props, "Id") : "";
  int covering = 0;
  bool covers_other = false;
  for (const Reference& r : info.references) {
    if (r.type != kSignedPropertiesType) continue;
    auto it = r.uri.size() > 1 ? xml.ids.find(r.uri.substr(1)) : xml.ids.end();
    if (it != xml.ids.end() && it->second == signed_props) {
      ++covering;
    } else {
      covers_other = true;
    }
  }
  if (signed_props == nullptr || props_id.empty() || covering != 1 || covers_other) {
    findings->Add(Verdict::Fail(SubIndication::kFormatFailure),
                  MakeMessage(MessageCode::kXadesSignedPropertiesNotSigned));
    return;
  }
  if (const xmlNode* time = FindDescendant(signed_props, ns, "SigningTime")) {
    report->signing_time = ParseDateTime(TextContent(time));
    if (report->signing_time) findings->Note(MessageCode::kSigningTimeClaimed);
  }
  const xmlNode* cert_list = FindDescendant(signed_props, ns, "SigningCertificateV2");
  if (cert_list == nullptr) cert_list = FindDescendant(signed_props, ns, "SigningCertificate");
  if (cert_list == nullptr) {
    findings->Note(MessageCode::kEssSigningCertificateAbsent);
    return;
  }
  // EN 319 132-1 5.2.2: the first Cert identifies the signing certificate.
  const xmlNode* cert = FirstChildElement(cert_list, ns, "Cert");
  const xmlNode* cert_digest =
      cert != nullptr ? FirstChildElement(cert, ns, "CertDigest") : nullptr;
  const xmlNode* method =
      cert_digest != nullptr ? FirstChildElement(cert_digest, kDsigNs, "DigestMethod") : nullptr;
  const xmlNode* value =
      cert_digest != nullptr ? FirstChildElement(cert_digest, kDsigNs, "DigestValue") : nullptr;
  auto digest = method != nullptr ? DigestFromUri(Attribute(method, "Algorithm")) : std::nullopt;
  absl::StatusOr<std::string> expected =
      value != nullptr ? Base64Decode(TextContent(value)) : absl::InvalidArgumentError("absent");
  if (!digest || !expected.ok() || Digest(*digest, signer.der()) != *expected) {
    findings->Add(Verdict::Indeterminate(SubIndication::kNoSigningCertificateFound),
                  MakeMessage(MessageCode::kEssSigningCertificateMismatch,
                              "XAdES SigningCertificate digest"));
  }
}

// Plain XMLDSig as Vietnamese e-invoices use it: a SigningTime inside SignatureProperties.
void ReadSignaturePropertiesTime(const xmlNode* signature, Findings* findings,
                                 SignatureReport* report) {
  for (const xmlNode* object : ChildElements(signature, kDsigNs, "Object")) {
    const xmlNode* props = FirstChildElement(object, kDsigNs, "SignatureProperties");
    if (props == nullptr) continue;
    for (const xmlNode* prop : ChildElements(props, kDsigNs, "SignatureProperty")) {
      for (const xmlNode* child : ChildElements(prop)) {
        if (!xmlStrEqual(child->name, BAD_CAST "SigningTime")) continue;
        report->signing_time = ParseDateTime(TextContent(child));
        if (report->signing_time) {
          findings->Note(MessageCode::kSigningTimeClaimed);
          return;
        }
      }
    }
  }
}

void VerifySignature(const xmlNode* signature, const ParsedXml& xml,
                     absl::Span<const DetachedContent> detached, const VerificationContext& ctx,
                     XmlCaches caches, const XmlLimits& limits, SignatureReport* report) {
  Findings findings(report);
  report->format = "xmldsig";
  report->id = Attribute(signature, "Id");
  // XMLDSig 4.1: SignedInfo, SignatureValue, then optional KeyInfo and Objects, in this order.
  const std::vector<xmlNode*> children = ChildElements(signature);
  if (children.size() < 2 || !IsElement(children[0], kDsigNs, "SignedInfo") ||
      !IsElement(children[1], kDsigNs, "SignatureValue")) {
    findings.Add(Verdict::Fail(SubIndication::kFormatFailure),
                 MakeMessage(MessageCode::kXmlSignatureMalformed,
                             "expected SignedInfo then SignatureValue"));
    return;
  }
  const xmlNode* signed_info_node = children[0];
  auto parsed = ParseSignedInfo(signed_info_node, limits);
  KeyInfoCertificates keys = ReadKeyInfo(signature, *ctx.trust, caches.certificates);
  std::vector<CertificatePtr> candidates = keys.embedded;
  candidates.insert(candidates.end(), keys.named.begin(), keys.named.end());
  if (!candidates.empty()) report->signer = candidates.front()->Identity();
  if (auto* failure = std::get_if<Failure>(&parsed)) {
    findings.Add(failure->verdict, failure->message);
    return;
  }
  const SignedInfo& info = std::get<SignedInfo>(parsed);
  report->digest_algorithm = std::string(ToString(info.algorithm.digest));
  report->signature_algorithm = std::string(ToString(info.algorithm.scheme));
  if (candidates.empty()) {
    findings.Add(Verdict::Indeterminate(SubIndication::kNoSigningCertificateFound),
                 MakeMessage(keys.key_value_only ? MessageCode::kXmlBareKeyValue
                                                 : MessageCode::kSignerCertificateNotFound));
    return;
  }

  // SignatureValue first, over the canonical SignedInfo. The signature stage runs from here to the
  // last reference digest.
  std::optional<ScopedStageTimer> signature_timer(&report->stage_times.signature);
  absl::StatusOr<std::string> canonical =
      Canonicalize(xml.doc.get(), NodeSet{const_cast<xmlNode*>(signed_info_node), {}, true},
                   info.c14n, info.c14n_prefixes);
  absl::StatusOr<std::string> value = Base64Decode(TextContent(children[1]));
  if (!canonical.ok() || !value.ok()) {
    findings.Add(Verdict::Fail(SubIndication::kFormatFailure),
                 MakeMessage(MessageCode::kXmlSignatureMalformed,
                             !canonical.ok() ? canonical.status().message() : "SignatureValue"));
    return;
  }
  const std::string signed_info_digest = Digest(info.algorithm.digest, *canonical);
  // The signer is the offered certificate whose key verifies the value (KeyInfo commonly lists
  // the signer and its issuers, in no guaranteed order).
  CertificatePtr signer;
  absl::Status first_error;
  for (const CertificatePtr& c : candidates) {
    absl::Status s = VerifyValue(*c, info.algorithm, signed_info_digest, *value);
    if (s.ok()) {
      signer = c;
      break;
    }
    if (first_error.ok()) first_error = s;
  }
  if (signer == nullptr) {
    findings.Add(Verdict::Fail(SubIndication::kSigCryptoFailure),
                 MakeMessage(MessageCode::kSignatureInvalid, first_error.message()));
    return;
  }
  report->signer = signer->Identity();

  // Then every reference.
  bool root_covered = false;
  for (const Reference& ref : info.references) {
    SignedReference entry{ref.uri, ref.type, "", std::string(ToString(ref.digest)), false};
    auto resolved = Resolve(ref, signature, xml, detached);
    if (auto* failure = std::get_if<Failure>(&resolved)) {
      findings.Add(failure->verdict, failure->message);
      report->signed_references.push_back(std::move(entry));
      continue;
    }
    const ResolvedReference& r = std::get<ResolvedReference>(resolved);
    entry.node_path = r.node_path;
    entry.matched = Digest(ref.digest, r.octets) == ref.digest_value;
    if (!entry.matched) {
      findings.Add(Verdict::Fail(SubIndication::kHashFailure),
                   MakeMessage(MessageCode::kXmlReferenceDigestMismatch,
                               ref.uri.empty() ? "URI=\"\"" : ref.uri));
    } else if (r.covers_root) {
      root_covered = true;
    }
    if (!ctx.policy.DigestAllowed(ref.digest)) {
      findings.Add(Verdict::Indeterminate(SubIndication::kCryptoConstraintsFailureNoPoe),
                   MakeMessage(MessageCode::kPolicyDigestNotAllowed,
                               absl::StrCat("reference ", ref.uri, ": ", ToString(ref.digest))));
    }
    report->signed_references.push_back(std::move(entry));
  }
  report->document_root_covered = root_covered;
  signature_timer.reset();

  const char* xades_ns = nullptr;
  if (const xmlNode* qualifying = FindQualifyingProperties(signature, &xades_ns)) {
    CheckXades(qualifying, xades_ns, info, xml, *signer, &findings, report);
  } else {
    ReadSignaturePropertiesTime(signature, &findings, report);
  }
  if (!ctx.policy.DigestAllowed(info.algorithm.digest)) {
    findings.Add(
        Verdict::Indeterminate(SubIndication::kCryptoConstraintsFailureNoPoe),
        MakeMessage(MessageCode::kPolicyDigestNotAllowed, ToString(info.algorithm.digest)));
  }
  ValidateSignerPath(signer, keys.embedded, ctx, caches.chains, report);
}

}  // namespace

void VerifyXmlDocument(absl::string_view bytes, absl::Span<const DetachedContent> detached,
                       const VerificationContext& context, XmlCaches caches,
                       const XmlLimits& limits, DocumentReport* report) {
  report->format = "xml";
  absl::StatusOr<ParsedXml> xml = [&] {
    ScopedStageTimer timer(&report->stage_times.parse);
    return ParseXmlSafely(bytes, limits.max_bytes);
  }();
  if (!xml.ok()) {
    MessageCode code = MessageCode::kXmlMalformed;
    if (xml.status().code() == absl::StatusCode::kFailedPrecondition)
      code = MessageCode::kXmlDoctype;
    if (xml.status().code() == absl::StatusCode::kAlreadyExists)
      code = MessageCode::kXmlDuplicateId;
    if (xml.status().code() == absl::StatusCode::kResourceExhausted)
      code = MessageCode::kXmlTooLarge;
    report->verdict = Verdict::Fail(SubIndication::kFormatFailure);
    report->messages.push_back(MakeMessage(code, xml.status().message()));
    return;
  }
  std::vector<const xmlNode*> signatures;
  CollectSignatures(xmlDocGetRootElement(xml->doc.get()), &signatures);
  if (signatures.empty()) {
    report->verdict = Verdict::Fail(SubIndication::kFormatFailure);
    report->messages.push_back(MakeMessage(MessageCode::kXmlNoSignature));
    return;
  }
  if (signatures.size() > limits.max_signatures) {
    report->verdict = Verdict::Indeterminate(SubIndication::kSigConstraintsFailure);
    report->messages.push_back(MakeMessage(
        MessageCode::kXmlUnsupportedConstruct,
        absl::StrCat(signatures.size(), " signatures (limit ", limits.max_signatures, ")")));
    return;
  }
  report->signatures.resize(signatures.size());
  for (size_t i = 0; i < signatures.size(); ++i) {
    VerifySignature(signatures[i], *xml, detached, context, caches, limits, &report->signatures[i]);
  }
  report->Summarize();
}

}  // namespace kyso::xml
