#include "service/batch/shard.h"

namespace kyso::batch {

uint64_t StablePathHash(absl::string_view path) {
  uint64_t hash = 14695981039346656037ULL;
  for (const char c : path) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace kyso::batch
