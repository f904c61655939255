#!/usr/bin/env bash
# The README's first command: install what is needed, build kyso, generate the demo PKI (a Vietnam-
# like hierarchy: national root, Government root, ministry and public CAs) and a sample set of
# signed dossiers, start the CAs' OCSP responders and CRL server on loopback (the addresses the
# certificates advertise) and the kyso gRPC service, and push every sample through VerifyStream
# with revocation required, printing the table and the throughput.
#
#   ./scripts/demo.sh            # text, English
#   KYSO_LANG=vi ./scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/install-deps.sh

build=${KYSO_BUILD_DIR:-$root/build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" kyso kyso_test_pki kyso_test_xml >/dev/null

# The generated PKI and documents of the build are the demo's sample set; copy them beside the
# repository so that a user can look at them and run kyso by hand.
demo=$root/demo
rm -rf "$demo"
mkdir -p "$demo"
cp -r "$build/testdata/pki" "$demo/pki"
cp -r "$build/testdata/docs" "$demo/docs"
cp -r "$build/testdata/xml" "$demo/xml"

# The CAs' revocation services, at the addresses baked into the demo certificates: an `openssl
# ocsp` responder per CA (tests/pki/README.md) and the CRLs over HTTP. Stopped when this script
# exits, however it exits.
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
start_responder() {  # CA RESPONDER PORT
  local log="$demo/ocsp-$1.log"
  openssl ocsp -index "$demo/pki/ca/$1/index.txt" -CA "$demo/pki/certs/$1.pem" \
    -rsigner "$demo/pki/certs/$2.pem" -rkey "$demo/pki/keys/$2.key" -port "$3" -nmin 60 \
    -ignore_err >"$log" 2>&1 &
  pids+=($!)
  # OpenSSL 3.0's responder must not be port-probed (it spins on a connection closed without a
  # request): wait for its own line instead.
  for _ in $(seq 100); do
    grep -qi "waiting for OCSP client connections" "$log" && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "demo: the OCSP responder for $1 did not start on port $3 (is the port taken?):" >&2
  cat "$log" >&2
  exit 2
}
start_responder ca-public ocsp-public 18001
start_responder ca-ministry ocsp-ministry 18002
start_responder ca-gov ocsp-gov 18003
start_responder root-national root-national 18004
start_responder root-gov root-gov 18005
python3 -m http.server 18100 --bind 127.0.0.1 --directory "$demo/pki/crl" >"$demo/crl-server.log" 2>&1 &
pids+=($!)

# The service, with revocation required, on a free loopback port; its log says where it listens.
printf '%s\n' "trust: {anchors: [pki/anchors/], intermediates: [pki/intermediates/]}" \
  "revocation: {mode: require, cache: {path: kyso-cache.sqlite}}" >"$demo/kyso.yaml"
"$build/service/kyso" serve --config "$demo/kyso.yaml" --listen 127.0.0.1:0 \
  --metrics-listen 127.0.0.1:0 >"$demo/kyso-serve.log" 2>&1 &
pids+=($!)
address=""
for _ in $(seq 100); do
  # The operational log is JSON lines; the "listening" event carries the address.
  address=$(sed -n 's/.*"event":"listening".*"address":"\([^"]*\)".*/\1/p' "$demo/kyso-serve.log")
  [ -n "$address" ] && break
  sleep 0.1
done
if [ -z "$address" ]; then
  echo "demo: kyso serve did not start:" >&2
  cat "$demo/kyso-serve.log" >&2
  exit 2
fi

echo "== kyso serve on $address: $(ls "$demo"/docs/*.p7s "$demo"/docs/*.p7m "$demo"/xml/*.xml | wc -l) sample documents (CMS in demo/docs, XML in demo/xml) through VerifyStream"
echo "== validation time: now; revocation required, from the demo CAs' OCSP responders on 127.0.0.1:18001-18005"
echo
set +e
(cd "$demo" && "$build/service/kyso" verify --server "$address" --table \
  --lang "${KYSO_LANG:-en}" --content docs/dossier.txt --content xml/detached-content.txt \
  docs/*.p7s docs/*.p7m xml/*.xml)
status=$?
set -e
echo
echo "kyso exit status: $status (0 = all passed, 1 = some did not pass, as expected for this mixed set)"
echo "revoked.p7s and xml/revoked.xml fail with REVOKED_NO_POE: their signer's certificate was revoked (keyCompromise)."
echo "Audit log (a JSON line per document) and the metrics address: demo/kyso-serve.log"
echo "Details of one document:  $build/service/kyso verify --config demo/pki/trust.yaml demo/docs/tampered-content.p7s"
echo "JSON Lines:               $build/service/kyso verify --config demo/pki/trust.yaml --json demo/docs/valid-p256.p7s"
echo "An e-invoice:             $build/service/kyso verify --config demo/pki/trust.yaml demo/xml/einvoice-valid.xml"
[ "$status" -le 1 ]
