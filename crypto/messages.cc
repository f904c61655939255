#include "crypto/messages.h"

#include "absl/strings/str_cat.h"

namespace kyso {
namespace {

struct Entry {
  absl::string_view code;
  Severity severity;
  absl::string_view en;
  absl::string_view vi;
};

Entry Lookup(MessageCode code) {
  using S = Severity;
  switch (code) {
    case MessageCode::kFormatEmpty:
      return {"format.empty", S::kError, "The file is empty.", "Tệp rỗng."};
    case MessageCode::kFormatUnrecognized:
      return {"format.unrecognized", S::kError,
              "The file is not a recognised signature format (CMS/PKCS#7 DER or PEM, XML).",
              "Tệp không thuộc định dạng chữ ký được hỗ trợ (CMS/PKCS#7 dạng DER hoặc PEM, XML)."};
    case MessageCode::kFormatPemInvalid:
      return {"format.pem_invalid", S::kError, "The PEM armour or its Base64 body is invalid.",
              "Khối PEM hoặc nội dung Base64 của nó không hợp lệ."};
    case MessageCode::kCmsMalformed:
      return {"cms.malformed", S::kError, "The CMS/PKCS#7 structure is malformed or truncated.",
              "Cấu trúc CMS/PKCS#7 bị lỗi hoặc bị cắt cụt."};
    case MessageCode::kCmsNotSignedData:
      return {"cms.not_signed_data", S::kError,
              "The CMS content is not SignedData (for example, it is encrypted data).",
              "Nội dung CMS không phải dữ liệu đã ký (SignedData), ví dụ là dữ liệu mã hóa."};
    case MessageCode::kCmsTrailingData:
      return {"cms.trailing_data", S::kError, "Unexpected bytes follow the CMS structure.",
              "Có dữ liệu thừa sau cấu trúc CMS."};
    case MessageCode::kCmsNoSigners:
      return {"cms.no_signers", S::kError, "The SignedData contains no signature.",
              "Dữ liệu đã ký không chứa chữ ký nào."};
    case MessageCode::kCmsBerNormalized:
      return {"cms.ber_normalized", S::kInfo,
              "The CMS structure used BER encoding and was normalised to DER before verification.",
              "Cấu trúc CMS dùng mã hóa BER và đã được chuẩn hóa sang DER trước khi kiểm tra."};
    case MessageCode::kCmsUnsupportedStructure:
      return {"cms.unsupported_structure", S::kError,
              "The CMS structure uses a feature kyso does not support.",
              "Cấu trúc CMS dùng tính năng mà kyso chưa hỗ trợ."};
    case MessageCode::kXmlMalformed:
      return {"xml.malformed", S::kError, "The XML document is not well-formed or exceeds a limit.",
              "Tài liệu XML không đúng cú pháp hoặc vượt quá giới hạn cho phép."};
    case MessageCode::kXmlDoctype:
      return {"xml.doctype_forbidden", S::kError,
              "The XML document declares a DOCTYPE, which signed documents may not (entity and "
              "DTD attacks).",
              "Tài liệu XML khai báo DOCTYPE, điều không được phép với tài liệu ký số (nguy cơ tấn "
              "công thực thể và DTD)."};
    case MessageCode::kXmlDuplicateId:
      return {"xml.duplicate_id", S::kError,
              "Two elements carry the same Id, so a reference could point at either.",
              "Hai phần tử có cùng Id, nên tham chiếu có thể trỏ tới bất kỳ phần tử nào."};
    case MessageCode::kXmlTooLarge:
      return {"xml.too_large", S::kError, "The XML document is larger than allowed.",
              "Tài liệu XML lớn hơn mức cho phép."};
    case MessageCode::kXmlNoSignature:
      return {"xml.no_signature", S::kError, "The XML document contains no ds:Signature.",
              "Tài liệu XML không chứa chữ ký (ds:Signature) nào."};
    case MessageCode::kXmlSignatureMalformed:
      return {"xml.signature_malformed", S::kError, "The XML signature is incomplete or malformed.",
              "Chữ ký XML không đầy đủ hoặc sai cấu trúc."};
    case MessageCode::kXmlUnsupportedConstruct:
      return {"xml.unsupported_construct", S::kError,
              "The XML signature uses a transform, reference or size that kyso does not accept; "
              "it was not executed.",
              "Chữ ký XML dùng phép biến đổi, tham chiếu hoặc kích thước mà kyso không chấp nhận; "
              "phần đó không được thực thi."};
    case MessageCode::kXmlReferenceNotFound:
      return {"xml.reference_not_found", S::kError,
              "A signed reference names an element that is not in the document.",
              "Một tham chiếu đã ký trỏ tới phần tử không có trong tài liệu."};
    case MessageCode::kXmlReferenceDigestMismatch:
      return {"xml.reference_digest_mismatch", S::kError,
              "Signed XML content was changed after signing (a reference digest does not match).",
              "Nội dung XML đã ký bị thay đổi sau khi ký (giá trị băm của tham chiếu không khớp)."};
    case MessageCode::kXmlBareKeyValue:
      return {"xml.bare_key_value", S::kError,
              "The signature offers only a bare public key (KeyValue), which identifies nobody; "
              "a certificate is required.",
              "Chữ ký chỉ cung cấp khóa công khai trần (KeyValue), không xác định được ai ký; cần "
              "có chứng thư số."};
    case MessageCode::kXadesSignedPropertiesNotSigned:
      return {"xades.signed_properties_not_signed", S::kError,
              "The XAdES SignedProperties of this signature are not covered by exactly one "
              "SignedProperties reference.",
              "Thuộc tính SignedProperties của chữ ký XAdES không được đúng một tham chiếu "
              "SignedProperties bảo vệ."};
    case MessageCode::kDetachedContentMissing:
      return {"signature.detached_content_missing", S::kError,
              "The signature is detached and the signed content was not supplied.",
              "Chữ ký tách rời nhưng không được cung cấp nội dung đã ký."};
    case MessageCode::kContentTypeAttributeMissing:
      return {"signature.content_type_missing", S::kError,
              "The signed attributes lack the mandatory content-type attribute (RFC 5652, 11.1).",
              "Thuộc tính ký thiếu thuộc tính bắt buộc content-type (RFC 5652, mục 11.1)."};
    case MessageCode::kContentTypeMismatch:
      return {"signature.content_type_mismatch", S::kError,
              "The signed content-type attribute differs from the type of the signed content.",
              "Thuộc tính content-type đã ký khác với kiểu của nội dung được ký."};
    case MessageCode::kMessageDigestAttributeMissing:
      return {"signature.message_digest_missing", S::kError,
              "The signed attributes lack the mandatory message-digest attribute (RFC 5652, 11.2).",
              "Thuộc tính ký thiếu thuộc tính bắt buộc message-digest (RFC 5652, mục 11.2)."};
    case MessageCode::kMessageDigestMismatch:
      return {"signature.message_digest_mismatch", S::kError,
              "The document content was changed after signing (its digest does not match).",
              "Nội dung tài liệu đã bị thay đổi sau khi ký (giá trị băm không khớp)."};
    case MessageCode::kDuplicateSignedAttribute:
      return {"signature.duplicate_attribute", S::kError,
              "A signed attribute appears more than once or has several values.",
              "Một thuộc tính ký xuất hiện nhiều lần hoặc có nhiều giá trị."};
    case MessageCode::kSignatureInvalid:
      return {"signature.invalid", S::kError,
              "The signature value does not verify with the signer's public key.",
              "Giá trị chữ ký không hợp lệ với khóa công khai của người ký."};
    case MessageCode::kAlgorithmUnsupported:
      return {"signature.algorithm_unsupported", S::kError,
              "The signature uses an unsupported or unknown algorithm.",
              "Chữ ký dùng thuật toán không được hỗ trợ hoặc không xác định."};
    case MessageCode::kAlgorithmInvalid:
      return {"signature.algorithm_invalid", S::kError,
              "The signature's algorithm identifiers are invalid or contradict each other.",
              "Định danh thuật toán của chữ ký không hợp lệ hoặc mâu thuẫn nhau."};
    case MessageCode::kSignerCertificateNotFound:
      return {"signature.signer_certificate_not_found", S::kError,
              "The signer's certificate is neither in the document nor among the configured "
              "certificates.",
              "Không tìm thấy chứng thư số của người ký trong tài liệu hoặc trong cấu hình."};
    case MessageCode::kEssSigningCertificateMismatch:
      return {"signature.signing_certificate_mismatch", S::kError,
              "The signed signing-certificate attribute names a different certificate.",
              "Thuộc tính signing-certificate đã ký chỉ tới một chứng thư số khác."};
    case MessageCode::kEssSigningCertificateAbsent:
      return {"signature.signing_certificate_absent", S::kInfo,
              "The signature does not bind its certificate with a signing-certificate attribute "
              "(common in PDF signatures; allowed).",
              "Chữ ký không gắn chứng thư số bằng thuộc tính signing-certificate (thường gặp ở chữ "
              "ký PDF; được chấp nhận)."};
    case MessageCode::kNoSignedAttributes:
      return {"signature.no_signed_attributes", S::kInfo,
              "The signature has no signed attributes; it covers the content directly.",
              "Chữ ký không có thuộc tính ký; chữ ký được tạo trực tiếp trên nội dung."};
    case MessageCode::kSigningTimeClaimed:
      return {"signature.signing_time_claimed", S::kInfo,
              "The signing time is the signer's own claim, not a proof of time.",
              "Thời gian ký do người ký tự khai, không phải bằng chứng về thời gian."};
    case MessageCode::kCertificateMalformed:
      return {"certificate.malformed", S::kError, "A certificate could not be decoded.",
              "Không giải mã được chứng thư số."};
    case MessageCode::kChainNoPath:
      return {"chain.no_path", S::kError,
              "No certificate path leads from the signer to a trusted CA (an issuer is missing).",
              "Không xây dựng được đường dẫn chứng thư từ người ký tới CA tin cậy (thiếu chứng thư "
              "của tổ chức cấp)."};
    case MessageCode::kChainUntrustedRoot:
      return {"chain.untrusted_root", S::kError,
              "The certificate path ends at a root CA that is not trusted.",
              "Đường dẫn chứng thư kết thúc ở một CA gốc không được tin cậy."};
    case MessageCode::kChainCertificateExpired:
      return {"chain.certificate_expired", S::kError,
              "A certificate in the path had expired at the validation time.",
              "Một chứng thư số trong đường dẫn đã hết hạn tại thời điểm kiểm tra."};
    case MessageCode::kChainCertificateNotYetValid:
      return {"chain.certificate_not_yet_valid", S::kError,
              "A certificate in the path was not yet valid at the validation time.",
              "Một chứng thư số trong đường dẫn chưa có hiệu lực tại thời điểm kiểm tra."};
    case MessageCode::kChainInvalidCa:
      return {"chain.invalid_ca", S::kError,
              "A certificate that issued another one is not a CA certificate.",
              "Chứng thư số dùng để cấp chứng thư khác không phải là chứng thư của CA."};
    case MessageCode::kChainPathLength:
      return {"chain.path_length_exceeded", S::kError,
              "The certificate path is longer than a CA allows.",
              "Đường dẫn chứng thư dài hơn giới hạn CA cho phép."};
    case MessageCode::kChainKeyUsage:
      return {"chain.key_usage", S::kError,
              "A certificate in the path is not allowed to be used for this purpose.",
              "Một chứng thư số trong đường dẫn không được phép dùng cho mục đích này."};
    case MessageCode::kChainPolicy:
      return {"chain.policy", S::kError, "The certificate policies of the path are not acceptable.",
              "Chính sách chứng thư của đường dẫn không hợp lệ."};
    case MessageCode::kChainCriticalExtension:
      return {"chain.unhandled_critical_extension", S::kError,
              "A certificate has a critical extension that cannot be processed.",
              "Chứng thư số có phần mở rộng quan trọng (critical) không xử lý được."};
    case MessageCode::kChainNameConstraints:
      return {"chain.name_constraints", S::kError,
              "A certificate violates its issuer's name constraints.",
              "Chứng thư số vi phạm ràng buộc tên của tổ chức cấp."};
    case MessageCode::kChainSignatureInvalid:
      return {"chain.signature_invalid", S::kError,
              "A certificate's signature does not verify with its issuer's key.",
              "Chữ ký trên một chứng thư số không hợp lệ với khóa của tổ chức cấp."};
    case MessageCode::kChainGeneralFailure:
      return {"chain.general_failure", S::kError, "The certificate path is invalid.",
              "Đường dẫn chứng thư không hợp lệ."};
    case MessageCode::kSignerKeyUsage:
      return {"signer.key_usage", S::kError,
              "The signer's certificate does not allow digital signatures (key usage lacks "
              "digitalSignature and nonRepudiation).",
              "Chứng thư số của người ký không cho phép ký số (key usage không có digitalSignature "
              "hay nonRepudiation)."};
    case MessageCode::kPolicyDigestNotAllowed:
      return {"policy.digest_not_allowed", S::kError,
              "The digest algorithm is not allowed by the validation policy.",
              "Thuật toán băm không được chính sách kiểm tra cho phép."};
    case MessageCode::kPolicyKeyTooSmall:
      return {"policy.key_too_small", S::kError,
              "A key is shorter than the validation policy requires.",
              "Độ dài khóa nhỏ hơn mức chính sách kiểm tra yêu cầu."};
    case MessageCode::kPolicyKeyTypeNotAllowed:
      return {"policy.key_type_not_allowed", S::kError,
              "The key type is not allowed by the validation policy.",
              "Loại khóa không được chính sách kiểm tra cho phép."};
    case MessageCode::kRevocationRevoked:
      return {"revocation.revoked", S::kError,
              "The signer's certificate was revoked at or before the validation time.",
              "Chứng thư số của người ký đã bị thu hồi vào hoặc trước thời điểm kiểm tra."};
    case MessageCode::kRevocationCaRevoked:
      return {"revocation.ca_revoked", S::kError,
              "A CA certificate on the path was revoked at or before the validation time.",
              "Một chứng thư số của CA trong đường dẫn đã bị thu hồi vào hoặc trước thời điểm "
              "kiểm tra."};
    case MessageCode::kRevocationRevokedLater:
      return {"revocation.revoked_after_validation_time", S::kWarning,
              "A certificate was revoked, but only after the validation time.",
              "Chứng thư số đã bị thu hồi, nhưng sau thời điểm kiểm tra."};
    case MessageCode::kRevocationUnavailable:
      return {"revocation.unavailable", S::kWarning,
              "No usable revocation information could be obtained.",
              "Không lấy được thông tin thu hồi chứng thư có thể sử dụng."};
    case MessageCode::kRevocationNotChecked:
      return {"revocation.not_checked", S::kWarning,
              "Revocation status was not checked (revocation mode is off).",
              "Chưa kiểm tra tình trạng thu hồi chứng thư (chế độ kiểm tra thu hồi đang tắt)."};
  }
  return {"internal.unknown", S::kError, "Unknown finding.", "Phát hiện không xác định."};
}

}  // namespace

absl::string_view ToString(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

absl::string_view CodeOf(MessageCode code) { return Lookup(code).code; }

Message MakeMessage(MessageCode code, absl::string_view detail) {
  const Entry e = Lookup(code);
  Message m{std::string(e.code), e.severity, std::string(e.en), std::string(e.vi)};
  if (!detail.empty()) {
    absl::StrAppend(&m.en, " (", detail, ")");
    absl::StrAppend(&m.vi, " (", detail, ")");
  }
  return m;
}

}  // namespace kyso
