#!/usr/bin/env bash
# make-corpus.sh [OUTDIR]: writes the hand-made seed inputs of tests/fuzz/corpus/ (the default
# OUTDIR). The files are committed; this script is how they were made, so that a changed or new
# edge case is one edited line here and a rerun. Reproducers of bugs found by fuzzing or by the
# differential test are saved into the same folder by hand (named after the bug) and are not
# touched by this script.
#
# Each input is tiny and aims at one decision of crypto/asn1/der_reader.cc or
# crypto/cms/cms_parser.cc; tests/fuzz/README.md lists what each one is for. Only
# printf and perl are used.
set -euo pipefail

out=${1:-$(dirname -- "$0")/corpus}
mkdir -p -- "$out"
cd -- "$out"

# --- DER headers ------------------------------------------------------------------------------
: >empty
printf '\x30' >one-byte-sequence-tag
printf '\x30\x00' >empty-sequence
printf '\x30\x80\x00\x00' >indefinite-length
printf '\x30\x81\x05\x05\x00\x05\x00\x00' >long-form-for-short-length
printf '\x30\x82\x00\x02\x05\x00' >long-form-leading-zero
printf '\x30\x85\x01\x00\x00\x00\x00' >length-over-4gib
printf '\x30\x84\x7f\xff\xff\xff\x00' >length-past-end
printf '\x30\x83\x01\x00' >truncated-length
printf '\x1f\x81\x00\x00' >high-tag-number
printf '\x24\x80\x04\x02\xab\xcd\x00\x00' >constructed-octet-string-indefinite
printf '\x24\x04\x04\x02\xab\xcd' >constructed-octet-string
printf '\x02\x00' >integer-empty
printf '\x02\x02\x00\x7f' >integer-nonminimal
printf '\x02\x09\x00\xff\xff\xff\xff\xff\xff\xff\xff' >integer-over-int64
printf '\x02\x08\x80\x00\x00\x00\x00\x00\x00\x00' >integer-int64-min
printf '\x06\x00' >oid-empty
printf '\x06\x0b\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f' >oid-arc-over-64-bits
printf '\x30\x02\x06\x00' >algorithm-identifier-empty-oid
printf '\x03\x05\x00\x30\x03\x02\x01\x01' >bit-string-encapsulating-der
# 128 bytes of contents: the shortest length that needs the long form.
perl -e 'print "\x30\x81\x80", "\x05\x00" x 64' >long-form-minimal
# 300 levels of definite-length SEQUENCEs (30 82 LL LL ...) around a NULL.
perl -e '
  my $v = "\x05\x00";
  for (1 .. 300) { my $n = length $v; $v = "\x30" . ($n < 0x80 ? chr($n) : $n < 0x100 ? "\x81" . chr($n) : "\x82" . pack("n", $n)) . $v }
  print $v' >deep-nesting-definite
# 200 levels of indefinite-length SEQUENCEs: BER, and OpenSSL limits constructed nesting to 30.
perl -e 'print "\x30\x80" x 200, "\x00\x00" x 200' >deep-nesting-indefinite

# --- CMS skeletons ----------------------------------------------------------------------------
# Written by perl with a tlv() helper, so that every length is computed, never typed.
cms() { # OUT PERL_EXPRESSION: prints the expression's value into OUT
  perl -e '
    sub tlv { my ($t, $v) = @_; my $n = length $v;
      $t . ($n < 0x80 ? chr($n) : $n < 0x100 ? "\x81" . chr($n) : "\x82" . pack("n", $n)) . $v }
    sub oid { tlv("\x06", pack("H*", $_[0])) }
    our $DATA = oid("2a864886f70d010701");            # id-data
    our $SIGNED_DATA = oid("2a864886f70d010702");     # id-signedData
    our $CONTENT_TYPE = oid("2a864886f70d010903");    # content-type attribute
    our $MESSAGE_DIGEST = oid("2a864886f70d010904");  # message-digest attribute
    our $SHA256 = tlv("\x30", oid("608648016503040201") . "\x05\x00");
    our $RSA = tlv("\x30", oid("2a864886f70d010101") . "\x05\x00");
    sub content_info { tlv("\x30", $_[0] . tlv("\xa0", $_[1])) }
    # SignedData v1: no digest algorithms, id-data without eContent, no certificates, no signers.
    our $NO_SIGNERS = tlv("\x30", "\x02\x01\x01" . tlv("\x31", "") . tlv("\x30", $DATA) . tlv("\x31", ""));
    print eval($ARGV[0]) // die $@;
  ' "$2" >"$1"
}
# A ContentInfo naming SignedData, with nothing inside; one naming id-data instead.
cms signed-data-empty 'content_info($SIGNED_DATA, tlv("\x30", ""))'
cms content-info-data 'content_info($DATA, tlv("\x30", ""))'
cms signed-data-no-signers 'content_info($SIGNED_DATA, $NO_SIGNERS)'
cms signed-data-trailing-byte 'content_info($SIGNED_DATA, $NO_SIGNERS) . "\0"'
# The same SignedData with indefinite lengths everywhere: BER, normalised through OpenSSL.
cms signed-data-no-signers-ber '"\x30\x80" . $SIGNED_DATA . "\xa0\x80\x30\x80\x02\x01\x01\x31\x00\x30\x80" . $DATA . "\x00\x00\x31\x00" . "\x00" x 6'
# One SignerInfo (v3, subjectKeyIdentifier 01020304, SHA-256, rsaEncryption, empty signature)
# with signed attributes content-type = id-data and message-digest = 32 zero bytes; attached
# content "hi"; a certificate set holding an empty SEQUENCE and an [1] (extended certificate).
cms signed-data-skeleton '
  my $attrs = tlv("\x30", $CONTENT_TYPE . tlv("\x31", $DATA))
            . tlv("\x30", $MESSAGE_DIGEST . tlv("\x31", tlv("\x04", "\0" x 32)));
  my $si = tlv("\x30", "\x02\x01\x03" . tlv("\x80", "\x01\x02\x03\x04") . $SHA256
         . tlv("\xa0", $attrs) . $RSA . tlv("\x04", ""));
  content_info($SIGNED_DATA, tlv("\x30", "\x02\x01\x03" . tlv("\x31", $SHA256)
      . tlv("\x30", $DATA . tlv("\xa0", tlv("\x04", "hi")))
      . tlv("\xa0", "\x30\x00" . tlv("\xa1", "")) . tlv("\x31", $si)))'
