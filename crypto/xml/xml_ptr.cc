#include "crypto/xml/xml_ptr.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace kyso::xml {

bool IsElement(const xmlNode* node, const char* ns, const char* local_name) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return false;
  if (local_name != nullptr &&
      std::strcmp(reinterpret_cast<const char*>(node->name), local_name) != 0) {
    return false;
  }
  if (ns == nullptr) return true;
  return node->ns != nullptr && node->ns->href != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(node->ns->href), ns) == 0;
}

std::vector<xmlNode*> ChildElements(const xmlNode* node, const char* ns, const char* local_name) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && (local_name == nullptr || IsElement(c, ns, local_name))) {
      out.push_back(c);
    }
  }
  return out;
}

xmlNode* FirstChildElement(const xmlNode* node, const char* ns, const char* local_name) {
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (IsElement(c, ns, local_name)) return c;
  }
  return nullptr;
}

bool GetAttribute(const xmlNode* node, const char* name, std::string* value) {
  XmlCharPtr v(xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name)));
  if (!v) return false;
  *value = std::string(View(v.get()));
  return true;
}

std::string TextContent(const xmlNode* node) {
  XmlCharPtr content(xmlNodeGetContent(node));
  return std::string(View(content.get()));
}

std::string NodePath(const xmlNode* node) {
  if (node == nullptr || node->type == XML_DOCUMENT_NODE) return "/";
  std::vector<std::string> parts;
  for (const xmlNode* n = node; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    std::string name = n->ns != nullptr && n->ns->prefix != nullptr
                           ? absl::StrCat(View(n->ns->prefix), ":", View(n->name))
                           : std::string(View(n->name));
    int index = 0, same = 0;
    if (n->parent != nullptr) {
      for (const xmlNode* s = n->parent->children; s != nullptr; s = s->next) {
        if (s->type != XML_ELEMENT_NODE || !xmlStrEqual(s->name, n->name)) continue;
        ++same;
        if (s == n) index = same;
      }
    }
    if (same > 1) absl::StrAppend(&name, "[", index, "]");
    parts.push_back(std::move(name));
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) absl::StrAppend(&out, "/", *it);
  return out;
}

}  // namespace kyso::xml
