#!/usr/bin/env python3
"""Builds the archive `kyso batch` is tested and measured on, from the generated fixtures.

  make_archive.py --docs build/testdata/docs --xml build/testdata/xml --out DIR --count 20000

writes
  DIR/folder/NN/NNNNN-<fixture>   COUNT signed documents: copies of the CMS fixtures
                                  (docs/MANIFEST.tsv) and XML fixtures (xml/MANIFEST.tsv) in turn,
                                  plus detached pairs (NNNNN-dossier.txt + NNNNN-dossier.txt.p7s),
                                  and a few files that are not signatures and links that cannot
                                  be read;
  DIR/archive.zip                 the same tree (without the links, which a zip cannot hold
                                  dangling), member names relative to DIR/folder;
  DIR/EXPECTED.tsv                per file: relative path, kind (document | skipped | error) and,
                                  for documents, the expected INDICATION[/SUB_INDICATION].

The expected result of each copy is its fixture's line in the manifests, except for the revoked
signers, whose result is given by --revoked (the manifests assume revocation off). Every copy's
bytes stay those of its fixture, so names differ and contents repeat: that is what makes caches
matter, as in a real archive where a few CAs' certificates sign everything.
"""
import argparse
import os
import zipfile

# Fixtures left out of the cycle: their expected result needs content the naming rule cannot
# find (XML references name `detached-content.txt`); valid-detached.p7s is used as a pair below.
EXCLUDED = {"valid-detached.xml", "valid-detached.p7s"}
REVOKED = {"revoked.p7s", "revoked.xml"}
# Large hostile XML (10 MB of text, deep nesting): one copy each, not one in every cycle, so the
# archive stays about 100 MB.
ONCE = {"big-text.xml", "deep-nesting.xml"}


def read_manifest(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[0] or parts[0] in EXCLUDED:
                continue
            rows.append((parts[0], parts[-1]))
    return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--docs", required=True)
    p.add_argument("--xml", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--revoked", default="INDETERMINATE/REVOKED_NO_POE")
    p.add_argument("--no-zip", action="store_true")
    a = p.parse_args()

    fixtures = [(os.path.join(a.docs, n), n, v) for n, v in read_manifest(os.path.join(a.docs, "MANIFEST.tsv"))]
    fixtures += [(os.path.join(a.xml, n), n, v) for n, v in read_manifest(os.path.join(a.xml, "MANIFEST.tsv"))]
    once = [f for f in fixtures if f[1] in ONCE]
    fixtures = [f for f in fixtures if f[1] not in ONCE]
    cache = {}

    def data(src):
        if src not in cache:
            with open(src, "rb") as f:
                cache[src] = f.read()
        return cache[src]

    folder = os.path.join(a.out, "folder")
    os.makedirs(folder, exist_ok=True)
    expected = []  # (relative path, kind, verdict)
    files = []     # (relative path, bytes) for the zip

    def put(rel, content, kind, verdict=""):
        full = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(content)
        files.append((rel, content))
        expected.append((rel, kind, verdict))

    # One detached pair every 50 documents; the rest cycle through the fixtures.
    for i in range(a.count):
        sub = "%02d" % (i // 500)
        if i % 50 == 49:
            put("%s/%05d-dossier.txt" % (sub, i), data(os.path.join(a.docs, "dossier.txt")), "skipped")
            put("%s/%05d-dossier.txt.p7s" % (sub, i), data(os.path.join(a.docs, "valid-detached.p7s")),
                "document", "TOTAL_PASSED")
            continue
        src, name, verdict = once[i] if i < len(once) else fixtures[i % len(fixtures)]
        if name in REVOKED:
            verdict = a.revoked
        put("%s/%05d-%s" % (sub, i, name), data(src), "document", verdict)
    # Files that are not signatures: reported as skipped.
    for i in range(0, a.count, 1000):
        put("%02d/%05d-notes.txt" % (i // 500, i), b"ghi chu / notes %d\n" % i, "skipped")
        put("%02d/%05d-scan.pdf" % (i // 500, i), b"%%PDF-1.4\n%% not signed %d\n" % i, "skipped")
    # Files that cannot be read (folder form only): dangling symbolic links.
    for i in range(3):
        rel = "%02d/unreadable-%d.p7s" % (i, i)
        os.symlink("/nonexistent/kyso-batch-%d" % i, os.path.join(folder, rel))
        expected.append((rel, "error", ""))

    if not a.no_zip:
        with zipfile.ZipFile(os.path.join(a.out, "archive.zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for rel, content in files:
                z.writestr(rel, content)
    with open(os.path.join(a.out, "EXPECTED.tsv"), "w", encoding="utf-8") as f:
        for rel, kind, verdict in expected:
            f.write("%s\t%s\t%s\n" % (rel, kind, verdict))


if __name__ == "__main__":
    main()
