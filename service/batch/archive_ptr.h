// Owning pointer for libarchive read handles (STYLE.md: every C handle owned on the line it is
// created).
#ifndef KYSO_SERVICE_BATCH_ARCHIVE_PTR_H_
#define KYSO_SERVICE_BATCH_ARCHIVE_PTR_H_

#include <archive.h>

#include <memory>

namespace kyso::batch {

struct ArchiveReadFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchiveReadPtr = std::unique_ptr<struct archive, ArchiveReadFree>;

}  // namespace kyso::batch

#endif  // KYSO_SERVICE_BATCH_ARCHIVE_PTR_H_
