#include "crypto/base64.h"

#include <array>
#include <cstdint>

namespace kyso {
namespace {

// One table lookup per character: a sextet value, or what else the character is. (EVP_DecodeBlock
// after a filtering pass cost about 40 instructions a byte; XML signatures carry their
// certificates in base64, so that was a tenth of a warm XML verification.)
constexpr uint8_t kInvalid = 0xff;
constexpr uint8_t kSpace = 0xfe;  // white space, ignored anywhere (as absl::ascii_isspace)
constexpr uint8_t kPad = 0xfd;

constexpr std::array<uint8_t, 256> MakeTable() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<uint8_t>(i);
    t['a' + i] = static_cast<uint8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<uint8_t>(52 + i);
  t['+'] = 62;
  t['/'] = 63;
  t['='] = kPad;
  for (char c : {' ', '\t', '\n', '\v', '\f', '\r'}) t[static_cast<unsigned char>(c)] = kSpace;
  return t;
}

constexpr std::array<uint8_t, 256> kTable = MakeTable();

}  // namespace

absl::StatusOr<std::string> Base64Decode(absl::string_view text) {
  // At most 3 bytes per 4 characters; written through a pointer, trimmed at the end.
  std::string out(text.size() / 4 * 3 + 3, '\0');
  char* p = out.data();
  uint32_t quantum = 0;
  int pending = 0;        // sextets in `quantum`
  size_t characters = 0;  // data and padding characters, white space not counted
  size_t padding = 0;
  bool data_after_padding = false;
  for (char ch : text) {
    const uint8_t v = kTable[static_cast<unsigned char>(ch)];
    if (v < 64) {
      ++characters;
      if (padding > 0) {
        data_after_padding = true;
        continue;
      }
      quantum = (quantum << 6) | v;
      if (++pending == 4) {
        *p++ = static_cast<char>(quantum >> 16);
        *p++ = static_cast<char>((quantum >> 8) & 0xff);
        *p++ = static_cast<char>(quantum & 0xff);
        quantum = 0;
        pending = 0;
      }
    } else if (v == kPad) {
      ++characters;
      ++padding;
    } else if (v != kSpace) {
      return absl::InvalidArgumentError("invalid character in base64");
    }
  }
  if (characters % 4 != 0) {
    return absl::InvalidArgumentError("base64 length not a multiple of 4");
  }
  if (data_after_padding || padding > 2) {
    return absl::InvalidArgumentError("base64 padding in the middle");
  }
  // With whole quanta and at most two trailing '=', what is left is 3 sextets (one '=') or 2 (two).
  if (pending == 3) {
    *p++ = static_cast<char>(quantum >> 10);
    *p++ = static_cast<char>((quantum >> 2) & 0xff);
  } else if (pending == 2) {
    *p++ = static_cast<char>(quantum >> 4);
  }
  out.resize(static_cast<size_t>(p - out.data()));
  return out;
}

}  // namespace kyso
