#!/usr/bin/env bash
# make-documents.sh PKIDIR OUTDIR: signs kyso's fixture documents with the PKI from make-pki.sh.
#
# Every document is listed in OUTDIR/MANIFEST.tsv (file, description, expected kyso outcome at
# 2026-01-01T00:00:00Z with PKIDIR/trust.yaml), tab-separated, one line per document; README.md
# explains each. The signed content is fixed, but signatures are not: keys are fresh with every
# PKI, and `openssl cms -sign` stamps signingTime with the wall clock (it has no option to set it).
#
# OUTDIR is wiped and regenerated. Only the OpenSSL CLI and perl are used; $OPENSSL overrides the
# binary.
set -euo pipefail

if (($# != 2)); then
  echo "usage: $0 PKIDIR OUTDIR" >&2
  exit 2
fi

OPENSSL=${OPENSSL:-openssl}
pki=$(cd -- "$1" && pwd)
rm -rf -- "$2"
mkdir -p -- "$2"
out=$(cd -- "$2" && pwd)
work=$out/.work
mkdir -p "$work"
: >"$out/MANIFEST.tsv"

# ---------------------------------------------------------------------------------------------
# Content: two different texts of exactly 4096 bytes. dossier.txt holds the marker MARKER-0001
# exactly once, so tampered-content.p7s can find the attached content inside the DER.

make_text() { # OUT FIRST_LINE LINE_TEMPLATE: whole lines up to 4096 bytes, padded with '.'
  # perl sees the UTF-8 arguments as bytes, so length() counts bytes, as it must here.
  perl -e '
    use strict; use warnings;
    my ($first, $template) = @ARGV;
    my $text = "$first\n";
    for (my $i = 1;; $i++) {
      my $line = sprintf($template, $i, $i % 97 + 1) . "\n";
      last if length($text) + length($line) > 4095;
      $text .= $line;
    }
    $text .= "." x (4095 - length($text)) . "\n";
    print $text;
  ' "$2" "$3" >"$1"
  [[ $(wc -c <"$1") -eq 4096 ]] || { echo "make-documents: $1 is not 4096 bytes" >&2; exit 1; }
}
make_text "$out/dossier.txt" \
  "UBND THÀNH PHỐ HÀ NỘI — Hồ sơ điện tử MARKER-0001 — Cộng hòa Xã hội Chủ nghĩa Việt Nam" \
  "Hồ sơ thủ tục hành chính số %06d/2026/HS-UBND: đề nghị cấp giấy phép, trang %d."
make_text "$out/other.txt" \
  "BỘ TÀI CHÍNH — Văn bản khác (không phải nội dung đã ký)" \
  "Công văn số %06d/BTC-TCT về việc hướng dẫn hóa đơn điện tử, phụ lục %d."
[[ $(grep -c MARKER-0001 "$out/dossier.txt") -eq 1 ]] ||
  { echo "make-documents: MARKER-0001 must occur once in dossier.txt" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Signing.

manifest() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$out/MANIFEST.tsv"; }

issuers_of() { # SIGNER: the CA certificates of chains/SIGNER-chain.pem (all but the leaf)
  local f=$work/$1-issuers.pem
  awk '/-----BEGIN CERTIFICATE-----/ { n++ } n > 1' "$pki/chains/$1-chain.pem" >"$f"
  echo "$f"
}

# cms_sign OUT SIGNER [cms options...]: a signature over dossier.txt by SIGNER.
cms_sign() {
  local file=$1 signer=$2
  shift 2
  "$OPENSSL" cms -sign -binary -nosmimecap -in "$out/dossier.txt" \
    -signer "$pki/certs/$signer.pem" -inkey "$pki/keys/$signer.key" "$@" -out "$out/$file"
}

# sign OUT SIGNER [cms options...]: the usual case, attached and DER with the intermediate
# embedded. The chain file itself cannot be the -certfile: OpenSSL 3.0's CMS_add0_cert fails on the
# duplicate signer certificate instead of skipping it.
sign() {
  cms_sign "$1" "$2" -nodetach -outform DER -certfile "$(issuers_of "$2")" "${@:3}"
}

sign valid-rsa2048.p7s signer-rsa2048
manifest valid-rsa2048.p7s "attached, RSA-2048 business signer (MST) under ca-public, intermediate embedded" TOTAL_PASSED
sign valid-rsa3072.p7s signer-rsa3072
manifest valid-rsa3072.p7s "attached, RSA-3072 official (CCCD) under ca-ministry" TOTAL_PASSED
sign valid-p256.p7s signer-p256
manifest valid-p256.p7s "attached, ECDSA P-256 citizen (CCCD) under ca-gov (P-384)" TOTAL_PASSED
sign valid-cmnd.p7s signer-cmnd
manifest valid-cmnd.p7s "attached, signer identified by a CMND number" TOTAL_PASSED
sign valid-hc.p7s signer-hc
manifest valid-hc.p7s "attached, signer identified by a passport (HC) number" TOTAL_PASSED
cms_sign valid-rsa2048.pem.p7s signer-rsa2048 -nodetach -outform PEM \
  -certfile "$(issuers_of signer-rsa2048)"
manifest valid-rsa2048.pem.p7s "valid-rsa2048 in PEM (-----BEGIN CMS-----)" TOTAL_PASSED
cms_sign valid-detached.p7s signer-rsa2048 -outform DER -certfile "$(issuers_of signer-rsa2048)"
manifest valid-detached.p7s "detached signature over dossier.txt by signer-rsa2048" TOTAL_PASSED
sign valid-pss.p7s signer-rsa2048 -keyopt rsa_padding_mode:pss
manifest valid-pss.p7s "RSASSA-PSS signature by signer-rsa2048" TOTAL_PASSED
sign valid-sha384.p7s signer-rsa2048 -md sha384
manifest valid-sha384.p7s "SHA-384 digest, signer-rsa2048" TOTAL_PASSED
sign valid-sha512.p7s signer-rsa2048 -md sha512
manifest valid-sha512.p7s "SHA-512 digest, signer-rsa2048" TOTAL_PASSED
sign valid-cades.p7s signer-rsa2048 -cades
manifest valid-cades.p7s "CAdES-BES: ESS signingCertificateV2 signed attribute (-cades), signer-rsa2048" TOTAL_PASSED
cms_sign valid-no-certs.p7s signer-rsa2048 -nodetach -outform DER -nocerts
manifest valid-no-certs.p7s "no certificates embedded; passes only when certs/signer-rsa2048.pem is supplied" \
  INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND
cms_sign valid-leaf-only.p7s signer-rsa2048 -nodetach -outform DER
manifest valid-leaf-only.p7s "only the signer certificate embedded; ca-public comes from the intermediates pool" TOTAL_PASSED

sign_two() { # OUT SIGNER1 SIGNER2: one SignedData, two SignerInfos, both chains embedded
  cat "$(issuers_of "$2")" "$(issuers_of "$3")" >"$work/two-issuers.pem"
  "$OPENSSL" cms -sign -binary -nosmimecap -nodetach -outform DER -in "$out/dossier.txt" \
    -signer "$pki/certs/$2.pem" -inkey "$pki/keys/$2.key" \
    -signer "$pki/certs/$3.pem" -inkey "$pki/keys/$3.key" \
    -certfile "$work/two-issuers.pem" -out "$out/$1"
}
sign_two two-signers-ok.p7s signer-rsa2048 signer-p256
manifest two-signers-ok.p7s "two signers (signer-rsa2048, signer-p256), both valid" TOTAL_PASSED
sign_two two-signers-one-untrusted.p7s signer-rsa2048 signer-untrusted
manifest two-signers-one-untrusted.p7s "signer-rsa2048 plus signer-untrusted (chains to no anchor)" \
  INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND

# ---------------------------------------------------------------------------------------------
# Tampering. Both edits check their own precondition, so a change in OpenSSL's output cannot
# silently turn them into no-ops.

perl -0777 -e '
  local $/; open(my $in, "<:raw", $ARGV[0]) or die; my $der = <$in>;
  my $n = () = $der =~ /MARKER-0001/g;
  die "make-documents: MARKER-0001 found $n times in $ARGV[0]\n" unless $n == 1;
  $der =~ s/MARKER-0001/MARKER-0002/;
  open(my $o, ">:raw", $ARGV[1]) or die; print $o $der;
' "$out/valid-rsa2048.p7s" "$out/tampered-content.p7s"
manifest tampered-content.p7s "valid-rsa2048 with one byte of the attached content changed" TOTAL_FAILED/HASH_FAILURE

# The SignerInfo's signature value is the last element of the DER when there are no unsigned
# attributes: asn1parse's last item must be an OCTET STRING ending exactly at end of file.
size=$(wc -c <"$out/valid-rsa2048.p7s")
"$OPENSSL" asn1parse -inform DER -in "$out/valid-rsa2048.p7s" | tail -n 1 | SIZE=$size perl -e '
  <STDIN> =~ /^\s*(\d+):d=\d+\s+hl=(\d+)\s+l=\s*(\d+)\s+prim:\s+OCTET STRING/ && $1 + $2 + $3 == $ENV{SIZE}
    or die "make-documents: the signature value is not the last element\n";
'
perl -e '
  local $/; open(my $in, "<:raw", $ARGV[0]) or die; my $der = <$in>;
  substr($der, -1, 1) = chr(ord(substr($der, -1, 1)) ^ 0x01);
  open(my $o, ">:raw", $ARGV[1]) or die; print $o $der;
' "$out/valid-rsa2048.p7s" "$out/tampered-signature.p7s"
manifest tampered-signature.p7s "valid-rsa2048 with the last byte of the signature value flipped" TOTAL_FAILED/SIG_CRYPTO_FAILURE

# ---------------------------------------------------------------------------------------------
# Policy, time and chain failures.

sign sha1.p7s signer-rsa2048 -md sha1
manifest sha1.p7s "SHA-1 digest (not in allowed_digests)" INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE
sign rsa1024.p7s signer-rsa1024
manifest rsa1024.p7s "RSA-1024 signer key (below min_rsa_bits)" INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE
sign revoked.p7s signer-revoked
manifest revoked.p7s "signer revoked (keyCompromise, 2025-09-01); revocation mode off" TOTAL_PASSED
sign expired.p7s signer-expired
manifest expired.p7s "signer valid 2020-01-01..2021-01-01" INDETERMINATE/OUT_OF_BOUNDS_NO_POE
sign notyetvalid.p7s signer-notyetvalid
manifest notyetvalid.p7s "signer valid 2099-01-01..2100-01-01" INDETERMINATE/OUT_OF_BOUNDS_NO_POE
sign nokeyusage.p7s signer-nokeyusage
manifest nokeyusage.p7s "signer keyUsage is keyEncipherment only" INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE
sign under-notca.p7s signer-under-notca
manifest under-notca.p7s "issued by ca-notca (basicConstraints CA:FALSE), ca-notca embedded" INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE
cat "$pki/certs/ca-untrusted.pem" "$pki/certs/root-untrusted.pem" >"$work/untrusted-chain.pem"
cms_sign untrusted.p7s signer-untrusted -nodetach -outform DER -certfile "$work/untrusted-chain.pem"
manifest untrusted.p7s "chains to root-untrusted (embedded, not an anchor)" INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND

# ---------------------------------------------------------------------------------------------
# Not a signature at all.

"$OPENSSL" cms -encrypt -binary -aes256 -outform DER -in "$out/dossier.txt" \
  -out "$out/enveloped.p7m" "$pki/certs/signer-rsa2048.pem"
manifest enveloped.p7m "EnvelopedData encrypted to signer-rsa2048, not SignedData" TOTAL_FAILED/FORMAT_FAILURE
: >"$out/empty.p7s"
manifest empty.p7s "0 bytes" TOTAL_FAILED/FORMAT_FAILURE
head -c 4096 /dev/zero | "$OPENSSL" enc -aes-128-ctr -K 6b79736f2d72616e646f6d2d74657374 \
  -iv 00000000000000000000000000000000 >"$out/random.p7s"
manifest random.p7s "4096 pseudo-random bytes (AES-128-CTR keystream, fixed key)" TOTAL_FAILED/FORMAT_FAILURE
head -c $((size / 2)) "$out/valid-rsa2048.p7s" >"$out/truncated.p7s"
manifest truncated.p7s "the first half of valid-rsa2048" TOTAL_FAILED/FORMAT_FAILURE
{ cat "$out/valid-rsa2048.p7s"; printf 'TRAILINGGARBAGE!'; } >"$out/trailing-garbage.p7s"
manifest trailing-garbage.p7s "valid-rsa2048 followed by 16 bytes of garbage" TOTAL_FAILED/FORMAT_FAILURE

# ---------------------------------------------------------------------------------------------
# Self-check: what kyso should pass, OpenSSL must verify at the pinned test time. `cms -verify`
# builds chains only from embedded certificates (its -certfile merely finds signers), so the
# intermediates pool joins the anchors in -CAfile; every chain must still end at an anchor.

cat "$pki"/anchors/*.pem "$pki"/intermediates/*.pem >"$work/trusted.pem"
while IFS=$'\t' read -r file _ expected; do
  [[ $expected == TOTAL_PASSED ]] || continue
  args=(-inform DER)
  [[ $file == *.pem.p7s ]] && args=(-inform PEM)
  [[ $file == valid-detached.p7s ]] && args+=(-content "$out/dossier.txt")
  "$OPENSSL" cms -verify -binary -in "$out/$file" "${args[@]}" -attime 1767225600 \
    -CAfile "$work/trusted.pem" -out /dev/null 2>/dev/null ||
    { echo "make-documents: $file does not verify" >&2; exit 1; }
done <"$out/MANIFEST.tsv"

rm -rf "$work"
