#include "crypto/identifiers.h"

#include <openssl/objects.h>

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kyso {
namespace {

// Known prefixes. Order does not matter; matching is case-insensitive, output is upper case.
constexpr absl::string_view kPrefixes[] = {"MST", "CCCD", "CMND", "HC", "MNS", "BHXH", "DDCN"};

void AddUnique(std::vector<Identifier>* out, Identifier id) {
  if (std::find(out->begin(), out->end(), id) == out->end()) out->push_back(std::move(id));
}

}  // namespace

bool ParseIdentifierValue(absl::string_view value, Identifier* out) {
  value = absl::StripAsciiWhitespace(value);
  const size_t colon = value.find(':');
  if (colon == absl::string_view::npos) return false;
  const std::string prefix =
      absl::AsciiStrToUpper(absl::StripAsciiWhitespace(value.substr(0, colon)));
  const absl::string_view code = absl::StripAsciiWhitespace(value.substr(colon + 1));
  if (code.empty()) return false;
  for (absl::string_view known : kPrefixes) {
    if (prefix == known) {
      *out = {prefix, std::string(code)};
      return true;
    }
  }
  return false;
}

std::vector<Identifier> IdentifiersFromName(const X509_NAME* name) {
  std::vector<Identifier> out;
  if (name == nullptr) return out;
  const int count = X509_NAME_entry_count(name);
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0) continue;
    std::string value(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
    // Any attribute may carry a code (UID is usual, CN and serialNumber are seen too); the prefix
    // list keeps ordinary names from matching.
    Identifier id;
    if (ParseIdentifierValue(value, &id)) AddUnique(&out, std::move(id));
  }
  return out;
}

std::vector<Identifier> IdentifiersFromDnString(absl::string_view dn) {
  std::vector<Identifier> out;
  // RDNs are separated by ',' (RFC 4514) or ';' / '+' in older renderings; a value that itself
  // contains one of these would be escaped with '\', which identity codes never need.
  for (absl::string_view part : absl::StrSplit(dn, absl::ByAnyChar(",;+"))) {
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos) continue;
    absl::string_view value = absl::StripAsciiWhitespace(part.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    Identifier id;
    if (ParseIdentifierValue(value, &id)) AddUnique(&out, std::move(id));
  }
  return out;
}

}  // namespace kyso
