// Canonical XML over document subsets, with libxml2's C14N implementation.
//
// A NodeSet is what XMLDSig's reference processing produces: the subtree of `apex` (the whole
// document for URI=""), minus the subtrees in `excluded` (the enveloped signature, or every
// ds:Signature for the XPath idiom), with or without comment nodes. Canonicalization renders
// exactly the visible nodes; namespace context inherited from invisible ancestors is handled by
// libxml2 as each algorithm specifies.
#ifndef KYSO_CRYPTO_XML_CANONICALIZER_H_
#define KYSO_CRYPTO_XML_CANONICALIZER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/xml/xml_ptr.h"

namespace kyso::xml {

enum class C14nAlgorithm { kC14n10, kC14n11, kExclusive };

struct C14nMethod {
  C14nAlgorithm algorithm = C14nAlgorithm::kC14n10;
  bool with_comments = false;
};

// http://www.w3.org/TR/2001/REC-xml-c14n-20010315[#WithComments],
// http://www.w3.org/2006/12/xml-c14n11[#WithComments],
// http://www.w3.org/2001/10/xml-exc-c14n#[WithComments]
std::optional<C14nMethod> C14nFromUri(absl::string_view uri);

struct NodeSet {
  xmlNode* apex = nullptr;  // an element, or the document node for the whole document
  std::vector<const xmlNode*> excluded;
  bool comments = false;  // URI="" and "#id" node-sets exclude comments (XMLDSig 4.4.3.3)
};

absl::StatusOr<std::string> Canonicalize(xmlDoc* doc, const NodeSet& nodes,
                                         const C14nMethod& method,
                                         const std::vector<std::string>& inclusive_prefixes = {});

}  // namespace kyso::xml

#endif  // KYSO_CRYPTO_XML_CANONICALIZER_H_
