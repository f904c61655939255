#include "crypto/base64.h"

#include <openssl/evp.h>

#include "absl/strings/ascii.h"

namespace kyso {

absl::StatusOr<std::string> Base64Decode(absl::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) continue;
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=') {
      return absl::InvalidArgumentError("invalid character in base64");
    }
    compact.push_back(c);
  }
  if (compact.size() % 4 != 0)
    return absl::InvalidArgumentError("base64 length not a multiple of 4");
  size_t padding = 0;
  if (!compact.empty() && compact.back() == '=') ++padding;
  if (compact.size() > 1 && compact[compact.size() - 2] == '=') ++padding;
  if (compact.find('=') < compact.size() - padding) {
    return absl::InvalidArgumentError("base64 padding in the middle");
  }
  std::string out(compact.size() / 4 * 3, '\0');
  // EVP_DecodeBlock decodes whole quanta and counts padding as zero bytes; trim them after.
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(compact.data()),
                                static_cast<int>(compact.size()));
  if (n < 0) return absl::InvalidArgumentError("invalid base64");
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

}  // namespace kyso
