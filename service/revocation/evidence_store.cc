#include "service/revocation/evidence_store.h"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "crypto/status_macros.h"

namespace kyso {
namespace {

// Bump on any change to the table below; a file with another version is moved aside and rebuilt
// (the evidence is a cache: losing it costs one fetch per certificate, migrating it is not worth
// the code).
constexpr int64_t kSchemaVersion = 1;

// How long a connection waits for another connection's (or process's) write lock.
constexpr int kBusyTimeoutMs = 5000;

// STRICT: a column only ever holds its declared type, so a row read back has the shape written.
// WITHOUT ROWID: the table is looked up by its key only. `source` holds the persisted names below,
// which are part of this file format, not display strings.
constexpr char kCreateSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS evidence (
  key BLOB NOT NULL PRIMARY KEY,
  source TEXT NOT NULL CHECK (source IN ('ocsp', 'crl')),
  url TEXT NOT NULL,
  der BLOB NOT NULL,
  fetched_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS evidence_by_expiry ON evidence (expires_at);
)sql";

constexpr char kGetSql[] =
    "SELECT source, url, der, fetched_at, expires_at FROM evidence "
    "WHERE key = ?1 AND expires_at > ?2";
constexpr char kPutSql[] =
    "INSERT OR REPLACE INTO evidence (key, source, url, der, fetched_at, expires_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr char kDeleteExpiredSql[] = "DELETE FROM evidence WHERE expires_at <= ?1";

// The column value for each source kind; kNone is not storable.
const char* SourceColumn(RevocationSourceKind kind) {
  switch (kind) {
    case RevocationSourceKind::kNone:
      return nullptr;
    case RevocationSourceKind::kOcsp:
      return "ocsp";
    case RevocationSourceKind::kCrl:
      return "crl";
  }
  return nullptr;
}

std::optional<RevocationSourceKind> SourceFromColumn(absl::string_view column) {
  if (column == "ocsp") return RevocationSourceKind::kOcsp;
  if (column == "crl") return RevocationSourceKind::kCrl;
  return std::nullopt;
}

// Codes by what the caller can do: kUnavailable (retry later or run without the file),
// kPermissionDenied (fix the deployment), kDataLoss (the file is damaged; reopening rebuilds it).
absl::StatusCode CodeFor(int rc, int system_errno) {
  switch (rc & 0xff) {
    case SQLITE_CANTOPEN:
      if (system_errno == EACCES || system_errno == EPERM || system_errno == EROFS) {
        return absl::StatusCode::kPermissionDenied;
      }
      return absl::StatusCode::kUnavailable;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return absl::StatusCode::kPermissionDenied;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
      return absl::StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    case SQLITE_NOMEM:
      return absl::StatusCode::kResourceExhausted;
    case SQLITE_TOOBIG:
      return absl::StatusCode::kInvalidArgument;
    default:
      return absl::StatusCode::kInternal;
  }
}

// `rc` from the last call on `db` (which may be null only if sqlite3_open_v2 ran out of memory),
// as a status carrying SQLite's message for it.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what) {
  const int system_errno = db == nullptr ? 0 : sqlite3_system_errno(db);
  std::string message =
      absl::StrCat(what, ": ", db == nullptr ? sqlite3_errstr(rc) : sqlite3_errmsg(db));
  if ((rc & 0xff) == SQLITE_CANTOPEN && system_errno != 0) {
    absl::StrAppend(&message, " (", std::generic_category().message(system_errno), ")");
  }
  return absl::Status(CodeFor(rc, system_errno), message);
}

absl::Status Check(sqlite3* db, int rc, absl::string_view what) {
  return rc == SQLITE_OK ? absl::OkStatus() : SqliteError(db, rc, what);
}

absl::Status Exec(sqlite3* db, const char* sql, absl::string_view what) {
  return Check(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr), what);
}
absl::Status Exec(sqlite3* db, const char* sql) { return Exec(db, sql, sql); }

absl::StatusOr<SqliteStmtPtr> Prepare(sqlite3* db, absl::string_view sql, unsigned int flags) {
  sqlite3_stmt* raw = nullptr;
  const int rc =
      sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), flags, &raw, nullptr);
  SqliteStmtPtr stmt(raw);
  KYSO_RETURN_IF_ERROR(Check(db, rc, absl::StrCat("prepare ", sql)));
  return stmt;
}

// The bytes of column `i` of the current row (a zero-length value comes back as a null pointer,
// which is not an error unless SQLite ran out of memory converting it).
absl::StatusOr<std::string> ColumnBytes(sqlite3* db, sqlite3_stmt* stmt, int i) {
  const void* data = sqlite3_column_blob(stmt, i);
  const int size = sqlite3_column_bytes(stmt, i);
  if (data == nullptr) {
    if ((sqlite3_errcode(db) & 0xff) == SQLITE_NOMEM)
      return SqliteError(db, SQLITE_NOMEM, "read column");
    return std::string();
  }
  return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
}

// Steps a statement that must return a row (a pragma or a count) onto that row.
absl::StatusOr<sqlite3_stmt*> StepOneRow(sqlite3* db, sqlite3_stmt* stmt, const char* sql) {
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) return stmt;
  if (rc == SQLITE_DONE) return absl::InternalError(absl::StrCat(sql, ": returned no row"));
  return SqliteError(db, rc, sql);
}

absl::StatusOr<int64_t> QueryInt(sqlite3* db, const char* sql) {
  KYSO_ASSIGN_OR_RETURN(SqliteStmtPtr stmt, Prepare(db, sql, 0));
  KYSO_ASSIGN_OR_RETURN(sqlite3_stmt * row, StepOneRow(db, stmt.get(), sql));
  return sqlite3_column_int64(row, 0);
}

absl::StatusOr<std::string> QueryText(sqlite3* db, const char* sql) {
  KYSO_ASSIGN_OR_RETURN(SqliteStmtPtr stmt, Prepare(db, sql, 0));
  KYSO_ASSIGN_OR_RETURN(sqlite3_stmt * row, StepOneRow(db, stmt.get(), sql));
  return ColumnBytes(db, row, 0);
}

// Binds bytes by reference: the caller's buffer must outlive the step (ScopedStmtReset clears the
// binding before the call returns). A null pointer would bind SQL NULL, hence the "".
absl::Status BindBytes(sqlite3* db, sqlite3_stmt* stmt, int i, absl::string_view bytes, bool text) {
  const char* data = bytes.empty() ? "" : bytes.data();
  const int rc = text ? sqlite3_bind_text64(stmt, i, data, bytes.size(), SQLITE_STATIC, SQLITE_UTF8)
                      : sqlite3_bind_blob64(stmt, i, data, bytes.size(), SQLITE_STATIC);
  return Check(db, rc, "bind");
}

absl::Status BindTime(sqlite3* db, sqlite3_stmt* stmt, int i, absl::Time t) {
  // ToUnixSeconds rounds down, so a stored expiry is never later than the caller's.
  return Check(db, sqlite3_bind_int64(stmt, i, absl::ToUnixSeconds(t)), "bind");
}

// Why the open file is not (or cannot become) a kyso evidence store, or "" when it is one or is
// empty. Only reads.
absl::StatusOr<std::string> WhyNotOurs(sqlite3* db) {
  KYSO_ASSIGN_OR_RETURN(int64_t version, QueryInt(db, "PRAGMA user_version"));
  if (version == kSchemaVersion) return std::string();
  if (version != 0) {
    return absl::StrCat("schema version ", version, ", expected ", kSchemaVersion);
  }
  KYSO_ASSIGN_OR_RETURN(int64_t objects, QueryInt(db, "SELECT count(*) FROM sqlite_schema"));
  if (objects != 0) {
    return absl::StrCat("a database without a schema version (", objects, " schema objects)");
  }
  return std::string();
}

// Whether the directory `path` is in exists but this process may not create files in it (a missing
// directory is not a permission problem).
bool DirectoryDeniesWrites(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  if (access(dir.c_str(), W_OK | X_OK) == 0) return false;
  return errno == EACCES || errno == EPERM || errno == EROFS;
}

// One attempt at opening `path`: a connection with the schema in place, or (with `db` null) the
// reason the file has to be moved aside.
struct Attempt {
  SqlitePtr db;
  std::string unusable;
};

absl::StatusOr<Attempt> TryOpen(const std::string& path) {
  // NOMUTEX: EvidenceStore serialises every use of the connection itself. EXRESCODE: extended
  // codes everywhere, so that a status can say which I/O error it was.
  sqlite3* raw = nullptr;
  const int open_rc = sqlite3_open_v2(
      path.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
      nullptr);
  SqlitePtr db(raw);
  if ((open_rc & 0xff) == SQLITE_CANTOPEN && DirectoryDeniesWrites(path)) {
    // SQLite retries a failed read-write open read-only, so for a new file in a read-only
    // directory its errno is the retry's ENOENT; the directory is the actual cause.
    return absl::PermissionDeniedError(
        absl::StrCat("open: ", sqlite3_errmsg(db.get()), " (its directory is not writable)"));
  }
  KYSO_RETURN_IF_ERROR(Check(db.get(), open_rc, "open"));
  // SQLite quietly falls back to read-only when it may read the file but not write it.
  if (sqlite3_db_readonly(db.get(), "main") != 0) {
    return absl::PermissionDeniedError("open: the file is read-only");
  }
  KYSO_RETURN_IF_ERROR(
      Check(db.get(), sqlite3_busy_timeout(db.get(), kBusyTimeoutMs), "busy_timeout"));

  // Reading anything reads the header, so this is also where "not a database" shows. quick_check
  // reads every page (O(file size), once per process start) but skips the index cross-checks of
  // integrity_check. (1): one problem is enough to decide.
  absl::StatusOr<std::string> health = QueryText(db.get(), "PRAGMA quick_check(1)");
  if (!health.ok()) {
    if (health.status().code() == absl::StatusCode::kDataLoss) {
      return Attempt{nullptr, absl::StrCat(health.status().message())};
    }
    return health.status();
  }
  if (*health != "ok") return Attempt{nullptr, absl::StrCat("quick_check: ", *health)};
  KYSO_ASSIGN_OR_RETURN(std::string foreign, WhyNotOurs(db.get()));
  if (!foreign.empty()) return Attempt{nullptr, std::move(foreign)};

  // WAL: readers (other processes included) never wait for the writer, and a writer waits at
  // most the busy timeout. The mode is stored in the file, so this is a no-op after the first
  // open. synchronous=NORMAL is per connection: in WAL mode a power loss can then drop the last
  // commits but never corrupts the file, which is the right trade for a cache.
  KYSO_ASSIGN_OR_RETURN(std::string mode, QueryText(db.get(), "PRAGMA journal_mode=WAL"));
  if (mode != "wal") {
    return absl::UnavailableError(absl::StrCat("journal_mode is ", mode, ", WAL is not available"));
  }
  KYSO_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA synchronous=NORMAL"));

  // Another process may be creating the schema right now: check again under the write lock, and
  // create the table and stamp the version in one transaction. Any early return closes the
  // connection, which rolls the transaction back. On a file that is already ours nothing is
  // written.
  KYSO_RETURN_IF_ERROR(Exec(db.get(), "BEGIN IMMEDIATE"));
  KYSO_ASSIGN_OR_RETURN(foreign, WhyNotOurs(db.get()));
  if (!foreign.empty()) return Attempt{nullptr, std::move(foreign)};
  KYSO_RETURN_IF_ERROR(Exec(db.get(), kCreateSchema, "create schema"));
  KYSO_ASSIGN_OR_RETURN(int64_t version, QueryInt(db.get(), "PRAGMA user_version"));
  if (version != kSchemaVersion) {
    KYSO_RETURN_IF_ERROR(
        Exec(db.get(), absl::StrCat("PRAGMA user_version=", kSchemaVersion).c_str()));
  }
  KYSO_RETURN_IF_ERROR(Exec(db.get(), "COMMIT"));
  return Attempt{std::move(db), std::string()};
}

// TryOpen, with `path` in front of any error (the caller logs it, and may have several stores).
absl::StatusOr<Attempt> TryOpenNamed(const std::string& path) {
  absl::StatusOr<Attempt> attempt = TryOpen(path);
  if (attempt.ok()) return attempt;
  return absl::Status(attempt.status().code(),
                      absl::StrCat(path, ": ", attempt.status().message()));
}

// Renames `path` and its SQLite side files to `aside`. A process that still has the old file
// open keeps using it (under its new name) until it reopens.
absl::Status MoveAside(const std::string& path, const std::string& aside) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code error;
    std::filesystem::rename(absl::StrCat(path, suffix), absl::StrCat(aside, suffix), error);
    if (!error) continue;
    if (*suffix != '\0' && error == std::errc::no_such_file_or_directory) continue;
    const absl::StatusCode code = error == std::errc::permission_denied ||
                                          error == std::errc::operation_not_permitted ||
                                          error == std::errc::read_only_file_system
                                      ? absl::StatusCode::kPermissionDenied
                                      : absl::StatusCode::kUnavailable;
    return absl::Status(code, absl::StrCat("move ", path, suffix, " aside to ", aside, suffix, ": ",
                                           error.message()));
  }
  return absl::OkStatus();
}

// PATH.corrupt-<unix time>, with a counter if a file of that name is already there (two rebuilds
// in one second). The clock only names the file; nothing is decided by it.
std::string AsidePath(const std::string& path) {
  const std::string base = absl::StrCat(path, ".corrupt-", absl::ToUnixSeconds(absl::Now()));
  std::string aside = base;
  for (int n = 2;; ++n) {
    std::error_code error;
    if (!std::filesystem::exists(std::filesystem::symlink_status(aside, error))) return aside;
    aside = absl::StrCat(base, "-", n);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<EvidenceStore>> EvidenceStore::Open(const std::string& path) {
  KYSO_ASSIGN_OR_RETURN(Attempt attempt, TryOpenNamed(path));
  std::string rebuild_reason;
  if (attempt.db == nullptr) {
    const std::string aside = AsidePath(path);
    KYSO_RETURN_IF_ERROR(MoveAside(path, aside));
    rebuild_reason = absl::StrCat(path, ": ", attempt.unusable, "; moved to ", aside);
    KYSO_ASSIGN_OR_RETURN(attempt, TryOpenNamed(path));
    // Only another process putting a bad file back in the same instant gets here.
    if (attempt.db == nullptr) {
      return absl::UnavailableError(
          absl::StrCat(path, ": unusable again after rebuilding: ", attempt.unusable));
    }
  }
  sqlite3* db = attempt.db.get();
  // PERSISTENT: these live as long as the store, so SQLite keeps them out of its lookaside pool.
  KYSO_ASSIGN_OR_RETURN(SqliteStmtPtr get, Prepare(db, kGetSql, SQLITE_PREPARE_PERSISTENT));
  KYSO_ASSIGN_OR_RETURN(SqliteStmtPtr put, Prepare(db, kPutSql, SQLITE_PREPARE_PERSISTENT));
  KYSO_ASSIGN_OR_RETURN(SqliteStmtPtr delete_expired,
                        Prepare(db, kDeleteExpiredSql, SQLITE_PREPARE_PERSISTENT));
  return std::unique_ptr<EvidenceStore>(new EvidenceStore(std::move(attempt.db), std::move(get),
                                                          std::move(put), std::move(delete_expired),
                                                          std::move(rebuild_reason)));
}

EvidenceStore::EvidenceStore(SqlitePtr db, SqliteStmtPtr get, SqliteStmtPtr put,
                             SqliteStmtPtr delete_expired, std::string rebuild_reason)
    : db_(std::move(db)),
      get_(std::move(get)),
      put_(std::move(put)),
      delete_expired_(std::move(delete_expired)),
      rebuild_reason_(std::move(rebuild_reason)) {}

absl::StatusOr<std::optional<StoredEvidence>> EvidenceStore::Get(absl::string_view key,
                                                                 absl::Time now) {
  absl::MutexLock lock(&mu_);
  sqlite3* db = db_.get();
  sqlite3_stmt* stmt = get_.get();
  ScopedStmtReset reset(stmt);
  KYSO_RETURN_IF_ERROR(BindBytes(db, stmt, 1, key, /*text=*/false));
  KYSO_RETURN_IF_ERROR(BindTime(db, stmt, 2, now));
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return SqliteError(db, rc, "get");

  StoredEvidence evidence;
  evidence.key.assign(key.data(), key.size());
  KYSO_ASSIGN_OR_RETURN(std::string source, ColumnBytes(db, stmt, 0));
  std::optional<RevocationSourceKind> kind = SourceFromColumn(source);
  // The CHECK constraint keeps other values out, so this is a damaged file.
  if (!kind.has_value()) {
    return absl::DataLossError(absl::StrCat("get: unknown evidence source \"", source, "\""));
  }
  evidence.source = *kind;
  KYSO_ASSIGN_OR_RETURN(evidence.url, ColumnBytes(db, stmt, 1));
  KYSO_ASSIGN_OR_RETURN(evidence.der, ColumnBytes(db, stmt, 2));
  evidence.fetched_at = absl::FromUnixSeconds(sqlite3_column_int64(stmt, 3));
  evidence.expires_at = absl::FromUnixSeconds(sqlite3_column_int64(stmt, 4));
  return evidence;
}

absl::Status EvidenceStore::Put(const StoredEvidence& evidence) {
  const char* source = SourceColumn(evidence.source);
  if (source == nullptr) {
    return absl::InvalidArgumentError("put: evidence source must be OCSP or CRL");
  }
  absl::MutexLock lock(&mu_);
  sqlite3* db = db_.get();
  sqlite3_stmt* stmt = put_.get();
  ScopedStmtReset reset(stmt);
  KYSO_RETURN_IF_ERROR(BindBytes(db, stmt, 1, evidence.key, /*text=*/false));
  KYSO_RETURN_IF_ERROR(BindBytes(db, stmt, 2, source, /*text=*/true));
  KYSO_RETURN_IF_ERROR(BindBytes(db, stmt, 3, evidence.url, /*text=*/true));
  KYSO_RETURN_IF_ERROR(BindBytes(db, stmt, 4, evidence.der, /*text=*/false));
  KYSO_RETURN_IF_ERROR(BindTime(db, stmt, 5, evidence.fetched_at));
  KYSO_RETURN_IF_ERROR(BindTime(db, stmt, 6, evidence.expires_at));
  const int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) return SqliteError(db, rc, "put");
  return absl::OkStatus();
}

absl::StatusOr<int> EvidenceStore::DeleteExpired(absl::Time now) {
  absl::MutexLock lock(&mu_);
  sqlite3* db = db_.get();
  sqlite3_stmt* stmt = delete_expired_.get();
  ScopedStmtReset reset(stmt);
  KYSO_RETURN_IF_ERROR(BindTime(db, stmt, 1, now));
  const int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) return SqliteError(db, rc, "delete expired");
  return sqlite3_changes(db);
}

}  // namespace kyso
