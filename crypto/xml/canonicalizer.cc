#include "crypto/xml/canonicalizer.h"

#include <libxml/c14n.h>

namespace kyso::xml {
namespace {

bool IsWithin(const xmlNode* node, const xmlNode* ancestor) {
  for (const xmlNode* n = node; n != nullptr; n = n->parent) {
    if (n == ancestor) return true;
  }
  return false;
}

// xmlC14NIsVisibleCallback: for namespace nodes libxml2 passes the xmlNs as `node` and the owning
// element as `parent`; attributes carry their element in ->parent.
int IsVisible(void* user_data, xmlNodePtr node, xmlNodePtr parent) {
  const auto* set = static_cast<const NodeSet*>(user_data);
  const xmlNode* anchor = node;
  if (node == nullptr || node->type == XML_NAMESPACE_DECL) anchor = parent;
  if (anchor == nullptr) return 0;
  if (set->apex->type != XML_DOCUMENT_NODE && !IsWithin(anchor, set->apex)) return 0;
  for (const xmlNode* ex : set->excluded) {
    if (IsWithin(anchor, ex)) return 0;
  }
  if (node != nullptr && node->type == XML_COMMENT_NODE && !set->comments) return 0;
  return 1;
}

}  // namespace

std::optional<C14nMethod> C14nFromUri(absl::string_view uri) {
  struct Entry {
    absl::string_view uri;
    C14nMethod method;
  };
  static constexpr Entry kMethods[] = {
      {"http://www.w3.org/TR/2001/REC-xml-c14n-20010315", {C14nAlgorithm::kC14n10, false}},
      {"http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
       {C14nAlgorithm::kC14n10, true}},
      {"http://www.w3.org/2006/12/xml-c14n11", {C14nAlgorithm::kC14n11, false}},
      {"http://www.w3.org/2006/12/xml-c14n11#WithComments", {C14nAlgorithm::kC14n11, true}},
      {"http://www.w3.org/2001/10/xml-exc-c14n#", {C14nAlgorithm::kExclusive, false}},
      {"http://www.w3.org/2001/10/xml-exc-c14n#WithComments", {C14nAlgorithm::kExclusive, true}},
  };
  for (const Entry& e : kMethods) {
    if (e.uri == uri) return e.method;
  }
  return std::nullopt;
}

absl::StatusOr<std::string> Canonicalize(xmlDoc* doc, const NodeSet& nodes,
                                         const C14nMethod& method,
                                         const std::vector<std::string>& inclusive_prefixes) {
  int mode = XML_C14N_1_0;
  if (method.algorithm == C14nAlgorithm::kC14n11) mode = XML_C14N_1_1;
  if (method.algorithm == C14nAlgorithm::kExclusive) mode = XML_C14N_EXCLUSIVE_1_0;
  std::vector<xmlChar*> prefixes;
  for (const std::string& p : inclusive_prefixes) {
    prefixes.push_back(const_cast<xmlChar*>(reinterpret_cast<const xmlChar*>(p.c_str())));
  }
  prefixes.push_back(nullptr);
  XmlOutputBufferPtr out(xmlAllocOutputBuffer(nullptr));
  if (!out) return absl::InternalError("cannot allocate a C14N output buffer");
  NodeSet visible = nodes;
  visible.comments = nodes.comments && method.with_comments;
  const int rc = xmlC14NExecute(doc, IsVisible, &visible, mode,
                                mode == XML_C14N_EXCLUSIVE_1_0 ? prefixes.data() : nullptr,
                                visible.comments ? 1 : 0, out.get());
  if (rc < 0) return absl::InvalidArgumentError("canonicalization failed");
  const xmlChar* content = xmlOutputBufferGetContent(out.get());
  const size_t size = xmlOutputBufferGetSize(out.get());
  return std::string(reinterpret_cast<const char*>(content), size);
}

}  // namespace kyso::xml
