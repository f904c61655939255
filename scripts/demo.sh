#!/usr/bin/env bash
# The README's first command: install what is needed, build kyso, generate the demo PKI (a Vietnam-
# like hierarchy: national root, Government root, ministry and public CAs) and a sample set of
# signed dossiers, and verify them all, printing the results table.
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

echo "== kyso verify: $(ls "$demo"/docs/*.p7s "$demo"/docs/*.p7m "$demo"/xml/*.xml | wc -l) sample documents (CMS in demo/docs, XML in demo/xml), demo PKI in demo/pki"
echo "== (validation time: now; revocation checking is not available yet, so it is off)"
echo
set +e
(cd "$demo" && "$build/service/kyso" verify --config pki/trust.yaml --table \
  --lang "${KYSO_LANG:-en}" --content docs/dossier.txt --content xml/detached-content.txt \
  docs/*.p7s docs/*.p7m xml/*.xml)
status=$?
set -e
echo
echo "kyso exit status: $status (0 = all passed, 1 = some did not pass, as expected for this mixed set)"
echo "Details of one document:  $build/service/kyso verify --config demo/pki/trust.yaml demo/docs/tampered-content.p7s"
echo "JSON Lines:               $build/service/kyso verify --config demo/pki/trust.yaml --json demo/docs/valid-p256.p7s"
echo "An e-invoice:             $build/service/kyso verify --config demo/pki/trust.yaml demo/xml/einvoice-valid.xml"
[ "$status" -le 1 ]
