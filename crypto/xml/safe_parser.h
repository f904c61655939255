// Parses untrusted XML for signature verification, safely.
//
// - A DOCTYPE anywhere is refused before it is processed (FORMAT_FAILURE): no entity expansion,
//   no external DTD, no ID attributes declared by a DTD.
// - No network, no file system: XML_PARSE_NONET, and every external entity load is refused
//   process-wide; no XInclude, no catalogs, no recover mode, no XML_PARSE_HUGE (libxml2's own
//   limits stay: 256 levels of nesting, 10,000,000 bytes per text node).
// - Every Id-like attribute (Id, ID, id, xml:id) is indexed; a value seen twice is an error, so a
//   same-document reference always names exactly one element.
#ifndef KYSO_CRYPTO_XML_SAFE_PARSER_H_
#define KYSO_CRYPTO_XML_SAFE_PARSER_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/xml/xml_ptr.h"

namespace kyso::xml {

struct ParsedXml {
  XmlDocPtr doc;
  absl::flat_hash_map<std::string, xmlNode*> ids;  // Id value -> element
};

// Errors: kFailedPrecondition (DOCTYPE), kAlreadyExists (duplicate Id), kResourceExhausted (over
// `max_bytes`), kInvalidArgument (not well-formed, or over libxml2's limits).
absl::StatusOr<ParsedXml> ParseXmlSafely(absl::string_view bytes, size_t max_bytes = 64 << 20);

}  // namespace kyso::xml

#endif  // KYSO_CRYPTO_XML_SAFE_PARSER_H_
