#!/usr/bin/env bash
# Generates the benchmark sets for bench/compare.sh into OUTDIR (default build/bench-data):
#
#   pki/      a root, one issuing CA ("kyso bench CA", no AIA: only signers are checked for
#             revocation), an OCSP responder certificate, 10 RSA-2048 signers s01..s10, the CA's
#             `openssl ocsp` index (every signer good)
#   cms/      CMS_COUNT (2,000) attached CMS documents of 4 KiB, RSA-2048/SHA-256, from the first
#             4 signers ("a few signers"), each carrying its signer and the CA
#   ocsp/     OCSP_COUNT (10,000) such documents from all 10 signers, 1,000 each, for the
#             cold/warm OCSP run
#   xml/      XML_COUNT (200) enveloped XMLDSig documents (RSA-SHA256, exclusive C14N, X509Data with
#             signer and CA) of about 4 KiB, signed by `xmlsec1 --sign`
#   kyso.yaml trust (root anchor, CA intermediate), revocation required; compare.sh adds the
#             responder's address as an override at run time
#
#   bench/make-bench-set.sh BUILD_DIR [OUTDIR]
#
# BUILD_DIR holds bench/kyso_make_bench_docs (the in-memory signer). Certificates are valid from
# now for two years, so kyso validates at the current time. Re-running replaces OUTDIR.
set -euo pipefail
build=${1:?usage: make-bench-set.sh BUILD_DIR [OUTDIR]}
out=${2:-$build/bench-data}
CMS_COUNT=${CMS_COUNT:-2000}
OCSP_COUNT=${OCSP_COUNT:-10000}
XML_COUNT=${XML_COUNT:-200}
signer_tool=$build/bench/kyso_make_bench_docs
[[ -x $signer_tool ]] || { echo "make-bench-set: $signer_tool is not built" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out/pki" "$out/cms" "$out/ocsp" "$out/xml"
pki=$out/pki
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/ext.cnf" <<'CNF'
[ root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ocsp ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ signer ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/$1.key" 2>/dev/null; }
# issue NAME ISSUER SERIAL PROFILE SUBJECT
issue() {
  key "$1"
  openssl req -new -key "$pki/$1.key" -subj "$5" -utf8 -out "$work/$1.csr"
  openssl x509 -req -in "$work/$1.csr" -CA "$pki/$2.pem" -CAkey "$pki/$2.key" -set_serial "0x$3" \
    -days 730 -sha256 -extfile "$work/ext.cnf" -extensions "$4" -out "$pki/$1.pem" 2>/dev/null
}

key root
printf '[ req ]\ndistinguished_name = dn\nx509_extensions = root\n[ dn ]\n' >"$work/req.cnf"
cat "$work/ext.cnf" >>"$work/req.cnf"
openssl req -x509 -new -key "$pki/root.key" -subj "/C=VN/O=kyso bench/CN=kyso bench root" \
  -days 3650 -sha256 -config "$work/req.cnf" -out "$pki/root.pem"
issue ca root 1000 ca "/C=VN/O=kyso bench/CN=kyso bench CA"
issue ocsp ca 2000 ocsp "/C=VN/O=kyso bench/CN=kyso bench OCSP responder"
: >"$pki/index.txt"
for i in $(seq -w 1 10); do
  issue "s$i" ca "30$i" signer "/C=VN/O=kyso bench/CN=Bench signer $i/UID=MST:01012345$i"
  end=$(openssl x509 -in "$pki/s$i.pem" -noout -enddate | cut -d= -f2)
  printf 'V\t%s\t\t30%s\tunknown\t/C=VN/O=kyso bench/CN=Bench signer %s\n' \
    "$(date -u -d "$end" +%y%m%d%H%M%SZ)" "$i" "$i" >>"$pki/index.txt"
done
echo 'unique_subject = no' >"$pki/index.txt.attr"

cat >"$out/kyso.yaml" <<'YAML'
# Written by bench/make-bench-set.sh. compare.sh writes kyso-run.yaml from this with the OCSP
# responder's address as an override for the bench CA.
trust: {anchors: [pki/root.pem], intermediates: [pki/ca.pem]}
revocation: {mode: require, intermediates: if_advertised}
YAML

# CMS: in-process signing, several signers in parallel.
pids=()
for i in 01 02 03 04; do
  "$signer_tool" --cert "$pki/s$i.pem" --key "$pki/s$i.key" --extra "$pki/ca.pem" \
    --count $((CMS_COUNT / 4)) --size 4096 --out "$out/cms" --prefix "s$i-" &
  pids+=($!)
done
for i in $(seq -w 1 10); do
  "$signer_tool" --cert "$pki/s$i.pem" --key "$pki/s$i.key" --extra "$pki/ca.pem" \
    --count $((OCSP_COUNT / 10)) --size 4096 --out "$out/ocsp" --prefix "ocsp-s$i-" &
  pids+=($!)
  if ((${#pids[@]} >= $(nproc) * 2)); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done

# XML: an enveloped signature over a ~4 KiB administrative text, signed by xmlsec1.
DSIG=http://www.w3.org/2000/09/xmldsig#
body=$(for _ in $(seq 40); do printf 'Quyết định phê duyệt hồ sơ thủ tục hành chính. '; done)
for n in $(seq -f '%04g' 1 "$XML_COUNT"); do
  cat >"$work/t.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<VanBan xmlns="urn:kyso:bench" Id="vb-$n"><SoHieu>$n/QĐ-BENCH</SoHieu><NoiDung>$body</NoiDung><ds:Signature xmlns:ds="$DSIG" Id="sig"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="${DSIG}enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue></ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue></ds:SignatureValue><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature></VanBan>
XML
  xmlsec1 --sign --privkey-pem "$pki/s01.key,$pki/s01.pem,$pki/ca.pem" --output "$out/xml/doc-$n.xml" \
    "$work/t.xml" 2>"$work/xmlsec.log" || { cat "$work/xmlsec.log" >&2; exit 1; }
done

echo "make-bench-set: $(ls "$out/cms" | wc -l) CMS, $(ls "$out/ocsp" | wc -l) OCSP-set CMS, $(ls "$out/xml" | wc -l) XML documents in $out"
