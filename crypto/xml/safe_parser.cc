#include "crypto/xml/safe_parser.h"

#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kyso::xml {
namespace {

// Set by the DOCTYPE callback of the parse running on this thread.
thread_local bool saw_doctype = false;

void RefuseDoctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  saw_doctype = true;
  xmlStopParser(static_cast<xmlParserCtxtPtr>(ctx));
}

// libxml2 reports some errors (huge text nodes, memory) through its generic handler even with
// XML_PARSE_NOERROR; the status carries them instead. These handlers are per thread.
void IgnoreGenericError(void*, const char*, ...) {}
void IgnoreStructuredError(void*, xmlErrorPtr) {}

xmlParserInputPtr RefuseExternalEntity(const char*, const char*, xmlParserCtxtPtr) {
  return nullptr;
}

void InitOnce() {
  static const bool done = [] {
    xmlInitParser();
    // Defence in depth: even a code path that asked libxml2 to load something could not.
    xmlSetExternalEntityLoader(RefuseExternalEntity);
    return true;
  }();
  (void)done;
}

bool IsIdAttribute(const xmlAttr* attr) {
  if (attr->ns == nullptr) {
    return xmlStrEqual(attr->name, BAD_CAST "Id") || xmlStrEqual(attr->name, BAD_CAST "ID") ||
           xmlStrEqual(attr->name, BAD_CAST "id");
  }
  return xmlStrEqual(attr->ns->href, XML_XML_NAMESPACE) && xmlStrEqual(attr->name, BAD_CAST "id");
}

absl::Status IndexIds(xmlNode* root, absl::flat_hash_map<std::string, xmlNode*>* ids) {
  std::vector<xmlNode*> stack = {root};
  while (!stack.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    if (n->type != XML_ELEMENT_NODE) continue;
    for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
      if (!IsIdAttribute(a)) continue;
      XmlCharPtr value(xmlNodeListGetString(n->doc, a->children, 1));
      std::string id(View(value.get()));
      if (!ids->emplace(id, n).second) {
        return absl::AlreadyExistsError(absl::StrCat("the Id '", id, "' appears more than once"));
      }
    }
    for (xmlNode* c = n->children; c != nullptr; c = c->next) stack.push_back(c);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ParsedXml> ParseXmlSafely(absl::string_view bytes, size_t max_bytes) {
  InitOnce();
  if (bytes.size() > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("XML document over ", max_bytes, " bytes"));
  }
  xmlSetGenericErrorFunc(nullptr, IgnoreGenericError);
  xmlSetStructuredErrorFunc(nullptr, IgnoreStructuredError);
  XmlParserCtxtPtr ctxt(xmlNewParserCtxt());
  if (!ctxt) return absl::InternalError("cannot allocate an XML parser");
  ctxt->sax->internalSubset = RefuseDoctype;
  saw_doctype = false;
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  XmlDocPtr doc(xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), nullptr,
                                  nullptr, options));
  if (saw_doctype) {
    return absl::FailedPreconditionError("a DOCTYPE is not allowed in a signed document");
  }
  if (!doc || !ctxt->wellFormed) {
    const xmlError* error = xmlCtxtGetLastError(ctxt.get());
    return absl::InvalidArgumentError(
        absl::StrCat("XML is not well-formed",
                     error != nullptr && error->message != nullptr
                         ? absl::StrCat(" (line ", error->line,
                                        "): ", absl::StripTrailingAsciiWhitespace(error->message))
                         : ""));
  }
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return absl::InvalidArgumentError("XML document has no root element");
  ParsedXml parsed;
  if (absl::Status s = IndexIds(root, &parsed.ids); !s.ok()) return s;
  parsed.doc = std::move(doc);
  return parsed;
}

}  // namespace kyso::xml
