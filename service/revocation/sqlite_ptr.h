// Owning pointers for SQLite handles (after crypto/openssl_ptr.h).
//
// Rule: a handle is owned on the line it is created. sqlite3_open_v2 hands back a connection even
// when it fails (so its error message can be read), and that connection must still be closed:
//
//   sqlite3* raw = nullptr;
//   const int rc = sqlite3_open_v2(path, &raw, flags, nullptr);
//   SqlitePtr db(raw);  // owned before rc is even looked at
//
// Thread-safety: these are plain unique_ptrs; what they point to is as thread-safe as the
// connection's threading mode makes it.
#ifndef KYSO_SERVICE_REVOCATION_SQLITE_PTR_H_
#define KYSO_SERVICE_REVOCATION_SQLITE_PTR_H_

#include <sqlite3.h>

#include <memory>

namespace kyso {

struct SqliteCloser {
  // close_v2, not close: should a statement outlive its connection, the connection becomes a
  // zombie that is freed with the last statement, instead of close() failing with SQLITE_BUSY and
  // leaking the connection.
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

struct SqliteStmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

using SqlitePtr = std::unique_ptr<sqlite3, SqliteCloser>;
using SqliteStmtPtr = std::unique_ptr<sqlite3_stmt, SqliteStmtFinalizer>;

// Resets a prepared statement and clears its bindings when the scope ends, so a statement that is
// prepared once and reused never keeps a read transaction open (which would pin the WAL and stop
// checkpoints) and never points at a caller's buffer after the call that bound it returns.
class ScopedStmtReset final {
 public:
  explicit ScopedStmtReset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ScopedStmtReset(const ScopedStmtReset&) = delete;
  ScopedStmtReset& operator=(const ScopedStmtReset&) = delete;
  ~ScopedStmtReset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* const stmt_;  // borrowed
};

}  // namespace kyso

#endif  // KYSO_SERVICE_REVOCATION_SQLITE_PTR_H_
