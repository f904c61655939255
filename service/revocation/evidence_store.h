// The persistent tier of kyso's revocation cache: verified OCSP responses and CRLs in one SQLite
// file, so that revocation evidence survives restarts.
//
// Key: the caller's cache key, as bytes (a CertID digest for OCSP, "crl:" + issuer SHA-256 for a
// CRL); one row per key.
// Bound: none in rows. A row lives until its `expires_at` (which the caller sets to
// min(nextUpdate, fetched_at + max_age)), so the file holds at most the evidence put within one
// max_age; the caller keeps it there by calling DeleteExpired() periodically.
// Eviction: by time only. Get() never returns a row expired at `now`; DeleteExpired() removes them.
// Put() replaces the row for its key.
// Thread-safety: every method is safe to call concurrently; one connection, serialised by a
// mutex. Several processes may share one file: it is in WAL mode (readers never wait for the
// writer) and a connection waits up to 5 s for another one's write lock before it reports
// kUnavailable; it waits holding the mutex, so this store's other callers wait with it.
//
// The store trusts nothing it reads back: it keeps the DER exactly as received, and the caller
// re-verifies it (signature, CertID, freshness at the validation time) before using it.
//
//   absl::StatusOr<std::unique_ptr<EvidenceStore>> store = EvidenceStore::Open(path);
//   if (!store.ok()) { /* log, run with the memory tier only */ }
//   if ((*store)->rebuilt()) { /* log (*store)->rebuild_reason() */ }
//   KYSO_RETURN_IF_ERROR((*store)->Put({key, RevocationSourceKind::kOcsp, url, der, now, expiry}));
//   KYSO_ASSIGN_OR_RETURN(std::optional<StoredEvidence> hit, (*store)->Get(key, now));
#ifndef KYSO_SERVICE_REVOCATION_EVIDENCE_STORE_H_
#define KYSO_SERVICE_REVOCATION_EVIDENCE_STORE_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "crypto/report.h"
#include "service/revocation/sqlite_ptr.h"

namespace kyso {

struct StoredEvidence {
  std::string key;                                            // the caller's cache key (bytes)
  RevocationSourceKind source = RevocationSourceKind::kNone;  // kOcsp or kCrl
  std::string url;                                            // where it was fetched
  std::string der;  // the verified response / CRL, as received
  // Both times are stored as whole Unix seconds, rounded down; for `expires_at` that only ever
  // makes evidence expire earlier, never later.
  absl::Time fetched_at;
  absl::Time expires_at;  // min(nextUpdate, fetched_at + max_age), computed by the caller
};

class EvidenceStore final {
 public:
  // Opens (creating) the SQLite file at `path` in WAL mode with a 5 s busy timeout, and creates
  // the schema (the `evidence` table, versioned by PRAGMA user_version).
  //
  // A file that is not a database, is corrupt (PRAGMA quick_check fails) or has another schema
  // version is moved aside to `path`.corrupt-<unix time> (with its -wal, -shm and -journal files)
  // and a new one is built; rebuilt() then says so and rebuild_reason() why. A location that
  // cannot be opened for writing is an error (kPermissionDenied or kUnavailable), and the caller
  // runs with the memory tier only.
  static absl::StatusOr<std::unique_ptr<EvidenceStore>> Open(const std::string& path);

  EvidenceStore(const EvidenceStore&) = delete;
  EvidenceStore& operator=(const EvidenceStore&) = delete;

  // The entry for `key` if there is one and it has not expired at `now`.
  absl::StatusOr<std::optional<StoredEvidence>> Get(absl::string_view key, absl::Time now)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Inserts the entry, or replaces the one with the same key. `source` must be kOcsp or kCrl
  // (kInvalidArgument otherwise).
  absl::Status Put(const StoredEvidence& evidence) ABSL_LOCKS_EXCLUDED(mu_);

  // Removes the entries that have expired at `now` (the ones Get() no longer returns) and returns
  // how many there were.
  absl::StatusOr<int> DeleteExpired(absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);

  // Whether Open() found an unusable file and replaced it, and why (for the caller's log).
  bool rebuilt() const { return !rebuild_reason_.empty(); }
  const std::string& rebuild_reason() const { return rebuild_reason_; }

 private:
  EvidenceStore(SqlitePtr db, SqliteStmtPtr get, SqliteStmtPtr put, SqliteStmtPtr delete_expired,
                std::string rebuild_reason);

  absl::Mutex mu_;
  // Declared before the statements so that they are finalised before it is closed.
  SqlitePtr db_ ABSL_GUARDED_BY(mu_);
  SqliteStmtPtr get_ ABSL_GUARDED_BY(mu_);
  SqliteStmtPtr put_ ABSL_GUARDED_BY(mu_);
  SqliteStmtPtr delete_expired_ ABSL_GUARDED_BY(mu_);
  const std::string rebuild_reason_;  // empty unless Open() rebuilt the file
};

}  // namespace kyso

#endif  // KYSO_SERVICE_REVOCATION_EVIDENCE_STORE_H_
