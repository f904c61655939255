// Status propagation macros. The abseil shipped with Debian bookworm (20220623) predates
// absl's own status macros, so kyso defines the two it needs.
//
//   KYSO_RETURN_IF_ERROR(DoThing());
//   KYSO_ASSIGN_OR_RETURN(Certificate cert, Certificate::Parse(der));
#ifndef KYSO_CRYPTO_STATUS_MACROS_H_
#define KYSO_CRYPTO_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define KYSO_RETURN_IF_ERROR(expr)               \
  do {                                           \
    const ::absl::Status kyso_status_ = (expr);  \
    if (!kyso_status_.ok()) return kyso_status_; \
  } while (false)

#define KYSO_STATUS_CONCAT_INNER_(a, b) a##b
#define KYSO_STATUS_CONCAT_(a, b) KYSO_STATUS_CONCAT_INNER_(a, b)

#define KYSO_ASSIGN_OR_RETURN(lhs, expr) \
  KYSO_ASSIGN_OR_RETURN_IMPL_(KYSO_STATUS_CONCAT_(kyso_statusor_, __LINE__), lhs, expr)

#define KYSO_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                \
  if (!statusor.ok()) return statusor.status();          \
  lhs = std::move(statusor).value()

#endif  // KYSO_CRYPTO_STATUS_MACROS_H_
