#!/usr/bin/env bash
# One command, one machine, one run: how close kyso comes to what the machine can do, and how it
# compares with what one would otherwise use. Prints a table, then, as its LAST line, one JSON
# object with every figure (keys listed in bench/RESULTS.md).
#
#   bench/compare.sh                 # builds into build/ (KYSO_BUILD_DIR to change), data in
#                                    # build/bench-data (made once by bench/make-bench-set.sh)
#   DURATION=5 STREAM_COUNT=200000 bench/compare.sh   # shorter
#
# What runs (every step on all cores unless said otherwise):
#   1. ceiling     `openssl speed -multi CORES rsa2048`: RSA-2048 verifications per second
#   2. in process  kyso_inproc: the CMS set (4 KiB, RSA-2048/SHA-256, 4 signers) verified by one
#                  shared Verifier, revocation required and answered from the warm cache
#   3. VerifyStream  kyso serve + kyso_loadgen --mode stream, STREAM_COUNT documents, the server's
#                  RSS sampled (flat or not) and its peak; the load generator shares the cores
#   4. peers       `openssl cms -verify` one process per file; kyso_naive_cms_verify (CMS_verify
#                  with an X509_STORE and the full chain per document); `xmlsec1 --verify` one
#                  process per file on the XML set, against kyso_inproc on the same set
#   5. OCSP        a fresh kyso serve (empty caches) streams the 10,000-document set from 10
#                  signers against a live `openssl ocsp` responder: responder hits and time, then
#                  the same documents again warm
#   6. unary       Verify, closed loop with 16 clients (the maximum), then an open loop at half
#                  that rate: p99 latency
# Takes about 5 minutes on 2 cores. Not part of CI. The raw JSON of every step and the logs of the
# last run are left in BUILD/bench-results/ (stream.json has the server's RSS samples).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${KYSO_BUILD_DIR:-$root/build}
data=${KYSO_BENCH_DATA:-$build/bench-data}
cores=$(nproc)
load_before=$(cut -d" " -f1-3 /proc/loadavg)
DURATION=${DURATION:-10}
STREAM_COUNT=${STREAM_COUNT:-1000000}
PEER_FILES=${PEER_FILES:-200}
say() { echo "compare: $*" >&2; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
calc() { python3 -c "print($1)"; }

# --- build and data --------------------------------------------------------------------------
if [[ ! -f $build/build.ninja ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
say "building kyso and the benchmark programs in $build"
ninja -C "$build" kyso kyso_loadgen kyso_inproc kyso_naive_cms_verify kyso_make_bench_docs >/dev/null
kyso=$build/service/kyso
bin=$build/bench
if [[ ! -f $data/.complete ]]; then
  say "generating the benchmark sets into $data"
  bench/make-bench-set.sh "$build" "$data" >&2
  touch "$data/.complete"
fi
pki=$data/pki
run=$(mktemp -d)
results=$build/bench-results  # the last run's JSON outputs and logs, kept
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # Keep the run's raw outputs (every JSON, the logs) for a closer look.
  rm -rf "$results" && mkdir -p "$results" && cp -r "$run"/. "$results"/ 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The CA's OCSP responder. `-resp_text` prints every response it sends, so its log counts the hits.
# (OpenSSL 3.0's responder must not be port-probed: wait for its own line.)
ocsp_port=$(free_port)
openssl ocsp -index "$pki/index.txt" -CA "$pki/ca.pem" -rsigner "$pki/ocsp.pem" \
  -rkey "$pki/ocsp.key" -port "$ocsp_port" -nmin 60 -ignore_err -resp_text >"$run/ocsp.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -qi "waiting for OCSP client connections" "$run/ocsp.log" && break; sleep 0.1; done
if ! grep -qi "waiting for OCSP client connections" "$run/ocsp.log"; then
  say "the OCSP responder did not start:"; cat "$run/ocsp.log" >&2; exit 2
fi
responder_hits() { grep -c "OCSP Response Data:" "$run/ocsp.log" || true; }

cat >"$data/kyso-run.yaml" <<YAML
# Written by bench/compare.sh for one run.
trust: {anchors: [pki/root.pem], intermediates: [pki/ca.pem]}
revocation:
  mode: require
  intermediates: if_advertised
  ocsp: {overrides: {"kyso bench CA": "http://127.0.0.1:$ocsp_port/"}}
  cache: {path: $run/cache.sqlite}
YAML
config=$data/kyso-run.yaml

serve_pid=""
serve_address=""
start_serve() {
  rm -f "$run"/cache.sqlite*
  "$kyso" serve --config "$config" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 \
    >"$run/serve.log" 2>&1 &
  serve_pid=$!
  pids+=("$serve_pid")
  serve_address=""
  for _ in $(seq 100); do
    # The JSON log's "listening" event (or the older plain line).
    serve_address=$(sed -n -e 's/.*"event":"listening".*"address":"\([^"]*\)".*/\1/p' \
      -e 's/^kyso serve: listening on //p' "$run/serve.log" | head -n 1)
    [[ -n $serve_address ]] && return 0
    sleep 0.1
  done
  say "kyso serve did not start:"; cat "$run/serve.log" >&2; exit 2
}
stop_serve() { kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; }
loadgen() { "$bin/kyso_loadgen" --target "$serve_address" --json "$@"; }

# --- 1. ceiling ------------------------------------------------------------------------------
say "1/6 ceiling: openssl speed -multi $cores rsa2048"
ceiling=$(openssl speed -multi "$cores" -seconds 3 rsa2048 2>/dev/null |
  awk '/^rsa 2048 bits/ {v=$NF} END {print v}')
ceiling_1core=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {v=$NF} END {print v}')

# --- 5. OCSP, first: it needs empty caches ---------------------------------------------------
say "5/6 OCSP: 10,000 documents from 10 signers, cold then warm"
start_serve
hits0=$(responder_hits)
t0=$(date +%s.%N)
loadgen --mode stream --concurrency 4 --count 10000 --docs "$data/ocsp" >"$run/ocsp-cold.json"
t1=$(date +%s.%N)
hits1=$(responder_hits)
loadgen --mode stream --concurrency 4 --count 10000 --docs "$data/ocsp" >"$run/ocsp-warm.json"
t2=$(date +%s.%N)
hits2=$(responder_hits)
stop_serve
ocsp_cold_hits=$((hits1 - hits0))
ocsp_warm_hits=$((hits2 - hits1))
ocsp_cold_s=$(calc "round($t1 - $t0, 3)")
ocsp_warm_s=$(calc "round($t2 - $t1, 3)")
ocsp_cold_passed=$(json 'd["passed"]' <"$run/ocsp-cold.json")

# --- 2. in process ---------------------------------------------------------------------------
say "2/6 in process: kyso_inproc, $cores threads, ${DURATION}s"
"$bin/kyso_inproc" --config "$config" --threads "$cores" --duration "$DURATION" "$data/cms" >"$run/inproc.json"
inproc=$(json 'round(d["per_s"])' <"$run/inproc.json")
"$bin/kyso_inproc" --config "$config" --threads "$cores" --duration "$DURATION" "$data/xml" >"$run/inproc-xml.json"
xml_inproc=$(json 'round(d["per_s"])' <"$run/inproc-xml.json")

# --- 3. VerifyStream -------------------------------------------------------------------------
say "3/6 VerifyStream: $STREAM_COUNT documents"
start_serve
loadgen --mode stream --concurrency "$cores" --count 4000 --docs "$data/cms" >/dev/null  # warm
loadgen --mode stream --concurrency "$cores" --count "$STREAM_COUNT" --docs "$data/cms" \
  --server-pid "$serve_pid" >"$run/stream.json"
stream=$(json 'round(d["throughput_per_s"])' <"$run/stream.json")
stream_errors=$(json 'd["errors"]' <"$run/stream.json")
rss_first=$(json 'd["server_rss_kb"]["first"]' <"$run/stream.json")
rss_last=$(json 'd["server_rss_kb"]["last"]' <"$run/stream.json")
rss_peak=$(json 'd["server_rss_kb"]["peak_vmhwm"]' <"$run/stream.json")

# --- 6. unary --------------------------------------------------------------------------------
say "6/6 unary: maximum, then half of it"
loadgen --mode unary --concurrency 16 --duration 5 --docs "$data/cms" >"$run/unary-max.json"
unary_max=$(json 'round(d["throughput_per_s"])' <"$run/unary-max.json")
half=$(calc "max(1, $unary_max // 2)")
loadgen --mode unary --concurrency 16 --duration "$DURATION" --rate "$half" --docs "$data/cms" \
  >"$run/unary-half.json"
unary_p50=$(json 'd["latency_ms"]["p50"]' <"$run/unary-half.json")
unary_p99=$(json 'd["latency_ms"]["p99"]' <"$run/unary-half.json")
unary_p999=$(json 'd["latency_ms"]["p999"]' <"$run/unary-half.json")
unary_half_achieved=$(json 'round(d["throughput_per_s"])' <"$run/unary-half.json")
stop_serve

# --- 4. peers --------------------------------------------------------------------------------
say "4/6 peers: openssl cms -verify and xmlsec1 --verify per process ($PEER_FILES files), naive CMS_verify"
# (sed reads all its input: `head` would end the listing with SIGPIPE, fatal under pipefail)
printf '%s\n' "$data/cms"/*.p7s | sed -n "1,${PEER_FILES}p" >"$run/cms-files"
printf '%s\n' "$data/xml"/*.xml | sed -n "1,${PEER_FILES}p" >"$run/xml-files"
t0=$(date +%s.%N)
xargs -P "$cores" -I{} openssl cms -verify -binary -inform DER -in {} -CAfile "$pki/root.pem" \
  -out /dev/null <"$run/cms-files" 2>/dev/null
t1=$(date +%s.%N)
xargs -P "$cores" -I{} xmlsec1 --verify --trusted-pem "$pki/root.pem" --untrusted-pem "$pki/ca.pem" {} \
  <"$run/xml-files" 2>/dev/null
t2=$(date +%s.%N)
n_cms=$(wc -l <"$run/cms-files")
n_xml=$(wc -l <"$run/xml-files")
openssl_cms=$(calc "round($n_cms / ($t1 - $t0), 1)")
xmlsec1=$(calc "round($n_xml / ($t2 - $t1), 1)")
"$bin/kyso_naive_cms_verify" --anchor "$pki/root.pem" --intermediate "$pki/ca.pem" \
  --threads "$cores" --duration "$DURATION" "$data/cms" >"$run/naive.json"
naive=$(json 'round(d["per_s"])' <"$run/naive.json")

# --- table and JSON --------------------------------------------------------------------------
r() { calc "round($1, 3)"; }
inproc_ratio=$(r "$inproc / $ceiling")
stream_ratio=$(r "$stream / $ceiling")
xml_ratio=$(r "$xml_inproc / $ceiling")
row() { printf '| %-52s | %11s | %-16s | %-8s |\n' "$@"; }
times() { calc "f'{$1 / $2:.{$3}f}x'"; }
ms() { calc "round($1, 2)"; }
echo
echo "kyso bench/compare.sh — $(date -u +%Y-%m-%dT%H:%MZ), $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(openssl version | cut -d' ' -f1-2), load average at start: $load_before"
echo "documents: 4 KiB CMS, RSA-2048/SHA-256, 4 signers ($(ls "$data/cms" | wc -l) files), revocation required (OCSP, warm); XML: enveloped XMLDSig, RSA-SHA256 ($(ls "$data/xml" | wc -l) files)"
echo
row "measure" "per s" "ratio to ceiling" "kyso is"
row "----------------------------------------------------" "----------:" "----------------" "--------"
row "ceiling: openssl speed -multi $cores rsa2048 (verify)" "$ceiling" "1" ""
row "ceiling, one core: openssl speed rsa2048" "$ceiling_1core" "" ""
row "kyso in process (kyso_inproc, $cores threads)" "$inproc" "$inproc_ratio" ""
row "kyso over gRPC VerifyStream ($STREAM_COUNT documents)" "$stream" "$stream_ratio" ""
row "peer: openssl cms -verify, one process per file" "$openssl_cms" "" "$(times "$inproc" "$openssl_cms" 0)"
row "peer: naive CMS_verify + X509_STORE, in process" "$naive" "$(r "$naive / $ceiling")" "$(times "$inproc" "$naive" 1)"
row "kyso XML in process (kyso_inproc)" "$xml_inproc" "$xml_ratio" ""
row "peer: xmlsec1 --verify, one process per file" "$xmlsec1" "" "$(times "$xml_inproc" "$xmlsec1" 0)"
row "unary Verify, maximum (16 clients, closed loop)" "$unary_max" "" ""
echo
echo "OCSP, 10,000 documents from 10 signers: cold ${ocsp_cold_s} s with $ocsp_cold_hits responder hits ($ocsp_cold_passed passed); warm ${ocsp_warm_s} s with $ocsp_warm_hits hits"
echo "unary Verify at half the maximum ($half/s offered, $unary_half_achieved/s answered): p50 $(ms "$unary_p50") ms, p99 $(ms "$unary_p99") ms, p99.9 $(ms "$unary_p999") ms"
echo "server RSS while streaming $STREAM_COUNT documents: first ${rss_first} KiB, last ${rss_last} KiB, peak ${rss_peak} KiB; stream errors: $stream_errors"

python3 - <<PY
import json
print(json.dumps({
  "cores": $cores,
  "ceiling_per_s": $ceiling, "ceiling_one_core_per_s": $ceiling_1core,
  "inproc_per_s": $inproc, "stream_per_s": $stream,
  "inproc_ratio": $inproc_ratio, "stream_ratio": $stream_ratio,
  "openssl_cms_per_process_per_s": $openssl_cms, "naive_cms_verify_per_s": $naive,
  "xml_inproc_per_s": $xml_inproc, "xml_inproc_ratio": $xml_ratio,
  "xmlsec1_per_process_per_s": $xmlsec1,
  "ocsp_cold_responder_hits": $ocsp_cold_hits, "ocsp_cold_seconds": $ocsp_cold_s,
  "ocsp_warm_responder_hits": $ocsp_warm_hits, "ocsp_warm_seconds": $ocsp_warm_s,
  "unary_max_per_s": $unary_max, "unary_p99_ms_at_half_load": $(ms "$unary_p99"),
  "unary_p50_ms_at_half_load": $(ms "$unary_p50"), "unary_p999_ms_at_half_load": $(ms "$unary_p999"),
  "stream_documents": $STREAM_COUNT, "stream_errors": $stream_errors,
  "server_rss_kb_first": $rss_first, "server_rss_kb_last": $rss_last,
  "server_rss_kb_peak": $rss_peak,
}))
PY
