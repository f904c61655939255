// `kyso batch --shard I --of N`: a stable split of an archive's files among N independent runs
// (for example the pods of a Kubernetes Indexed Job), with no coordination between them.
//
//   Shard shard{2, 4};
//   if (shard.Owns("dossiers.zip!/2024/a.p7s")) { ... }
//
// A file belongs to shard (FNV-1a 64 of its path) mod N. The hash is fixed here, not
// std::hash, so every build, machine and run puts a path in the same shard; the path is the one
// written in the results (archive members as "ARCHIVE!/MEMBER"), so N shards' outputs together
// hold every file exactly once.
#ifndef KYSO_SERVICE_BATCH_SHARD_H_
#define KYSO_SERVICE_BATCH_SHARD_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace kyso::batch {

// FNV-1a, 64-bit (http://www.isthe.com/chongo/tech/comp/fnv/): offset basis 14695981039346656037,
// prime 1099511628211.
uint64_t StablePathHash(absl::string_view path);

struct Shard {
  int index = 0;  // 0 <= index < count
  int count = 1;

  bool Owns(absl::string_view path) const {
    return count <= 1 ||
           StablePathHash(path) % static_cast<uint64_t>(count) == static_cast<uint64_t>(index);
  }
};

}  // namespace kyso::batch

#endif  // KYSO_SERVICE_BATCH_SHARD_H_
