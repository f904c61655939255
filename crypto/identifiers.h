// Vietnamese identity codes that CAs put in certificate subjects.
//
// Vietnamese CAs (VNPT-CA, Viettel-CA, the Government CA, ...) carry the holder's tax code or
// identity number in the subject, most often in the userId attribute (UID,
// 0.9.2342.19200300.100.1.1) as "PREFIX:VALUE": "MST:0101234567" (tax code, mã số thuế),
// "CCCD:001085012345" (citizen identity card), "CMND:012345678" (old identity card),
// "HC:C1234567" (passport), "MNS:1234567" (budget-unit code), "BHXH:..." (social insurance).
// Lifting them out lets a procedure system match the signer to the applicant without parsing DNs.
#ifndef KYSO_CRYPTO_IDENTIFIERS_H_
#define KYSO_CRYPTO_IDENTIFIERS_H_

#include <openssl/x509.h>

#include <vector>

#include "absl/strings/string_view.h"
#include "crypto/report.h"

namespace kyso {

// Parses one attribute value ("MST:0101234567", "CCCD: 001085012345") into an identifier when its
// prefix is a known code. Returns false for anything else.
bool ParseIdentifierValue(absl::string_view value, Identifier* out);

// Every identifier in a certificate subject, in subject order, without duplicates.
std::vector<Identifier> IdentifiersFromName(const X509_NAME* name);

// The same from a textual distinguished name, including Windows-style attribute names that spell
// the OID ("OID.0.9.2342.19200300.100.1.1=MST:0101234567"), as seen in XML X509SubjectName.
std::vector<Identifier> IdentifiersFromDnString(absl::string_view dn);

}  // namespace kyso

#endif  // KYSO_CRYPTO_IDENTIFIERS_H_
