#!/usr/bin/env bash
# shellcheck disable=SC2016  # single-quoted arguments of edit() are perl code, not shell
# make-xml-documents.sh PKIDIR OUTDIR: signs kyso's XML signature (XMLDSig / XAdES) fixtures with
# the PKI from tests/pki/make-pki.sh.
#
# Every document is listed in OUTDIR/MANIFEST.tsv (file, description, expected kyso outcome at
# 2026-01-01T00:00:00Z with PKIDIR/trust.yaml), tab-separated, one line per document; README.md
# explains each. Signatures are made by `xmlsec1 --sign` from templates, except where xmlsec1
# 1.2.37 cannot (RSA-PSS, huge documents, unreachable URIs): there xml_sign.py fills the template.
# Keys are fresh with every PKI, so every signature is too; all claimed signing times are fixed.
#
# The script ends with a self-check: xmlsec1 verifies every document it can safely read, its
# verdict must match what the expected outcome means cryptographically, and each verdict is
# recorded in OUTDIR/XMLSEC1.tsv (file, xmlsec1 exit code or "-", one-word result) for kyso's
# cross-check test. xmlsec1 never sees the DTD/entity fixtures and never opens a network URI:
# it gets "remote" references only for valid-detached.xml, whose one Reference is a file name.
#
# OUTDIR is wiped and regenerated. $OPENSSL, $XMLSEC1 and $PYTHON3 override the binaries; PYTHON3
# must import lxml and cryptography (Debian: python3-lxml python3-cryptography), and by default
# the first of /usr/bin/python3 and `python3` that does is used.
set -euo pipefail

if (($# != 2)); then
  echo "usage: $0 PKIDIR OUTDIR" >&2
  exit 2
fi

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
OPENSSL=${OPENSSL:-openssl}
XMLSEC1=${XMLSEC1:-xmlsec1}
if [[ -z ${PYTHON3:-} ]]; then
  for candidate in /usr/bin/python3 python3; do
    if "$candidate" -c 'import lxml.etree, cryptography' 2>/dev/null; then
      PYTHON3=$candidate
      break
    fi
  done
  [[ -n ${PYTHON3:-} ]] ||
    { echo "make-xml-documents: no python3 with lxml and cryptography (apt-get install python3-lxml python3-cryptography)" >&2; exit 1; }
fi
pki=$(cd -- "$1" && pwd)
rm -rf -- "$2"
mkdir -p -- "$2"
out=$(cd -- "$2" && pwd)
work=$out/.work
mkdir -p "$work"
: >"$out/MANIFEST.tsv"
: >"$work/xmlsec1-expected.tsv"

# ---------------------------------------------------------------------------------------------
# Algorithm identifiers.

DSIG=http://www.w3.org/2000/09/xmldsig#
XADES=http://uri.etsi.org/01903/v1.3.2#
ENVELOPED=${DSIG}enveloped-signature
BASE64=${DSIG}base64
XPATH=http://www.w3.org/TR/1999/REC-xpath-19991116
XSLT=http://www.w3.org/TR/1999/REC-xslt-19991116
C14N=http://www.w3.org/TR/2001/REC-xml-c14n-20010315
C14N_COMMENTS=http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments
EXC_C14N=http://www.w3.org/2001/10/xml-exc-c14n#
C14N11=http://www.w3.org/2006/12/xml-c14n11
SHA1=http://www.w3.org/2000/09/xmldsig#sha1
SHA256=http://www.w3.org/2001/04/xmlenc#sha256
RSA_SHA1=http://www.w3.org/2000/09/xmldsig#rsa-sha1
RSA_SHA256=http://www.w3.org/2001/04/xmldsig-more#rsa-sha256
RSA_PSS_SHA256=http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1 # RFC 9231 section 2.3.10
RSA_PSS=http://www.w3.org/2007/05/xmldsig-more#rsa-pss # RFC 9231 section 2.3.10, with RSAPSSParams
SHA384=http://www.w3.org/2001/04/xmldsig-more#sha384
ECDSA_SHA256=http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256
SIGNED_PROPERTIES=http://uri.etsi.org/01903#SignedProperties

# Id attributes xmlsec1 must know to resolve "#id" (those inside ds:Signature it registers itself;
# ds:Signature's own Id is for --node-id).
IDS=(--id-attr:Id DLHDon --id-attr:Id MCCQT --id-attr:Id "${DSIG}:Signature"
  --id-attr:Id "${XADES}:SignedProperties")

# ---------------------------------------------------------------------------------------------
# Template builders. Each prints XML; the ds prefix is declared on every ds:Signature.

# transforms [ALGORITHM | <ds:Transform...>]...: a ds:Transforms element, nothing if no argument.
transforms() {
  (($#)) || return 0
  printf '<ds:Transforms>'
  for t; do
    if [[ $t == \<* ]]; then printf '%s' "$t"; else printf '<ds:Transform Algorithm="%s"/>' "$t"; fi
  done
  printf '</ds:Transforms>'
}

# reference ATTRIBUTES DIGEST [TRANSFORM...]: a ds:Reference with an empty DigestValue.
reference() {
  local attributes=$1 digest=$2
  shift 2
  printf '\n    <ds:Reference %s>' "$attributes"
  transforms "$@"
  printf '<ds:DigestMethod Algorithm="%s"/><ds:DigestValue></ds:DigestValue></ds:Reference>' "$digest"
}

X509='<ds:X509Data/>'
KEYVALUE='<ds:KeyValue/>'

# signature ID C14N SIGNATURE_METHOD REFERENCES KEYINFO [OBJECTS]: a ds:Signature template.
signature() {
  printf '<ds:Signature xmlns:ds="%s" Id="%s">\n  <ds:SignedInfo>\n' "$DSIG" "$1"
  printf '    <ds:CanonicalizationMethod Algorithm="%s"/>\n' "$2"
  printf '    <ds:SignatureMethod Algorithm="%s"/>%s\n  </ds:SignedInfo>\n' "$3" "$4"
  printf '  <ds:SignatureValue></ds:SignatureValue>\n  <ds:KeyInfo>%s</ds:KeyInfo>\n' "$5"
  printf '%s</ds:Signature>' "${6:-}"
}

# The usual enveloped reference: the whole document minus the signature, C14N (or $1).
enveloped_ref() { reference 'URI=""' "$SHA256" "$ENVELOPED" "${1:-$C14N}"; }

# signing_time_object SIGNATURE_ID TIME: the e-invoice signing time, as Vietnamese invoices carry
# it (ds:SignatureProperty, referenced from SignedInfo), Id "SigningTime-SIGNATURE_ID".
signing_time_object() {
  printf '  <ds:Object><ds:SignatureProperties><ds:SignatureProperty Id="SigningTime-%s" Target="#%s">' "$1" "$1"
  printf '<SigningTime>%s</SigningTime></ds:SignatureProperty></ds:SignatureProperties></ds:Object>\n' "$2"
}

# ---------------------------------------------------------------------------------------------
# Documents.

# vanban_doc SIGNATURE [EXTRA [ROOT_ATTRIBUTES]]: an administrative decision with a default
# namespace and an extra prefix in scope (so inclusive and exclusive C14N of SignedInfo differ);
# EXTRA goes before the signature, ROOT_ATTRIBUTES into the root element's start tag.
# "1.500.000.000 đồng" occurs once: tampered-text.xml changes it.
vanban_doc() {
  cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<VanBan xmlns="urn:kyso:test:van-ban" xmlns:meta="urn:kyso:test:meta-du-lieu"${3:+ $3}>
  <CoQuanBanHanh>ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI</CoQuanBanHanh>
  <SoKyHieu>1234/QĐ-UBND</SoKyHieu>
  <NgayBanHanh>2025-07-01</NgayBanHanh>
  <TrichYeu>Về việc phê duyệt kinh phí hỗ trợ chuyển đổi số năm 2025</TrichYeu>
  <NoiDung>
    <Dieu So="1">Phê duyệt kinh phí hỗ trợ chuyển đổi số là 1.500.000.000 đồng (Một tỷ năm trăm triệu đồng).</Dieu>
    <Dieu So="2">Giao Sở Tài chính hướng dẫn, kiểm tra việc sử dụng kinh phí theo đúng quy định.</Dieu>
    <Dieu So="3">Quyết định này có hiệu lực kể từ ngày ký.</Dieu>
  </NoiDung>
  <meta:NguoiKy ChucVu="Chủ tịch">Nguyễn Văn An</meta:NguoiKy>
${2:-}$1
</VanBan>
EOF
}

# einvoice_doc SELLER_SIGNATURE [CQT_SIGNATURE]: a VAT invoice shaped like Decree 123/2020 /
# Circular 78/2021 (element names from the General Department of Taxation's schema). Without a
# tax authority signature there is no MCCQT (the code the tax authority assigns) either.
einvoice_doc() {
  cat <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<HDon>
  <DLHDon Id="DLHDon">
    <TTChung>
      <PBan>2.1.0</PBan>
      <THDon>HÓA ĐƠN GIÁ TRỊ GIA TĂNG</THDon>
      <KHMSHDon>1</KHMSHDon>
      <KHHDon>C25TDM</KHHDon>
      <SHDon>1234</SHDon>
      <NLap>2025-07-01</NLap>
      <DVTTe>VND</DVTTe>
      <TGia>1</TGia>
      <HTTToan>TM/CK</HTTToan>
      <MSTTCGP>0101234567</MSTTCGP>
    </TTChung>
    <NDHDon>
      <NBan>
        <Ten>Công ty TNHH Thương mại Demo</Ten>
        <MST>0101234567</MST>
        <DChi>Số 1 phố Tràng Tiền, phường Tràng Tiền, quận Hoàn Kiếm, Hà Nội</DChi>
        <SDThoai>02438250000</SDThoai>
        <STKNHang>0011001234567</STKNHang>
        <TNHang>Ngân hàng TMCP Ngoại thương Việt Nam</TNHang>
      </NBan>
      <NMua>
        <Ten>Công ty Cổ phần Dịch vụ Mua hàng Demo</Ten>
        <MST>0109876543</MST>
        <DChi>Số 25 đường Lê Lợi, phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh</DChi>
        <HVTNMHang>Trần Thị Bình</HVTNMHang>
      </NMua>
      <DSHHDVu>
        <HHDVu>
          <TChat>1</TChat>
          <STT>1</STT>
          <THHDVu>Giấy in A4 định lượng 70 g/m²</THHDVu>
          <DVTinh>Ram</DVTinh>
          <SLuong>10</SLuong>
          <DGia>75000</DGia>
          <ThTien>750000</ThTien>
          <TSuat>10%</TSuat>
        </HHDVu>
        <HHDVu>
          <TChat>1</TChat>
          <STT>2</STT>
          <THHDVu>Hộp mực in laser đen</THHDVu>
          <DVTinh>Hộp</DVTinh>
          <SLuong>2</SLuong>
          <DGia>1250000</DGia>
          <ThTien>2500000</ThTien>
          <TSuat>10%</TSuat>
        </HHDVu>
      </DSHHDVu>
      <TToan>
        <THTTLTSuat>
          <LTSuat>
            <TSuat>10%</TSuat>
            <ThTien>3250000</ThTien>
            <TThue>325000</TThue>
          </LTSuat>
        </THTTLTSuat>
        <TgTCThue>3250000</TgTCThue>
        <TgTThue>325000</TgTThue>
        <TgTTTBSo>3575000</TgTTTBSo>
        <TgTTTBChu>Ba triệu năm trăm bảy mươi lăm nghìn đồng</TgTTTBChu>
      </TToan>
    </NDHDon>
  </DLHDon>
EOF
  [[ -z ${2:-} ]] || printf '  <MCCQT Id="MCCQT">00D2C1E0A9B84F7E6D5C4B3A2918070605</MCCQT>\n'
  printf '  <DSCKS>\n    <NBan>%s</NBan>\n' "$1"
  [[ -z ${2:-} ]] || printf '    <CQT>%s</CQT>\n' "$2"
  printf '  </DSCKS>\n</HDon>\n'
}

# ---------------------------------------------------------------------------------------------
# Signing.

manifest() { # FILE DESCRIPTION EXPECTED_KYSO EXPECTED_XMLSEC1 (the last for the self-check)
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$out/MANIFEST.tsv"
  printf '%s\t%s\n' "$1" "$4" >>"$work/xmlsec1-expected.tsv"
}

issuer_of() { # SIGNER: its issuing CA certificate (the second certificate of its chain file)
  local f=$work/$1-issuer.pem
  awk '/-----BEGIN CERTIFICATE-----/ { n++ } n == 2' "$pki/chains/$1-chain.pem" >"$f"
  echo "$f"
}

# xsign OUT TEMPLATE SIGNER [xmlsec1 options...]: xmlsec1 signs TEMPLATE (a file in $work) with
# SIGNER's key; KeyInfo/X509Data receives the signer and its issuing CA. $CERTS (a comma list of
# PEM files) replaces the issuing CA, $NOCERTS=1 loads the bare key. Runs in OUTDIR, so relative
# Reference URIs name files there.
xsign() {
  local file=$1 template=$2 signer=$3
  shift 3
  local key=$pki/keys/$signer.key
  if [[ -z ${NOCERTS:-} ]]; then
    key+=",$pki/certs/$signer.pem,${CERTS:-$(issuer_of "$signer")}"
  fi
  (cd "$out" && "$XMLSEC1" --sign --privkey-pem "$key" "${IDS[@]}" "$@" \
    --output "$out/$file" "$template")
}

# pysign OUT TEMPLATE SIGNER: the same with xml_sign.py, for what xmlsec1 1.2.37 cannot sign.
pysign() {
  "$PYTHON3" "$here/xml_sign.py" --key "$pki/keys/$3.key" --cert "$pki/certs/$3.pem" \
    --cert "$(issuer_of "$3")" "$2" "$out/$1"
}

template() { # NAME: the path of a new template file; write it from stdin
  cat >"$work/$1.tpl.xml"
  echo "$work/$1.tpl.xml"
}

# enveloped_template NAME SIGNATURE_METHOD C14N [EXTRA [ROOT_ATTRIBUTES]]: the vanban document
# with an enveloped signature, C14N for SignedInfo and after the enveloped-signature transform.
enveloped_template() {
  vanban_doc "$(signature sig "$3" "$2" "$(enveloped_ref "$3")" "$X509")" "${4:-}" "${5:-}" |
    template "$1"
}

t=$(enveloped_template valid-enveloped-rsa "$RSA_SHA256" "$C14N")
xsign valid-enveloped-rsa.xml "$t" signer-rsa2048
manifest valid-enveloped-rsa.xml "enveloped (URI=\"\", enveloped-signature + C14N 1.0), rsa-sha256, signer-rsa2048 + ca-public" TOTAL_PASSED OK

t=$(enveloped_template valid-enveloped-exc-c14n "$RSA_SHA256" "$EXC_C14N")
xsign valid-enveloped-exc-c14n.xml "$t" signer-rsa2048
manifest valid-enveloped-exc-c14n.xml "enveloped, exclusive C14N for SignedInfo and the reference" TOTAL_PASSED OK

# xml:* attributes on the root: canonicalising SignedInfo (a document subset) pulls inherited
# xml:lang in under both C14N 1.0 and 1.1, but xml:id only under 1.0 (C14N 1.1 section 2.4), so
# a verifier that runs C14N 1.0 for the 1.1 URI fails here.
t=$(enveloped_template valid-c14n11 "$RSA_SHA256" "$C14N11" "" 'xml:lang="vi" xml:id="quyet-dinh"')
xsign valid-c14n11.xml "$t" signer-rsa2048
manifest valid-c14n11.xml "enveloped, C14N 1.1 for SignedInfo and the reference; xml:lang and xml:id on the root (C14N 1.0 would differ)" TOTAL_PASSED OK

# URI="" selects the document without comments (XMLDSig 1.1 section 4.4.3.3), so the comment is
# not signed even though the reference canonicalises WithComments: a verifier that keeps it fails.
t=$(vanban_doc "$(signature sig "$C14N" "$RSA_SHA256" \
  "$(reference 'URI=""' "$SHA256" "$ENVELOPED" "$C14N_COMMENTS")" "$X509")" \
  '  <!-- Ghi chú: bản dự thảo đã được Văn phòng UBND rà soát. -->
' | template valid-with-comments)
xsign valid-with-comments.xml "$t" signer-rsa2048
manifest valid-with-comments.xml "enveloped, reference C14N 1.0 WithComments; the document has a comment, which URI=\"\" leaves unsigned" TOTAL_PASSED OK

t=$(enveloped_template valid-ecdsa "$ECDSA_SHA256" "$C14N")
xsign valid-ecdsa.xml "$t" signer-p256
manifest valid-ecdsa.xml "enveloped, ecdsa-sha256 (r||s, 64 bytes) by signer-p256 under ca-gov (P-384)" TOTAL_PASSED OK

t=$(enveloped_template valid-rsa-pss "$RSA_PSS_SHA256" "$C14N")
pysign valid-rsa-pss.xml "$t" signer-rsa2048
manifest valid-rsa-pss.xml "enveloped, RSASSA-PSS sha256-rsa-MGF1 (RFC 9231: MGF1-SHA256, salt 32) by signer-rsa2048, signed by xml_sign.py" TOTAL_PASSED NOT_SUPPORTED

# The generic rsa-pss identifier with explicit RSAPSSParams: SHA-384, MGF1-SHA384, salt 48.
t=$(enveloped_template valid-rsa-pss-params "$RSA_PSS" "$C14N")
pss_params="<pss:RSAPSSParams xmlns:pss=\"http://www.w3.org/2007/05/xmldsig-more#\"><ds:DigestMethod Algorithm=\"$SHA384\"/><pss:MaskGenerationFunction Algorithm=\"http://www.w3.org/2007/05/xmldsig-more#MGF1\"><ds:DigestMethod Algorithm=\"$SHA384\"/></pss:MaskGenerationFunction><pss:SaltLength>48</pss:SaltLength><pss:TrailerField>1</pss:TrailerField></pss:RSAPSSParams>"
sed -i "s|<ds:SignatureMethod Algorithm=\"$RSA_PSS\"/>|<ds:SignatureMethod Algorithm=\"$RSA_PSS\">$pss_params</ds:SignatureMethod>|" "$t"
pysign valid-rsa-pss-params.xml "$t" signer-rsa2048
manifest valid-rsa-pss-params.xml "enveloped, RSASSA-PSS with RSAPSSParams (SHA-384, MGF1-SHA384, salt 48) by signer-rsa2048, signed by xml_sign.py" TOTAL_PASSED NOT_SUPPORTED

# Enveloping: the signature is the document.
XMLDECL='<?xml version="1.0" encoding="UTF-8"?>'
t=$({ echo "$XMLDECL"; signature sig "$C14N" "$RSA_SHA256" \
  "$(reference "URI=\"#obj\" Type=\"${DSIG}Object\"" "$SHA256" "$C14N")" "$X509" \
  '  <ds:Object Id="obj"><ThongBao xmlns="urn:kyso:test:thong-bao">
    <TieuDe>Thông báo lịch tiếp công dân tháng 7 năm 2025</TieuDe>
    <NoiDung>Lãnh đạo Sở Tư pháp tiếp công dân vào sáng thứ Năm hằng tuần tại trụ sở số 1 Phạm Văn Đồng.</NoiDung>
  </ThongBao></ds:Object>
'; } | template valid-enveloping)
xsign valid-enveloping.xml "$t" signer-rsa2048
manifest valid-enveloping.xml "enveloping: ds:Signature is the root, Reference #obj to a ds:Object holding XML" TOTAL_PASSED OK

# Binary content: bytes 0-255 then UTF-8 text, base64 wrapped at 64 columns in the ds:Object.
{
  perl -e 'print map { chr } 0 .. 255'
  printf 'Tệp đính kèm nhị phân: bảng kê chứng từ.\n'
} >"$work/binary.bin"
t=$({ echo "$XMLDECL"; signature sig "$C14N" "$RSA_SHA256" \
  "$(reference 'URI="#obj"' "$SHA256" "$BASE64")" "$X509" \
  "  <ds:Object Id=\"obj\" MimeType=\"application/octet-stream\" Encoding=\"$BASE64\">
$("$OPENSSL" base64 -in "$work/binary.bin")
</ds:Object>
"; } | template valid-enveloping-base64)
xsign valid-enveloping-base64.xml "$t" signer-rsa2048
manifest valid-enveloping-base64.xml "enveloping, ds:Object holds base64 binary content, Reference #obj with the base64 transform" TOTAL_PASSED OK

# Detached: the Reference names a file beside the signature; xmlsec1 reads it (cwd = OUTDIR).
cat >"$out/detached-content.txt" <<'EOF'
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

BIÊN BẢN NGHIỆM THU
Hôm nay, ngày 01 tháng 7 năm 2025, hai bên đã nghiệm thu khối lượng công việc theo hợp đồng số 56/2025/HĐ.
EOF
t=$({ echo "$XMLDECL"; signature sig "$C14N" "$RSA_SHA256" \
  "$(reference 'URI="detached-content.txt"' "$SHA256")" "$X509"; } | template valid-detached)
xsign valid-detached.xml "$t" signer-rsa2048
manifest valid-detached.xml "detached: Reference URI=\"detached-content.txt\" (no transforms); the caller must supply detached-content.txt by that name" TOTAL_PASSED OK

# ---------------------------------------------------------------------------------------------
# XAdES (ETSI EN 319 132-1) B-B: SignedProperties referenced from SignedInfo.

cert_digest() { # DIGEST NAME: base64 digest of certs/NAME.der
  "$OPENSSL" dgst -"$1" -binary "$pki/certs/$2.der" | "$OPENSSL" base64 -A
}

# xades_template OUT VERSION CERT WITH_REFERENCE: VERSION v2 (SigningCertificateV2, SHA-256) or
# v1 (SigningCertificate, SHA-1 + IssuerSerial); CERT the certificate named there; WITH_REFERENCE
# no to leave SignedProperties unreferenced.
xades_template() {
  local cert=$3 signing_cert issuer serial
  if [[ $2 == v2 ]]; then
    signing_cert="<xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm=\"$SHA256\"/><ds:DigestValue>$(cert_digest sha256 "$cert")</ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2>"
  else
    issuer=$("$OPENSSL" x509 -in "$pki/certs/$cert.pem" -noout -issuer -nameopt RFC2253,-esc_msb)
    serial=$("$OPENSSL" x509 -in "$pki/certs/$cert.pem" -noout -serial)
    signing_cert="<xades:SigningCertificate><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm=\"$SHA1\"/><ds:DigestValue>$(cert_digest sha1 "$cert")</ds:DigestValue></xades:CertDigest><xades:IssuerSerial><ds:X509IssuerName>${issuer#issuer=}</ds:X509IssuerName><ds:X509SerialNumber>$((16#${serial#serial=}))</ds:X509SerialNumber></xades:IssuerSerial></xades:Cert></xades:SigningCertificate>"
  fi
  local refs
  refs=$(reference 'Id="ref-doc" URI=""' "$SHA256" "$ENVELOPED" "$C14N")
  [[ $4 == no ]] || refs+=$(reference "URI=\"#xades-sig\" Type=\"$SIGNED_PROPERTIES\"" "$SHA256" "$C14N")
  vanban_doc "$(signature sig "$C14N" "$RSA_SHA256" "$refs" "$X509" \
    "  <ds:Object><xades:QualifyingProperties xmlns:xades=\"$XADES\" Target=\"#sig\"><xades:SignedProperties Id=\"xades-sig\"><xades:SignedSignatureProperties><xades:SigningTime>2025-07-01T01:00:00Z</xades:SigningTime>$signing_cert</xades:SignedSignatureProperties><xades:SignedDataObjectProperties><xades:DataObjectFormat ObjectReference=\"#ref-doc\"><xades:MimeType>text/xml</xades:MimeType></xades:DataObjectFormat></xades:SignedDataObjectProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object>
")" | template "$1"
}

xsign valid-xades.xml "$(xades_template valid-xades v2 signer-rsa2048 yes)" signer-rsa2048
manifest valid-xades.xml "XAdES B-B enveloped: SignedProperties (SigningTime, SigningCertificateV2 SHA-256, DataObjectFormat) referenced with Type SignedProperties" TOTAL_PASSED OK
xsign valid-xades-v1.xml "$(xades_template valid-xades-v1 v1 signer-rsa2048 yes)" signer-rsa2048
manifest valid-xades-v1.xml "XAdES B-B with the v1 SigningCertificate (SHA-1 CertDigest + IssuerSerial)" TOTAL_PASSED OK
xsign xades-signing-cert-mismatch.xml \
  "$(xades_template xades-signing-cert-mismatch v2 signer-cmnd yes)" signer-rsa2048
manifest xades-signing-cert-mismatch.xml "XAdES signed by signer-rsa2048, but SigningCertificateV2 digests signer-cmnd's certificate" \
  INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND OK
xsign xades-no-signed-properties.xml \
  "$(xades_template xades-no-signed-properties v2 signer-rsa2048 no)" signer-rsa2048
manifest xades-no-signed-properties.xml "XAdES QualifyingProperties present, but no Reference covers SignedProperties" \
  TOTAL_FAILED/FORMAT_FAILURE OK

# ---------------------------------------------------------------------------------------------
# The e-invoice: the seller signs the invoice data, the tax authority (CQT) signs its code.

# einvoice_signature ID REFERENCE_URI SIGNING_TIME: a signature over #REFERENCE_URI and its own
# signing time property.
einvoice_signature() {
  signature "$1" "$C14N" "$RSA_SHA256" \
    "$(reference "URI=\"#$2\"" "$SHA256" "$C14N")$(reference "URI=\"#SigningTime-$1\"" "$SHA256" "$C14N")" \
    "$X509" "$(signing_time_object "$1" "$3")"
}
t=$(einvoice_doc "$(einvoice_signature seller DLHDon 2025-07-01T08:00:00)" \
  "$(einvoice_signature cqt MCCQT 2025-07-01T08:05:00)" | template einvoice)
xsign einvoice-seller.xml "$t" signer-rsa2048 --node-id seller
xsign einvoice-valid.xml "$out/einvoice-seller.xml" signer-rsa3072 --node-id cqt
rm "$out/einvoice-seller.xml"
manifest einvoice-valid.xml "Vietnamese VAT e-invoice (HDon): seller signature over #DLHDon + SigningTime (signer-rsa2048), tax authority signature over #MCCQT + SigningTime (signer-rsa3072)" TOTAL_PASSED OK

# ---------------------------------------------------------------------------------------------
# Text edits of signed documents. Each checks that its pattern occurs exactly once, so a change in
# the output above cannot silently make it a no-op.

# edit IN OUT CODE...: runs each piece of perl code on the whole of IN (in $_, as characters),
# which must report exactly one change (s/// returns the number made), and writes OUT.
edit() {
  perl -CSDA -Mutf8 -e '
    my ($in, $out, @code) = @ARGV;
    open(my $f, "<:encoding(UTF-8)", $in) or die "$in: $!\n"; local $/; $_ = <$f>;
    for my $code (@code) {
      my $n = eval($code); die "make-xml-documents: $@" if $@;
      die "make-xml-documents: edit of $in changed ${\($n || 0)} places, not 1: $code\n" unless $n eq 1;
    }
    open(my $o, ">:encoding(UTF-8)", $out) or die "$out: $!\n"; print $o $_;
  ' "$out/$1" "$out/$2" "${@:3}"
}

edit valid-enveloped-rsa.xml tampered-text.xml 's/1\.500\.000\.000 đồng/9.500.000.000 đồng/g'
manifest tampered-text.xml "valid-enveloped-rsa with the signed amount 1.500.000.000 changed to 9.500.000.000" TOTAL_FAILED/HASH_FAILURE DIGEST_MISMATCH

# One base64 character early in SignatureValue (a full 6-bit group, so still valid base64).
flip_signature_value='s{(<ds:SignatureValue>\s*.{9})(.)}{$1 . ($2 eq "A" ? "B" : "A")}se'
edit valid-enveloped-rsa.xml tampered-signature-value.xml "$flip_signature_value"
manifest tampered-signature-value.xml "valid-enveloped-rsa with the 10th base64 character of SignatureValue changed (still valid base64)" TOTAL_FAILED/SIG_CRYPTO_FAILURE SIGNATURE_MISMATCH

edit einvoice-valid.xml einvoice-cqt-broken.xml \
  's{(<ds:Signature [^>]*Id="cqt".*?<ds:SignatureValue>\s*.{9})(.)}{$1 . ($2 eq "A" ? "B" : "A")}se'
manifest einvoice-cqt-broken.xml "einvoice-valid with the tax authority's SignatureValue corrupted (valid base64); the seller signature is intact" TOTAL_FAILED/SIG_CRYPTO_FAILURE SIGNATURE_MISMATCH

# Signature wrapping: the signed DLHDon moves into <Wrapper> at the end of HDon and a forged,
# unsigned DLHDon (other bank account and total) takes its place; #DLHDon still resolves to the
# signed one, so both signatures verify.
edit einvoice-valid.xml wrapping.xml '
  s{(  <DLHDon Id="DLHDon">.*?</DLHDon>\n)(.*)(</HDon>)}{
    my ($signed, $rest, $end) = ($1, $2, $3);
    (my $forged = $signed) =~ s/Id="DLHDon"/Id="DLHDon-forged"/;
    $forged =~ s{<STKNHang>0011001234567</STKNHang>}{<STKNHang>9704229999999</STKNHang>};
    $forged =~ s{<TgTTTBSo>3575000</TgTTTBSo>}{<TgTTTBSo>35750000</TgTTTBSo>};
    $forged =~ s{<TgTTTBChu>[^<]*</TgTTTBChu>}{<TgTTTBChu>Ba mươi lăm triệu bảy trăm năm mươi nghìn đồng</TgTTTBChu>};
    "$forged$rest  <Wrapper>\n$signed  </Wrapper>\n$end"
  }se'
manifest wrapping.xml "einvoice-valid with the signed DLHDon moved into <Wrapper> and a forged unsigned DLHDon Id=\"DLHDon-forged\" in its place: crypto-valid, the reported signed node path is the defence" TOTAL_PASSED OK

# Two elements with Id="DLHDon": a forged copy before the signed one.
edit einvoice-valid.xml duplicate-ids.xml '
  s{(  <DLHDon Id="DLHDon">.*?</DLHDon>\n)}{
    my $signed = $1;  # copied first: the inner s{} below resets $1
    (my $forged = $signed) =~ s{<TgTTTBSo>3575000</TgTTTBSo>}{<TgTTTBSo>35750000</TgTTTBSo>};
    "$forged$signed"
  }se'
manifest duplicate-ids.xml "einvoice-valid with a forged second element Id=\"DLHDon\" before the signed one" TOTAL_FAILED/FORMAT_FAILURE DUPLICATE_ID

# DTDs. The signatures are einvoice-valid's, so each file is a complete signed invoice apart from
# the DTD (and, where an entity is used, the changed text).
edit einvoice-valid.xml xxe-local-file.xml \
  's{^(<\?xml[^>]*\?>\n)}{$1<!DOCTYPE HDon [\n  <!ENTITY x SYSTEM "file:///etc/passwd">\n]>\n}' \
  's{<HVTNMHang>Trần Thị Bình</HVTNMHang>}{<HVTNMHang>&x;</HVTNMHang>}'
manifest xxe-local-file.xml "einvoice-valid with an internal DTD declaring <!ENTITY x SYSTEM \"file:///etc/passwd\">, used in the buyer name" TOTAL_FAILED/FORMAT_FAILURE NOT_RUN

{
  printf '<!DOCTYPE HDon [\n  <!ENTITY lol "lol">\n'
  previous=lol
  for i in {1..9}; do
    printf '  <!ENTITY lol%s "%s">\n' "$i" "$(printf "&$previous;%.0s" {1..10})"
    previous=lol$i
  done
  printf ']>\n'
} >"$work/lol.dtd"
DOCTYPE=$work/lol.dtd edit einvoice-valid.xml billion-laughs.xml '
  open(my $d, "<:encoding(UTF-8)", $ENV{DOCTYPE}) or die; my $doctype = <$d>;
  s{^(<\?xml[^>]*\?>\n)}{$1$doctype}' \
  's{<HVTNMHang>Trần Thị Bình</HVTNMHang>}{<HVTNMHang>&lol9;</HVTNMHang>}'
manifest billion-laughs.xml "einvoice-valid with the billion laughs entity bomb (10^9 \"lol\") in the buyer name" TOTAL_FAILED/FORMAT_FAILURE NOT_RUN

edit einvoice-valid.xml external-dtd.xml \
  's{^(<\?xml[^>]*\?>\n)}{$1<!DOCTYPE HDon SYSTEM "http://127.0.0.1:9/evil.dtd">\n}'
manifest external-dtd.xml "einvoice-valid with <!DOCTYPE HDon SYSTEM \"http://127.0.0.1:9/evil.dtd\"> (external DTD on the discard port)" TOTAL_FAILED/FORMAT_FAILURE NOT_RUN

# ---------------------------------------------------------------------------------------------
# Transforms and URIs kyso refuses, on an invoice with the seller signature only.

xpath() { printf '<ds:Transform Algorithm="%s"><ds:XPath>%s</ds:XPath></ds:Transform>' "$XPATH" "$1"; }

t=$(einvoice_doc "$(signature seller "$C14N" "$RSA_SHA256" \
  "$(reference 'URI=""' "$SHA256" "$(xpath 'ancestor-or-self::DLHDon')" "$C14N")" "$X509")" |
  template xpath-transform)
xsign xpath-transform.xml "$t" signer-rsa2048 --enabled-reference-uris empty,same-doc
manifest xpath-transform.xml "seller signature, URI=\"\" with the XPath filter ancestor-or-self::DLHDon (not the enveloped idiom)" INDETERMINATE/SIG_CONSTRAINTS_FAILURE OK

t=$(einvoice_doc "$(signature seller "$C14N" "$RSA_SHA256" \
  "$(reference 'URI=""' "$SHA256" "$(xpath 'not(ancestor-or-self::ds:Signature)')" "$C14N")" "$X509")" |
  template xpath-enveloped-idiom)
xsign xpath-enveloped-idiom.xml "$t" signer-rsa2048 --enabled-reference-uris empty,same-doc
manifest xpath-enveloped-idiom.xml "seller signature, URI=\"\" with the XPath filter not(ancestor-or-self::ds:Signature) instead of enveloped-signature" TOTAL_PASSED OK

# What is signed is only the text the stylesheet prints (the total), not the invoice.
t=$(einvoice_doc "$(signature seller "$C14N" "$RSA_SHA256" \
  "$(reference 'URI="#DLHDon"' "$SHA256" "<ds:Transform Algorithm=\"$XSLT\"><xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\"><xsl:output method=\"text\"/><xsl:template match=\"/\"><xsl:value-of select=\"//TgTTTBSo\"/></xsl:template></xsl:stylesheet></ds:Transform>")" \
  "$X509")" | template xslt-transform)
xsign xslt-transform.xml "$t" signer-rsa2048 --enabled-reference-uris empty,same-doc
manifest xslt-transform.xml "seller signature, Reference #DLHDon through an XSLT transform that keeps only the total" INDETERMINATE/SIG_CONSTRAINTS_FAILURE OK

# External URIs: xml_sign.py keeps a prefilled DigestValue (SHA-256 of the empty string), so
# SignedInfo is correctly signed and only the URI is wrong.
empty_sha256=$(printf '' | "$OPENSSL" dgst -sha256 -binary | "$OPENSSL" base64 -A)
for kind in http file; do
  case $kind in
    http) uri=http://127.0.0.1:9/x ;;
    file) uri=file:///etc/passwd ;;
  esac
  t=$(einvoice_doc "$(signature seller "$C14N" "$RSA_SHA256" \
    "$(enveloped_ref)$(reference "URI=\"$uri\"" "$SHA256" |
      sed "s|<ds:DigestValue></ds:DigestValue>|<ds:DigestValue>$empty_sha256</ds:DigestValue>|")" \
    "$X509")" | template "uri-$kind")
  pysign "uri-$kind.xml" "$t" signer-rsa2048
  manifest "uri-$kind.xml" "seller signature with a second Reference URI=\"$uri\" (dummy digest; SignatureValue correct)" \
    INDETERMINATE/SIG_CONSTRAINTS_FAILURE URI_REFUSED
done

# ---------------------------------------------------------------------------------------------
# Keys, certificates and algorithms.

t=$(vanban_doc "$(signature sig "$C14N" "$RSA_SHA256" "$(enveloped_ref)" "$KEYVALUE")" |
  template bare-keyvalue)
NOCERTS=1 xsign bare-keyvalue.xml "$t" signer-rsa2048
manifest bare-keyvalue.xml "enveloped, KeyInfo holds only the RSAKeyValue of signer-rsa2048 (no certificate)" \
  INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND OK

xsign revoked.xml "$(enveloped_template revoked "$RSA_SHA256" "$C14N")" signer-revoked
manifest revoked.xml "enveloped, signer-revoked (keyCompromise 2025-09-01); revocation not checked yet" TOTAL_PASSED OK

CERTS=$pki/certs/ca-untrusted.pem,$pki/certs/root-untrusted.pem \
  xsign untrusted.xml "$(enveloped_template untrusted "$RSA_SHA256" "$C14N")" signer-untrusted
manifest untrusted.xml "enveloped, signer-untrusted with ca-untrusted and root-untrusted embedded" INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND CERT_UNTRUSTED

t=$(vanban_doc "$(signature sig "$C14N" "$RSA_SHA1" \
  "$(reference 'URI=""' "$SHA1" "$ENVELOPED" "$C14N")" "$X509")" | template sha1)
xsign sha1.xml "$t" signer-rsa2048
manifest sha1.xml "enveloped, rsa-sha1 with a sha1 reference digest, signer-rsa2048" INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE OK

# ---------------------------------------------------------------------------------------------
# Size: 100,000 nested elements (about 1.1 MB, with valid-enveloped-rsa's now stale signature),
# and a 10 MiB text node in a correctly signed document. libxml2 refuses both without
# XML_PARSE_HUGE (depth 256, text node 10,000,000 bytes). xmlsec1 parses with XML_PARSE_HUGE and is
# not run on either: it overflows the stack in libxml2's recursive C14N on the first (SIGSEGV with
# an 8 MiB stack) and takes about 50 s to verify the second (see README.md).

perl -CSD -e 'print "<Muc>" x 100000, "sâu", "</Muc>" x 100000, "\n"' >"$work/deep.txt"
DEEP=$work/deep.txt edit valid-enveloped-rsa.xml deep-nesting.xml '
  open(my $d, "<:encoding(UTF-8)", $ENV{DEEP}) or die; my $deep = <$d>;
  s{(\n)(<ds:Signature )}{$1  $deep$2}'
manifest deep-nesting.xml "valid-enveloped-rsa with 100,000 nested <Muc> elements inserted (signature no longer matches)" TOTAL_FAILED/FORMAT_FAILURE NOT_RUN

perl -CSD -Mutf8 -e '
  my $target = 10 * 1024 * 1024; my $unit = "Phụ lục số liệu thống kê dân số. ";
  my $bytes = do { use bytes; length $unit };
  print "  <PhuLuc>", $unit x int($target / $bytes), "." x ($target % $bytes), "</PhuLuc>\n";
' >"$work/big.txt"
t=$(enveloped_template big-text "$RSA_SHA256" "$C14N" "$(cat "$work/big.txt")")
pysign big-text.xml "$t" signer-rsa2048
manifest big-text.xml "enveloped, correctly signed by xml_sign.py, with a 10 MiB (10,485,760-byte) text node" TOTAL_FAILED/FORMAT_FAILURE NOT_RUN

# ---------------------------------------------------------------------------------------------
# Self-check.
#
# xml_sign.py against xmlsec1: RSASSA-PKCS1-v1_5 is deterministic, so signing the
# valid-enveloped-rsa template with rsa-sha256 must give xmlsec1's DigestValue and SignatureValue.

pysign .work/python-rsa.xml "$work/valid-enveloped-rsa.tpl.xml" signer-rsa2048
values() { tr -d ' \n' <"$1" | grep -o '<ds:\(DigestValue\|SignatureValue\)>[^<]*'; }
[[ $(values "$work/python-rsa.xml") == $(values "$out/valid-enveloped-rsa.xml") ]] ||
  { echo "make-xml-documents: xml_sign.py and xmlsec1 disagree on valid-enveloped-rsa" >&2; exit 1; }

# The PSS signature checked by OpenSSL with the RFC 9231 parameters spelled out (salt length 32
# exactly), over SignedInfo canonicalised by lxml (the code path just compared with xmlsec1).
"$PYTHON3" - "$out/valid-rsa-pss.xml" "$work/pss-signed-info" "$work/pss-value" <<'PY'
import base64, sys
from lxml import etree
ds = "{http://www.w3.org/2000/09/xmldsig#}"
doc = etree.parse(sys.argv[1])
with open(sys.argv[2], "wb") as f:
    f.write(etree.tostring(doc.find(f".//{ds}SignedInfo"), method="c14n"))
with open(sys.argv[3], "wb") as f:
    f.write(base64.b64decode(doc.find(f".//{ds}SignatureValue").text))
PY
"$OPENSSL" x509 -in "$pki/certs/signer-rsa2048.pem" -noout -pubkey >"$work/signer-rsa2048.pub"
"$OPENSSL" dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
  -sigopt rsa_mgf1_md:sha256 -verify "$work/signer-rsa2048.pub" -signature "$work/pss-value" \
  "$work/pss-signed-info" >/dev/null ||
  { echo "make-xml-documents: OpenSSL rejects valid-rsa-pss.xml" >&2; exit 1; }

# What the digests of the binary references must be, computed without xmlsec1.
digest_value() { # FILE: the first DigestValue
  tr -d ' \n' <"$out/$1" | grep -o '<ds:DigestValue>[^<]*' | head -n 1 | sed 's/.*>//'
}
sha256_b64() { "$OPENSSL" dgst -sha256 -binary "$1" | "$OPENSSL" base64 -A; }
[[ $(digest_value valid-detached.xml) == $(sha256_b64 "$out/detached-content.txt") ]] ||
  { echo "make-xml-documents: valid-detached.xml does not digest detached-content.txt" >&2; exit 1; }
[[ $(digest_value valid-enveloping-base64.xml) == $(sha256_b64 "$work/binary.bin") ]] ||
  { echo "make-xml-documents: valid-enveloping-base64.xml does not digest the decoded bytes" >&2; exit 1; }

# xmlsec1 on each document, at the pinned time, anchors trusted, the pool untrusted; one
# --trusted-pem / --untrusted-pem per certificate (given a bundle, xmlsec1 loads only the first
# certificate). --verification-gmt-time, not --verification-time, which is local time.
trust=()
for f in "$pki"/anchors/*.pem; do trust+=(--trusted-pem "$f"); done
for f in "$pki"/intermediates/*.pem; do trust+=(--untrusted-pem "$f"); done

# xmlsec1_verify FILE [options]: prints "EXIT WORD" for one signature.
xmlsec1_verify() {
  local file=$1 rc=0 log=$work/xmlsec1.log word
  shift
  (cd "$out" && "$XMLSEC1" --verify "${trust[@]}" --verification-gmt-time "2026-01-01 00:00:00" \
    "${IDS[@]}" "$@" "$file") >"$log" 2>&1 || rc=$?
  if ((rc == 0)); then
    word=OK
  elif grep -q 'xmlSecTransformIdListFindByHref' "$log"; then
    word=NOT_SUPPORTED # an algorithm xmlsec1 does not implement
  elif grep -q 'invalid URI type' "$log"; then
    word=URI_REFUSED # not in --enabled-reference-uris
  elif grep -q 'data and digest do not match' "$log"; then
    word=DIGEST_MISMATCH
  elif grep -q 'EVP_VerifyFinal\|EVP_DigestVerifyFinal\|signature verification failed' "$log"; then
    word=SIGNATURE_MISMATCH
  elif grep -q 'certificate verification failed' "$log"; then
    word=CERT_UNTRUSTED
  elif grep -q 'duplicate ID attribute' "$log"; then
    word=DUPLICATE_ID
  else
    word=ERROR
  fi
  [[ $word != ERROR ]] || { echo "make-xml-documents: unexpected xmlsec1 output for $file:" >&2; cat "$log" >&2; }
  echo "$rc $word"
}

: >"$out/XMLSEC1.tsv"
failed=0
while IFS=$'\t' read -r file want; do
  uris=empty,same-doc
  nodes=("")
  case $file in
    # xmlsec1 counts only file:// URIs as "local"; a relative name is "remote" to it. The one
    # Reference of valid-detached.xml names the file beside it, so this opens no connection.
    valid-detached.xml) uris=empty,same-doc,remote ;;
    einvoice-*.xml | wrapping.xml | duplicate-ids.xml) nodes=(seller cqt) ;;
  esac
  if [[ $want == NOT_RUN ]]; then
    result="- NOT_RUN"
  else
    result="0 OK"
    for node in "${nodes[@]}"; do
      r=$(xmlsec1_verify "$file" --enabled-reference-uris "$uris" ${node:+--node-id "$node"})
      [[ $r == "0 OK" ]] || { result=$r; break; } # the first signature that fails speaks
    done
  fi
  printf '%s\t%s\t%s\n' "$file" "${result% *}" "${result#* }" >>"$out/XMLSEC1.tsv"
  if [[ ${result#* } != "$want" ]]; then
    echo "make-xml-documents: xmlsec1 says ${result#* } for $file, expected $want" >&2
    failed=1
  fi
done <"$work/xmlsec1-expected.tsv"
((failed == 0)) || exit 1

# URI="" drops comments, so xmlsec1 must still accept valid-with-comments.xml with its comment
# changed: the fixture's claim that the comment is not signed.
edit valid-with-comments.xml .work/comment-changed.xml 's/Ghi chú: bản dự thảo/Ghi chú: ĐÃ SỬA/'
[[ $(xmlsec1_verify .work/comment-changed.xml --enabled-reference-uris empty,same-doc) == "0 OK" ]] ||
  { echo "make-xml-documents: xmlsec1 treats the comment of valid-with-comments.xml as signed" >&2; exit 1; }

rm -rf "$work"
