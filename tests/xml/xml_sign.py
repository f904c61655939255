#!/usr/bin/env python3
"""xml_sign.py: fills one XMLDSig template, for the fixtures xmlsec1 1.2.37 cannot sign.

Usage: xml_sign.py --key KEY.pem [--cert CERT.pem ...] TEMPLATE OUTPUT

Only as general as make-xml-documents.sh needs, and it refuses anything else:

- the first ds:Signature of TEMPLATE is filled;
- a Reference whose DigestValue is already filled keeps it (how the fixtures with an unreachable
  http: or file: URI get a correct SignatureValue over a dummy digest);
- every other Reference must be URI="" with the enveloped-signature transform and at most one
  C14N 1.0 / exclusive C14N transform (without comments: URI="" drops comments anyway, XMLDSig
  1.1 section 4.4.3.3), digested with SHA-256;
- SignedInfo is canonicalised with C14N 1.0 or exclusive C14N (without comments) and signed with
  rsa-sha256 (RSASSA-PKCS1-v1_5) or sha256-rsa-MGF1 (RSASSA-PSS, RFC 9231 section 2.3.10: MGF1 with
  SHA-256, salt length 32 = the digest length, trailer field 1);
- an empty ds:X509Data in KeyInfo receives one ds:X509Certificate per --cert, in order.

The template is parsed without DTD loading, entity expansion or network access, and with
libxml2's size limits lifted (huge_tree): big-text.xml's 10 MiB text node exceeds them on purpose.
The signature is verified with the first --cert's public key before OUTPUT is written.
"""

import argparse
import base64
import hashlib
import sys
import textwrap

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

DS = "http://www.w3.org/2000/09/xmldsig#"
XML = "http://www.w3.org/XML/1998/namespace"
NS = {"ds": DS}
ENVELOPED = DS + "enveloped-signature"
C14N = {  # algorithm URI -> exclusive?
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315": False,
    "http://www.w3.org/2001/10/xml-exc-c14n#": True,
}
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_PSS_SHA256 = "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"
RSA_PSS = "http://www.w3.org/2007/05/xmldsig-more#rsa-pss"
PSS_NS = "http://www.w3.org/2007/05/xmldsig-more#"
HASHES = {
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512,
}


def fail(message):
    sys.exit(f"xml_sign.py: {message}")


def parse(path):
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                             huge_tree=True)
    return etree.parse(path, parser)


def b64(data):
    # Wrapped at 64 columns like xmlsec1's output; base64 in XMLDSig may hold whitespace.
    return "\n" + "\n".join(textwrap.wrap(base64.b64encode(data).decode(), 64)) + "\n"


def enveloped_digest(template, signature_path, exclusive):
    """SHA-256 of the document minus the Signature element (URI="" + enveloped-signature)."""
    doc = parse(template)  # a fresh copy, so the caller's tree keeps its Signature
    signature = doc.getroot() if signature_path == "." else doc.find(signature_path)
    # Removing an element in lxml also drops its tail text, which is not part of it.
    if signature.tail:
        previous = signature.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + signature.tail
        else:
            parent = signature.getparent()
            parent.text = (parent.text or "") + signature.tail
    signature.getparent().remove(signature)
    return hashlib.sha256(
        etree.tostring(doc, method="c14n", exclusive=exclusive, with_comments=False)).digest()


def fill_reference(template, signature_path, reference):
    digest_value = reference.find("ds:DigestValue", NS)
    if (digest_value.text or "").strip():
        return  # filled by the template on purpose
    if reference.get("URI") != "":
        fail(f"only URI=\"\" references can be digested, not {reference.get('URI')!r}")
    if reference.find("ds:DigestMethod", NS).get("Algorithm") != SHA256:
        fail("only SHA-256 reference digests are supported")
    algorithms = [t.get("Algorithm") for t in reference.findall("ds:Transforms/ds:Transform", NS)]
    if not algorithms or algorithms[0] != ENVELOPED or len(algorithms) > 2 or (
            len(algorithms) == 2 and algorithms[1] not in C14N):
        fail(f"unsupported transforms {algorithms}: want enveloped-signature [+ C14N]")
    # With no explicit canonicalisation the node-set becomes octets by C14N 1.0 (XMLDSig 4.4.3.2).
    exclusive = len(algorithms) == 2 and C14N[algorithms[1]]
    digest_value.text = base64.b64encode(
        enveloped_digest(template, signature_path, exclusive)).decode()


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--key", required=True)
    args.add_argument("--cert", action="append", default=[])
    args.add_argument("template")
    args.add_argument("output")
    args = args.parse_args()

    with open(args.key, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    certs = []
    for path in args.cert:
        with open(path, "rb") as f:
            certs.append(x509.load_pem_x509_certificate(f.read()))

    tree = parse(args.template)
    signature = tree.find(".//ds:Signature", NS)
    if signature is None:
        signature = tree.getroot() if tree.getroot().tag == f"{{{DS}}}Signature" else None
    if signature is None:
        fail(f"no ds:Signature in {args.template}")
    signature_path = tree.getelementpath(signature)  # "{ns}name[i]" steps, for find()
    signed_info = signature.find("ds:SignedInfo", NS)
    for reference in signed_info.findall("ds:Reference", NS):
        fill_reference(args.template, signature_path, reference)

    x509_data = signature.find("ds:KeyInfo/ds:X509Data", NS)
    if x509_data is not None and len(x509_data) == 0:
        for cert in certs:
            element = etree.SubElement(x509_data, f"{{{DS}}}X509Certificate")
            element.text = b64(cert.public_bytes(serialization.Encoding.DER))

    c14n = signed_info.find("ds:CanonicalizationMethod", NS).get("Algorithm")
    if c14n not in C14N:
        fail(f"unsupported SignedInfo canonicalisation {c14n}")
    # lxml canonicalises an element as the apex of a document subset: it copies the namespace
    # declarations in scope from the ancestors, as inclusive C14N requires, but not the inherited
    # xml:* attributes that C14N 1.0 also pulls in (section 2.4), so refuse those.
    for ancestor in signed_info.iterancestors():
        if any(name.startswith(f"{{{XML}}}") for name in ancestor.attrib):
            fail("xml:* attributes above SignedInfo are not supported")
    octets = etree.tostring(signed_info, method="c14n", exclusive=C14N[c14n], with_comments=False)
    method_element = signed_info.find("ds:SignatureMethod", NS)
    method = method_element.get("Algorithm")
    digest = hashes.SHA256()
    if method == RSA_SHA256:
        pad = padding.PKCS1v15()
    elif method == RSA_PSS_SHA256:
        pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    elif method == RSA_PSS:
        # RFC 9231 2.3.10: RSAPSSParams (DigestMethod, MaskGenerationFunction, SaltLength); only
        # the explicit form the fixtures use.
        params = method_element.find(f"{{{PSS_NS}}}RSAPSSParams")
        digest = HASHES[params.find("ds:DigestMethod", NS).get("Algorithm")]()
        mgf = params.find(f"{{{PSS_NS}}}MaskGenerationFunction")
        mgf_digest = HASHES[mgf.find("ds:DigestMethod", NS).get("Algorithm")]()
        salt = int(params.find(f"{{{PSS_NS}}}SaltLength").text)
        pad = padding.PSS(mgf=padding.MGF1(mgf_digest), salt_length=salt)
    else:
        fail(f"unsupported SignatureMethod {method}")
    value = key.sign(octets, pad, digest)
    if certs:
        certs[0].public_key().verify(value, octets, pad, digest)  # raises if wrong
    signature.find("ds:SignatureValue", NS).text = b64(value)

    with open(args.output, "wb") as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write(etree.tostring(tree, encoding="UTF-8", xml_declaration=False))
        f.write(b"\n")


if __name__ == "__main__":
    main()
