#include "crypto/verifier.h"

#include "crypto/algorithms.h"
#include "crypto/cms/cms_parser.h"
#include "crypto/cms/cms_verifier.h"
#include "crypto/document_format.h"
#include "crypto/signature_findings.h"
#include "crypto/xml/xml_verifier.h"

namespace kyso {
namespace {

void FormatFailure(DocumentReport* report, MessageCode code, absl::string_view detail = "") {
  report->verdict = Verdict::Fail(SubIndication::kFormatFailure);
  report->messages.push_back(MakeMessage(code, detail));
}

MessageCode CmsParseErrorCode(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kFailedPrecondition:
      return MessageCode::kCmsNotSignedData;
    case absl::StatusCode::kOutOfRange:
      return MessageCode::kCmsTrailingData;
    default:
      return MessageCode::kCmsMalformed;
  }
}

}  // namespace

Verifier::Verifier(const VerifierOptions& options)
    : certificates_(options.certificate_cache_capacity), chains_(options.chain_cache_capacity) {}

DocumentReport Verifier::VerifyDocument(absl::string_view bytes,
                                        std::optional<absl::string_view> detached_content,
                                        const VerificationContext& context) {
  std::vector<DetachedContent> detached;
  if (detached_content) detached.push_back({"", *detached_content});
  return VerifyDocument(bytes, detached, context);
}

DocumentReport Verifier::VerifyDocument(absl::string_view bytes,
                                        absl::Span<const DetachedContent> detached,
                                        const VerificationContext& context) {
  DocumentReport report;
  report.document_sha256 = HexEncode(Digest(DigestAlgorithm::kSha256, bytes));
  const DocumentFormat format = DetectFormat(bytes);
  report.format = std::string(ToString(format));
  if (bytes.empty()) {
    FormatFailure(&report, MessageCode::kFormatEmpty);
    return report;
  }

  std::string pem_der;
  absl::string_view der = bytes;
  switch (format) {
    case DocumentFormat::kUnknown:
      FormatFailure(&report, MessageCode::kFormatUnrecognized);
      return report;
    case DocumentFormat::kXml:
      xml::VerifyXmlDocument(bytes, detached, context, xml::XmlCaches{&certificates_, &chains_},
                             xml::XmlLimits{}, &report);
      return report;
    case DocumentFormat::kCmsPem: {
      absl::StatusOr<std::string> decoded = DecodeCmsPem(bytes);
      if (!decoded.ok()) {
        FormatFailure(&report, MessageCode::kFormatPemInvalid, decoded.status().message());
        return report;
      }
      pem_der = *std::move(decoded);
      der = pem_der;
      break;
    }
    case DocumentFormat::kCmsDer:
      break;
  }

  absl::StatusOr<cms::ParsedCms> parsed = [&] {
    ScopedStageTimer timer(&report.stage_times.parse);
    return cms::ParseCms(der);
  }();
  if (!parsed.ok()) {
    FormatFailure(&report, CmsParseErrorCode(parsed.status()), parsed.status().message());
    return report;
  }
  if (parsed->ber_normalized())
    report.messages.push_back(MakeMessage(MessageCode::kCmsBerNormalized));
  if (parsed->signed_data.signers.empty()) {
    FormatFailure(&report, MessageCode::kCmsNoSigners);
    return report;
  }
  const std::optional<absl::string_view> content =
      detached.empty() ? std::nullopt : std::optional<absl::string_view>(detached.front().bytes);
  report.signatures = cms::VerifySigners(parsed->signed_data, content, context,
                                         cms::CmsCaches{&certificates_, &chains_});
  report.Summarize();
  return report;
}

CertificateReport Verifier::ValidateCertificate(absl::string_view bytes,
                                                const VerificationContext& context,
                                                LeafUsage usage) {
  CertificateReport report;
  absl::StatusOr<std::vector<CertificatePtr>> parsed = Certificate::ParseAll(bytes);
  if (!parsed.ok()) {
    report.verdict = Verdict::Fail(SubIndication::kFormatFailure);
    report.messages.push_back(
        MakeMessage(MessageCode::kCertificateMalformed, parsed.status().message()));
    return report;
  }
  // Share the decoded objects with the document path, so a later document signed by this
  // certificate hits the caches.
  std::vector<CertificatePtr> certs;
  for (const CertificatePtr& c : *parsed) {
    auto cached = certificates_.GetOrParse(c->der(), c->sha256());
    certs.push_back(cached.ok() ? *cached : c);
  }
  const CertificatePtr& leaf = certs.front();
  report.subject = leaf->Identity();
  SignatureReport path;
  ValidateSignerPath(leaf, absl::MakeConstSpan(certs).subspan(1), context, &chains_, &path, usage);
  report.verdict = path.verdict;
  report.messages = std::move(path.messages);
  report.chain = std::move(path.chain);
  report.trust_anchor = std::move(path.trust_anchor);
  report.revocation = std::move(path.revocation);
  return report;
}

}  // namespace kyso
