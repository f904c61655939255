#!/usr/bin/env bash
# make-pki.sh OUTDIR: builds kyso's demo and test PKI, an imitation of Vietnam's.
#
# Everything except the key material is fixed: names, serial numbers, validity windows, the
# revocation date and the CRL dates. Tests pin the validation time at 2026-01-01T00:00:00Z; the
# demo validates at "now"; both fall inside every "good" window below. Keys are fresh each run, so
# signed documents must be regenerated with the PKI (the CMake rule makes docs depend on it).
#
# Every CA is a real `openssl ca` database under OUTDIR/ca/NAME (index.txt, serial, crlnumber and
# a relocatable openssl.cnf), so `openssl ocsp -index` and `openssl ca -gencrl` work on it by hand.
# README.md in this folder lists every identity and what it is for.
#
# OUTDIR is wiped and regenerated. Only the OpenSSL CLI is used; $OPENSSL overrides the binary.
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi

OPENSSL=${OPENSSL:-openssl}
rm -rf -- "$1"
mkdir -p -- "$1"
out=$(cd -- "$1" && pwd)
mkdir -p "$out"/{anchors,intermediates,untrusted,certs,keys,ca,crl,chains,csr}

readonly ROOT_START=20250101000000Z ROOT_END=20450101000000Z
readonly CA_START=20250101000000Z CA_END=20400101000000Z
readonly EE_START=20250601000000Z EE_END=20300601000000Z
# Revocation and CRL times are fixed too, so a test pinned at 2026-01-01 sees signer-revoked as
# already revoked and every CRL as current; `openssl ca -revoke` would stamp the wall clock.
readonly REVOKED_AT=250901000000Z # index.txt keeps UTCTime: 2025-09-01T00:00:00Z
readonly CRL_LAST=20251201000000Z CRL_NEXT=20300101000000Z

# Where each CA publishes. Signers carry their issuer's OCSP responder and CRL; intermediates carry
# their root's. The CRL server (port 18100) serves OUTDIR/crl/ as is.
declare -A OCSP_URL=(
  [ca-public]=http://127.0.0.1:18001/
  [ca-ministry]=http://127.0.0.1:18002/
  [ca-gov]=http://127.0.0.1:18003/
  [root-national]=http://127.0.0.1:18004/
  [root-gov]=http://127.0.0.1:18005/
)
crl_url() { echo "http://127.0.0.1:18100/$1.crl"; }

# ---------------------------------------------------------------------------------------------
# Keys. Generation dominates the run time, so all keys are made in parallel up front.

genkey() { # NAME rsa:BITS|ec:CURVE
  local name=$1 spec=$2
  case $spec in
    rsa:*) "$OPENSSL" genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:${spec#rsa:}" \
      -out "$out/keys/$name.key" ;;
    ec:*) "$OPENSSL" genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:${spec#ec:}" \
      -pkeyopt ec_param_enc:named_curve -out "$out/keys/$name.key" ;;
  esac
}

declare -A KEY=(
  [root-national]=rsa:3072 [root-gov]=rsa:3072 [root-untrusted]=rsa:2048
  [ca-public]=rsa:3072 [ca-ministry]=rsa:2048 [ca-gov]=ec:P-384
  [ca-untrusted]=rsa:2048 [ca-notca]=rsa:2048
  [ocsp-public]=rsa:2048 [ocsp-ministry]=rsa:2048 [ocsp-gov]=ec:P-256
  [signer-rsa2048]=rsa:2048 [signer-rsa3072]=rsa:3072 [signer-p256]=ec:P-256
  [signer-cmnd]=rsa:2048 [signer-hc]=rsa:2048 [signer-revoked]=rsa:2048
  [signer-expired]=rsa:2048 [signer-notyetvalid]=rsa:2048 [signer-nokeyusage]=rsa:2048
  [signer-under-notca]=rsa:2048 [signer-rsa1024]=rsa:1024 [signer-untrusted]=rsa:2048
)
pids=()
for name in "${!KEY[@]}"; do
  genkey "$name" "${KEY[$name]}" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done # a bare `wait` would hide a failed job

# ---------------------------------------------------------------------------------------------
# CA databases.

# A request config of our own, so the system openssl.cnf cannot add anything. utf8only keeps the
# Vietnamese names as UTF8String (countryName stays PrintableString: OpenSSL never masks it).
cat >"$out/csr/req.cnf" <<'EOF'
[ req ]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
[ dn ]
EOF

new_ca_db() { # NAME: an empty `openssl ca` database whose config resolves paths from its folder
  local name=$1 dir=$out/ca/$1
  mkdir -p "$dir/newcerts"
  : >"$dir/index.txt"
  echo 'unique_subject = no' >"$dir/index.txt.attr"
  echo 1000 >"$dir/crlnumber"
  local aia=""
  [[ -n ${OCSP_URL[$name]:-} ]] && aia="authorityInfoAccess = OCSP;URI:${OCSP_URL[$name]}"
  # Profiles are the extensions this CA writes into what it issues, so the URLs are this CA's.
  cat >"$dir/openssl.cnf" <<EOF
# \`openssl ca\` database of $name, written by make-pki.sh. Run openssl from this folder:
#   cd ca/$name && openssl ca -config openssl.cnf ...
[ ca ]
default_ca = this_ca

[ this_ca ]
dir = .
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = ../../certs/$name.pem
private_key = ../../keys/$name.key
default_md = sha256
default_crl_days = 30 # for CRLs made by hand; make-pki.sh sets fixed dates
unique_subject = no
# -preserveDN keeps the requested RDN order; the policy only has to let every attribute through.
policy = policy_anything
email_in_dn = no
copy_extensions = none
crl_extensions = crl_ext
string_mask = utf8only
utf8 = yes

[ policy_anything ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
UID = optional

[ crl_ext ]
authorityKeyIdentifier = keyid:always

[ root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ intermediate ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
$aia
crlDistributionPoints = URI:$(crl_url "$name")

# The "intermediate with CA:FALSE" bad case: everything of an intermediate but the flag.
[ notca ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
$aia
crlDistributionPoints = URI:$(crl_url "$name")

# RFC 6960 section 4.2.2.2.1: id-pkix-ocsp-nocheck tells clients not to check the responder itself.
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
$aia
crlDistributionPoints = URI:$(crl_url "$name")

# Bad case: a key that may only encipher keys, so it must not be accepted for signatures.
[ signer_nokeyusage ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment
extendedKeyUsage = emailProtection, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
$aia
crlDistributionPoints = URI:$(crl_url "$name")
EOF
}

# ca_cmd CA ARGS...: `openssl ca` on CA's database, quiet unless it fails.
ca_cmd() {
  local ca=$1 log
  shift
  if ! log=$(cd "$out/ca/$ca" && "$OPENSSL" ca -config openssl.cnf -batch "$@" 2>&1); then
    printf 'make-pki: openssl ca failed in ca/%s:\n%s\n' "$ca" "$log" >&2
    exit 1
  fi
}

# issue NAME ISSUER SERIAL PROFILE START END SUBJECT: ISSUER signs NAME's key. ISSUER == NAME
# self-signs. Serials are set one by one (hex), so they do not depend on issuance order.
issue() {
  local name=$1 issuer=$2 serial=$3 profile=$4 start=$5 end=$6 subject=$7
  local md=sha256 selfsign=()
  [[ $issuer == ca-gov ]] && md=sha384 # ECDSA P-384 pairs with SHA-384
  [[ $issuer == "$name" ]] && selfsign=(-selfsign)
  "$OPENSSL" req -new -config "$out/csr/req.cnf" -utf8 -key "$out/keys/$name.key" \
    -subj "$subject" -out "$out/csr/$name.csr"
  echo "$serial" >"$out/ca/$issuer/serial"
  ca_cmd "$issuer" -notext -utf8 -preserveDN "${selfsign[@]}" -md "$md" -extensions "$profile" \
    -startdate "$start" -enddate "$end" -in "$out/csr/$name.csr" -out "$out/certs/$name.pem"
  "$OPENSSL" x509 -in "$out/certs/$name.pem" -outform DER -out "$out/certs/$name.der"
}

for ca in root-national root-gov root-untrusted ca-public ca-ministry ca-gov ca-untrusted ca-notca; do
  new_ca_db "$ca"
done

# ---------------------------------------------------------------------------------------------
# Certificates. Serials: 0x0N00 roots, 0xRR0N intermediates, 0xIIII01 responders, 0xIIII1N signers.

issue root-national root-national 0100 root "$ROOT_START" "$ROOT_END" \
  "/C=VN/O=Bộ Khoa học và Công nghệ (Demo)/CN=Vietnam National Root CA (Demo)"
issue root-gov root-gov 0200 root "$ROOT_START" "$ROOT_END" \
  "/C=VN/O=Ban Cơ yếu Chính phủ (Demo)/CN=Vietnam Government Root CA (Demo)"
issue root-untrusted root-untrusted 0300 root "$ROOT_START" "$ROOT_END" \
  "/C=VN/O=Nobody/CN=Untrusted Root CA (Demo)"

issue ca-public root-national 1001 intermediate "$CA_START" "$CA_END" \
  "/C=VN/O=VNPT (Demo)/CN=VNPT-CA Public (Demo)"
issue ca-ministry root-national 1002 intermediate "$CA_START" "$CA_END" \
  "/C=VN/O=Bộ Tài chính (Demo)/CN=Ministry of Finance CA (Demo)"
issue ca-notca root-national 1003 notca "$CA_START" "$CA_END" \
  "/C=VN/O=Nobody/CN=Not A CA (Demo)"
issue ca-gov root-gov 2001 intermediate "$CA_START" "$CA_END" \
  "/C=VN/O=Ban Cơ yếu Chính phủ (Demo)/CN=Government Specialized CA (Demo)"
issue ca-untrusted root-untrusted 3001 intermediate "$CA_START" "$CA_END" \
  "/C=VN/O=Nobody/CN=Untrusted Issuing CA (Demo)"

issue ocsp-public ca-public 100101 ocsp "$EE_START" "$EE_END" \
  "/C=VN/O=VNPT (Demo)/CN=VNPT-CA Public OCSP Responder (Demo)"
issue ocsp-ministry ca-ministry 100201 ocsp "$EE_START" "$EE_END" \
  "/C=VN/O=Bộ Tài chính (Demo)/CN=Ministry of Finance CA OCSP Responder (Demo)"
issue ocsp-gov ca-gov 200101 ocsp "$EE_START" "$EE_END" \
  "/C=VN/O=Ban Cơ yếu Chính phủ (Demo)/CN=Government Specialized CA OCSP Responder (Demo)"

issue signer-rsa2048 ca-public 100110 signer "$EE_START" "$EE_END" \
  "/C=VN/ST=Hà Nội/L=Hà Nội/O=Công ty TNHH Thương mại Demo/CN=Công ty TNHH Thương mại Demo/UID=MST:0101234567"
issue signer-rsa3072 ca-ministry 100210 signer "$EE_START" "$EE_END" \
  "/C=VN/ST=Hà Nội/O=Bộ Tài chính (Demo)/CN=Nguyễn Văn An/UID=CCCD:001085012345"
issue signer-p256 ca-gov 200110 signer "$EE_START" "$EE_END" \
  "/C=VN/ST=Thành phố Hồ Chí Minh/CN=Trần Thị Bình/UID=CCCD:079190004567"
issue signer-cmnd ca-public 100111 signer "$EE_START" "$EE_END" \
  "/C=VN/CN=Lê Văn Cường/UID=CMND:012345678"
issue signer-hc ca-public 100112 signer "$EE_START" "$EE_END" \
  "/C=VN/CN=Phạm Minh Đức/UID=HC:C1234567"
issue signer-revoked ca-public 100113 signer "$EE_START" "$EE_END" \
  "/C=VN/CN=Revoked Signer (Demo)/UID=MST:0100000001"
issue signer-expired ca-public 100114 signer 20200101000000Z 20210101000000Z \
  "/C=VN/CN=Expired Signer (Demo)/UID=MST:0100000002"
issue signer-notyetvalid ca-public 100115 signer 20990101000000Z 21000101000000Z \
  "/C=VN/CN=Not Yet Valid Signer (Demo)/UID=MST:0100000003"
issue signer-nokeyusage ca-public 100116 signer_nokeyusage "$EE_START" "$EE_END" \
  "/C=VN/CN=Key Encipherment Only (Demo)/UID=MST:0100000004"
issue signer-rsa1024 ca-public 100117 signer "$EE_START" "$EE_END" \
  "/C=VN/CN=Weak RSA-1024 Signer (Demo)/UID=MST:0100000005"
issue signer-under-notca ca-notca 100310 signer "$EE_START" "$EE_END" \
  "/C=VN/CN=Signer Under Not A CA (Demo)/UID=MST:0100000006"
issue signer-untrusted ca-untrusted 300110 signer "$EE_START" "$EE_END" \
  "/C=VN/CN=Untrusted Signer (Demo)/UID=MST:0100000007"

# ---------------------------------------------------------------------------------------------
# Revocation, then one CRL per CA, so every certificate's CRL DP resolves. crl/NAME.crl is the DER
# a CRL DP must point to (RFC 5280 section 4.2.1.13), so serving crl/ as is matches every URL.

ca_cmd ca-public -revoke "$out/certs/signer-revoked.pem" -crl_reason keyCompromise
perl -i -pe "s/^R\t([^\t]*)\t[0-9]{12}Z,/R\t\$1\t$REVOKED_AT,/" "$out/ca/ca-public/index.txt"

for ca in root-national root-gov root-untrusted ca-public ca-ministry ca-gov ca-untrusted ca-notca; do
  md=sha256
  [[ $ca == ca-gov ]] && md=sha384
  ca_cmd "$ca" -gencrl -md "$md" -crl_lastupdate "$CRL_LAST" -crl_nextupdate "$CRL_NEXT" \
    -out "$out/crl/$ca.crl.pem"
  "$OPENSSL" crl -in "$out/crl/$ca.crl.pem" -outform DER -out "$out/crl/$ca.crl.der"
  cp "$out/crl/$ca.crl.der" "$out/crl/$ca.crl"
done

# ---------------------------------------------------------------------------------------------
# Trust material, chains and the kyso config.

cp "$out/certs/root-national.pem" "$out/certs/root-gov.pem" "$out/anchors/"
for ca in ca-public ca-ministry ca-gov ca-untrusted ca-notca; do
  cp "$out/certs/$ca.pem" "$out/intermediates/"
done
cp "$out/certs/root-untrusted.pem" "$out/untrusted/"

declare -A ISSUER=(
  [signer-rsa2048]=ca-public [signer-rsa3072]=ca-ministry [signer-p256]=ca-gov
  [signer-cmnd]=ca-public [signer-hc]=ca-public [signer-revoked]=ca-public
  [signer-expired]=ca-public [signer-notyetvalid]=ca-public [signer-nokeyusage]=ca-public
  [signer-rsa1024]=ca-public [signer-under-notca]=ca-notca [signer-untrusted]=ca-untrusted
)
for signer in "${!ISSUER[@]}"; do
  cat "$out/certs/$signer.pem" "$out/certs/${ISSUER[$signer]}.pem" >"$out/chains/$signer-chain.pem"
done

cat >"$out/trust.yaml" <<'EOF'
# kyso config for the test PKI (written by tests/pki/make-pki.sh); paths are relative to this file.
trust:
  anchors: [anchors/]
  intermediates: [intermediates/]
revocation:
  mode: "off"
policy:
  min_rsa_bits: 2048
  min_ec_bits: 256
  allowed_digests: [sha256, sha384, sha512]
EOF

rm -rf "$out/csr"
rm -f "$out"/ca/*/*.old # openssl ca's backups of the previous state; nothing reads them

# ---------------------------------------------------------------------------------------------
# Self-check: what should chain to an anchor must pass OpenSSL's strict checks at the pinned test
# time (2026-01-01T00:00:00Z), and what must not, must not. A broken profile fails the build here
# rather than as a puzzling kyso test failure.

cat "$out"/intermediates/*.pem >"$out/ca/intermediates-all.pem"
strict_verify() { # CERT: succeeds iff OpenSSL accepts CERT against anchors/ + intermediates/
  "$OPENSSL" verify -x509_strict -policy_check -attime 1767225600 \
    -CAfile <(cat "$out"/anchors/*.pem) -untrusted "$out/ca/intermediates-all.pem" \
    "$out/certs/$1.pem" >/dev/null 2>&1
}
for good in ca-public ca-ministry ca-gov ocsp-public ocsp-ministry ocsp-gov signer-rsa2048 \
  signer-rsa3072 signer-p256 signer-cmnd signer-hc signer-revoked signer-nokeyusage \
  signer-rsa1024; do
  strict_verify "$good" || { echo "make-pki: $good does not verify" >&2; exit 1; }
done
for bad in signer-expired signer-notyetvalid signer-under-notca signer-untrusted ca-untrusted; do
  if strict_verify "$bad"; then echo "make-pki: $bad verifies but must not" >&2; exit 1; fi
done
rm "$out/ca/intermediates-all.pem"
