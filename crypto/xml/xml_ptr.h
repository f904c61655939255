// Owning pointers for libxml2 objects, and the small DOM helpers the XML signature code uses.
// As with OpenSSL: whatever libxml2 allocates for the caller is owned on the line it is returned.
#ifndef KYSO_CRYPTO_XML_XML_PTR_H_
#define KYSO_CRYPTO_XML_XML_PTR_H_

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kyso::xml {

struct XmlDocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct XmlParserCtxtDeleter {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};
struct XmlCharDeleter {
  void operator()(xmlChar* s) const { xmlFree(s); }
};
struct XmlOutputBufferDeleter {
  void operator()(xmlOutputBuffer* b) const { xmlOutputBufferClose(b); }
};

using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocDeleter>;
using XmlParserCtxtPtr = std::unique_ptr<xmlParserCtxt, XmlParserCtxtDeleter>;
using XmlCharPtr = std::unique_ptr<xmlChar, XmlCharDeleter>;
using XmlOutputBufferPtr = std::unique_ptr<xmlOutputBuffer, XmlOutputBufferDeleter>;

inline constexpr char kDsigNs[] = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr char kDsig11Ns[] = "http://www.w3.org/2009/xmldsig11#";
inline constexpr char kXades132Ns[] = "http://uri.etsi.org/01903/v1.3.2#";
inline constexpr char kXades122Ns[] = "http://uri.etsi.org/01903/v1.2.2#";

inline absl::string_view View(const xmlChar* s) {
  return s == nullptr ? absl::string_view() : absl::string_view(reinterpret_cast<const char*>(s));
}

// True for an element with this namespace URI and local name.
bool IsElement(const xmlNode* node, const char* ns, const char* local_name);

// Element children, optionally filtered by namespace and local name (nullptr = any).
std::vector<xmlNode*> ChildElements(const xmlNode* node, const char* ns = nullptr,
                                    const char* local_name = nullptr);
xmlNode* FirstChildElement(const xmlNode* node, const char* ns, const char* local_name);

// An attribute without namespace; nullopt-like empty optional when absent.
bool GetAttribute(const xmlNode* node, const char* name, std::string* value);

// The concatenated text content of a node and its descendants.
std::string TextContent(const xmlNode* node);

// "/HDon/DSCKS/NBan": the path of an element from the root, qualified names as written, with a
// [n] position only where same-named siblings make it ambiguous. "/" for the document node.
std::string NodePath(const xmlNode* node);

}  // namespace kyso::xml

#endif  // KYSO_CRYPTO_XML_XML_PTR_H_
