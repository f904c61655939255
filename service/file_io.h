// Whole-file reads with errors as statuses.
#ifndef KYSO_SERVICE_FILE_IO_H_
#define KYSO_SERVICE_FILE_IO_H_

#include <string>

#include "absl/status/statusor.h"

namespace kyso {

// Reads a regular file. kNotFound for a missing file, kInvalidArgument for a folder or a file over
// `max_bytes`, kPermissionDenied / kUnavailable for other failures.
absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes = size_t{1} << 30);

}  // namespace kyso

#endif  // KYSO_SERVICE_FILE_IO_H_
