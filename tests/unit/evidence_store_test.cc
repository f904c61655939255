#include "service/revocation/evidence_store.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/revocation/sqlite_ptr.h"

namespace kyso {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

constexpr absl::Time kNow = absl::FromUnixSeconds(1700000000);

StoredEvidence Evidence(std::string key, std::string der, absl::Time expires_at,
                        RevocationSourceKind source = RevocationSourceKind::kOcsp) {
  StoredEvidence e;
  e.key = std::move(key);
  e.source = source;
  e.url = "http://ocsp.example.test/";
  e.der = std::move(der);
  e.fetched_at = kNow - absl::Minutes(5);
  e.expires_at = expires_at;
  return e;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Runs `sql` on its own connection to `path`, as another program (or an older kyso) would.
void ExecRaw(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  const int open_rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  SqlitePtr db(raw);
  ASSERT_EQ(open_rc, SQLITE_OK) << sqlite3_errmsg(db.get());
  ASSERT_EQ(sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db.get());
}

std::string QueryRaw(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  const int open_rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  SqlitePtr db(raw);
  if (open_rc != SQLITE_OK) return absl::StrCat("open failed: ", sqlite3_errmsg(db.get()));
  sqlite3_stmt* raw_stmt = nullptr;
  const int prepare_rc = sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &raw_stmt, nullptr);
  SqliteStmtPtr stmt(raw_stmt);
  if (prepare_rc != SQLITE_OK) return absl::StrCat("prepare failed: ", sqlite3_errmsg(db.get()));
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return "no row";
  const unsigned char* text = sqlite3_column_text(stmt.get(), 0);
  return text == nullptr ? "" : reinterpret_cast<const char*>(text);
}

class EvidenceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "evidence_store_test_XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    path_ = dir_ + "/cache.sqlite";
  }

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::unique_ptr<EvidenceStore> OpenOrDie() {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store = EvidenceStore::Open(path_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  // The main files moved aside by a rebuild (not their -wal/-shm companions).
  std::vector<std::string> AsideFiles() const {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      const std::string name = entry.path().filename().string();
      if (absl::StartsWith(name, "cache.sqlite.corrupt-") && !absl::EndsWith(name, "-wal") &&
          !absl::EndsWith(name, "-shm")) {
        found.push_back(entry.path().string());
      }
    }
    return found;
  }

  // A store that takes a put and gives it back.
  static void ExpectUsable(EvidenceStore& store) {
    ASSERT_TRUE(store.Put(Evidence("usable", "der", kNow + absl::Hours(1))).ok());
    absl::StatusOr<std::optional<StoredEvidence>> got = store.Get("usable", kNow);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->der, "der");
  }

  std::string dir_;
  std::string path_;
};

TEST_F(EvidenceStoreTest, PutThenGetRoundTripsEveryField) {
  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->rebuilt());
  EXPECT_EQ(store->rebuild_reason(), "");

  // Keys and DER are bytes: NULs and high bytes must survive.
  std::string der;
  for (int b = 0; b < 256; ++b) der.push_back(static_cast<char>(b));
  const std::string key("\x00\x01\xff key", 7);
  StoredEvidence put = Evidence(key, der, kNow + absl::Hours(4), RevocationSourceKind::kCrl);
  put.url = "http://crl.example.test/ca.crl";
  ASSERT_TRUE(store->Put(put).ok());

  absl::StatusOr<std::optional<StoredEvidence>> got = store->Get(key, kNow);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->key, key);
  EXPECT_EQ((*got)->source, RevocationSourceKind::kCrl);
  EXPECT_EQ((*got)->url, "http://crl.example.test/ca.crl");
  EXPECT_EQ((*got)->der, der);
  EXPECT_EQ((*got)->fetched_at, kNow - absl::Minutes(5));
  EXPECT_EQ((*got)->expires_at, kNow + absl::Hours(4));
}

TEST_F(EvidenceStoreTest, EmptyKeyAndDerAreStoredAsEmptyNotNull) {
  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put(Evidence("", "", kNow + absl::Hours(1))).ok());
  absl::StatusOr<std::optional<StoredEvidence>> got = store->Get(absl::string_view(), kNow);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->der, "");
}

TEST_F(EvidenceStoreTest, GetOfAMissingKeyIsEmpty) {
  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<std::optional<StoredEvidence>> got = store->Get("absent", kNow);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());
}

TEST_F(EvidenceStoreTest, ExpiredEntriesAreNotReturnedAndDeleteExpiredRemovesThem) {
  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put(Evidence("fresh", "a", kNow + absl::Hours(1))).ok());
  ASSERT_TRUE(store->Put(Evidence("stale", "b", kNow - absl::Seconds(1))).ok());
  ASSERT_TRUE(store->Put(Evidence("expires-now", "c", kNow)).ok());

  EXPECT_TRUE(store->Get("fresh", kNow)->has_value());
  EXPECT_FALSE(store->Get("stale", kNow)->has_value());
  EXPECT_FALSE(store->Get("expires-now", kNow)->has_value());
  // Still there a second earlier: expiry is decided by `now`, not by the clock.
  EXPECT_TRUE(store->Get("expires-now", kNow - absl::Seconds(1))->has_value());

  absl::StatusOr<int> deleted = store->DeleteExpired(kNow);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 2);
  EXPECT_FALSE(store->Get("expires-now", kNow - absl::Seconds(1))->has_value());
  EXPECT_TRUE(store->Get("fresh", kNow)->has_value());
  EXPECT_EQ(*store->DeleteExpired(kNow), 0);

  EXPECT_FALSE(store->Get("fresh", kNow + absl::Hours(1))->has_value());
  EXPECT_EQ(*store->DeleteExpired(kNow + absl::Hours(2)), 1);
}

TEST_F(EvidenceStoreTest, SubsecondExpiryRoundsDownNeverUp) {
  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put(Evidence("k", "der", kNow + absl::Milliseconds(1500))).ok());
  absl::StatusOr<std::optional<StoredEvidence>> got = store->Get("k", kNow);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->expires_at, kNow + absl::Seconds(1));
  EXPECT_FALSE(store->Get("k", kNow + absl::Milliseconds(1200))->has_value());
}

TEST_F(EvidenceStoreTest, PutReplacesTheEntryForItsKey) {
  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put(Evidence("k", "old", kNow + absl::Hours(1))).ok());
  StoredEvidence newer = Evidence("k", "new", kNow + absl::Hours(2), RevocationSourceKind::kCrl);
  newer.url = "http://crl.example.test/";
  ASSERT_TRUE(store->Put(newer).ok());

  absl::StatusOr<std::optional<StoredEvidence>> got = store->Get("k", kNow);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->der, "new");
  EXPECT_EQ((*got)->url, "http://crl.example.test/");
  EXPECT_EQ((*got)->source, RevocationSourceKind::kCrl);
  EXPECT_EQ((*got)->expires_at, kNow + absl::Hours(2));
  EXPECT_EQ(*store->DeleteExpired(kNow + absl::Hours(3)), 1);  // one row, not two
}

TEST_F(EvidenceStoreTest, PutRejectsEvidenceWithoutASource) {
  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  absl::Status put =
      store->Put(Evidence("k", "der", kNow + absl::Hours(1), RevocationSourceKind::kNone));
  EXPECT_EQ(put.code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(EvidenceStoreTest, EntriesSurviveReopening) {
  {
    std::unique_ptr<EvidenceStore> store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put(Evidence("k", "der", kNow + absl::Hours(1))).ok());
  }
  std::unique_ptr<EvidenceStore> reopened = OpenOrDie();
  ASSERT_NE(reopened, nullptr);
  EXPECT_FALSE(reopened->rebuilt());
  absl::StatusOr<std::optional<StoredEvidence>> got = reopened->Get("k", kNow);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->der, "der");

  EXPECT_EQ(QueryRaw(path_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryRaw(path_, "PRAGMA user_version"), "1");
}

TEST_F(EvidenceStoreTest, TwoConnectionsOnOneFileBothWork) {
  std::unique_ptr<EvidenceStore> first = OpenOrDie();
  std::unique_ptr<EvidenceStore> second = OpenOrDie();  // another process, as far as SQLite knows
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_FALSE(second->rebuilt());

  ASSERT_TRUE(first->Put(Evidence("from-first", "1", kNow + absl::Hours(1))).ok());
  ASSERT_TRUE(second->Put(Evidence("from-second", "2", kNow + absl::Hours(1))).ok());
  EXPECT_EQ((*second->Get("from-first", kNow))->der, "1");
  EXPECT_EQ((*first->Get("from-second", kNow))->der, "2");

  // Writers on both connections at once wait for each other's lock instead of failing.
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    EvidenceStore* store = t % 2 == 0 ? first.get() : second.get();
    threads.emplace_back([store, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::Status put =
            store->Put(Evidence(absl::StrCat(t, "-", i), absl::StrCat(i), kNow + absl::Hours(1)));
        if (!put.ok()) {
          ADD_FAILURE() << put;
          return;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      for (EvidenceStore* store : {first.get(), second.get()}) {
        absl::StatusOr<std::optional<StoredEvidence>> got =
            store->Get(absl::StrCat(t, "-", i), kNow);
        ASSERT_TRUE(got.ok()) << got.status();
        ASSERT_TRUE(got->has_value()) << t << "-" << i;
        EXPECT_EQ((*got)->der, absl::StrCat(i));
      }
    }
  }
}

TEST_F(EvidenceStoreTest, AGarbageFileIsMovedAsideAndRebuilt) {
  std::mt19937 random(20240601);
  std::string garbage(4096, '\0');
  for (char& c : garbage) c = static_cast<char>(random() & 0xff);
  WriteAll(path_, garbage);

  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->rebuilt());
  EXPECT_THAT(store->rebuild_reason(), HasSubstr("not a database"));
  std::vector<std::string> aside = AsideFiles();
  ASSERT_EQ(aside.size(), 1u);
  EXPECT_THAT(store->rebuild_reason(), HasSubstr(aside[0]));
  EXPECT_EQ(ReadAll(aside[0]), garbage);
  ExpectUsable(*store);

  store.reset();
  std::unique_ptr<EvidenceStore> reopened = OpenOrDie();
  ASSERT_NE(reopened, nullptr);
  EXPECT_FALSE(reopened->rebuilt());
  EXPECT_TRUE((*reopened->Get("usable", kNow)).has_value());
}

TEST_F(EvidenceStoreTest, ATruncatedDatabaseIsMovedAsideAndRebuilt) {
  {
    std::unique_ptr<EvidenceStore> store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE(store
                      ->Put(Evidence(absl::StrCat("key-", i), std::string(1024, 'x'),
                                     kNow + absl::Hours(1)))
                      .ok());
    }
  }  // the last connection checkpoints the WAL into the main file
  const uintmax_t size = std::filesystem::file_size(path_);
  ASSERT_GT(size, 100u * 1024);
  std::filesystem::resize_file(path_, size / 2);

  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->rebuilt());
  EXPECT_FALSE(store->rebuild_reason().empty());
  EXPECT_EQ(AsideFiles().size(), 1u);
  EXPECT_FALSE((*store->Get("key-1", kNow)).has_value());
  ExpectUsable(*store);
}

TEST_F(EvidenceStoreTest, AnotherSchemaVersionIsRebuilt) {
  {
    std::unique_ptr<EvidenceStore> store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put(Evidence("k", "der", kNow + absl::Hours(1))).ok());
  }
  ExecRaw(path_, "PRAGMA user_version=99");

  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->rebuilt());
  EXPECT_THAT(store->rebuild_reason(), HasSubstr("schema version 99"));
  EXPECT_EQ(AsideFiles().size(), 1u);
  EXPECT_FALSE((*store->Get("k", kNow)).has_value());
  ExpectUsable(*store);
  EXPECT_EQ(QueryRaw(path_, "PRAGMA user_version"), "1");
}

TEST_F(EvidenceStoreTest, ADatabaseOfAnotherProgramIsRebuilt) {
  ExecRaw(path_, "CREATE TABLE notes (text TEXT)");

  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->rebuilt());
  EXPECT_THAT(store->rebuild_reason(), HasSubstr("without a schema version"));
  ExpectUsable(*store);
}

TEST_F(EvidenceStoreTest, AnEmptyFileIsInitialisedNotRebuilt) {
  WriteAll(path_, "");
  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->rebuilt());
  EXPECT_TRUE(AsideFiles().empty());
  ExpectUsable(*store);
}

TEST_F(EvidenceStoreTest, AnUnwritableLocationIsAnErrorStatus) {
  for (const std::string& path :
       {std::string("/proc/kyso-nope/cache.sqlite"), dir_ + "/a-file/cache.sqlite"}) {
    WriteAll(dir_ + "/a-file", "not a directory");
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store = EvidenceStore::Open(path);
    ASSERT_FALSE(store.ok()) << path;
    EXPECT_THAT(store.status().code(),
                AnyOf(absl::StatusCode::kPermissionDenied, absl::StatusCode::kUnavailable))
        << store.status();
    EXPECT_THAT(store.status().message(), HasSubstr(path));
  }
}

TEST_F(EvidenceStoreTest, AReadOnlyDirectoryIsPermissionDenied) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes through chmod 0500";
  const std::string locked = dir_ + "/locked";
  ASSERT_EQ(mkdir(locked.c_str(), 0500), 0);
  absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
      EvidenceStore::Open(locked + "/cache.sqlite");
  EXPECT_EQ(store.status().code(), absl::StatusCode::kPermissionDenied) << store.status();
  chmod(locked.c_str(), 0700);  // so that TearDown can remove it
}

TEST_F(EvidenceStoreTest, ConcurrentPutsAndGetsAreConsistent) {
  std::unique_ptr<EvidenceStore> store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Each thread's own key reads back what it wrote.
        const std::string key = absl::StrCat("t", t, "-", i);
        const std::string der = absl::StrCat("der-", t, "-", i);
        absl::Status put = store->Put(Evidence(key, der, kNow + absl::Hours(1)));
        absl::StatusOr<std::optional<StoredEvidence>> got = store->Get(key, kNow);
        if (!put.ok() || !got.ok() || !got->has_value() || (*got)->der != der) {
          ADD_FAILURE() << key << ": put " << put << ", get "
                        << (got.ok() ? (got->has_value() ? (*got)->der : "nothing")
                                     : got.status().ToString());
          return;
        }
        // A key every thread writes reads back as one whole row, from some thread.
        StoredEvidence shared = Evidence("shared", absl::StrCat("der-", t), kNow + absl::Hours(1));
        shared.url = absl::StrCat("url-", t);
        absl::Status shared_put = store->Put(shared);
        absl::StatusOr<std::optional<StoredEvidence>> shared_got = store->Get("shared", kNow);
        if (!shared_put.ok() || !shared_got.ok() || !shared_got->has_value() ||
            (*shared_got)->der.substr(4) != (*shared_got)->url.substr(4)) {
          ADD_FAILURE() << "shared: put " << shared_put << ", get "
                        << (shared_got.ok() ? "mismatched row" : shared_got.status().ToString());
          return;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      absl::StatusOr<std::optional<StoredEvidence>> got =
          store->Get(absl::StrCat("t", t, "-", i), kNow);
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_TRUE(got->has_value());
      EXPECT_EQ((*got)->der, absl::StrCat("der-", t, "-", i));
    }
  }
  EXPECT_EQ(*store->DeleteExpired(kNow + absl::Hours(1)), kThreads * kPerThread + 1);
}

}  // namespace
}  // namespace kyso
