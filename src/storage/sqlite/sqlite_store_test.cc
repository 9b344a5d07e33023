#include "storage/sqlite/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tapio::storage::sqlite {
namespace {

std::string FreshPath(absl::string_view name) {
  std::string path = absl::StrCat(::testing::TempDir(), "tapio-sqlite-", getpid(), "-", name);
  std::filesystem::remove(path);
  return path;
}

int64_t Scalar(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  int64_t value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

TEST(SqliteStoreTest, ANewFileGetsTheSchemaInWalModeWithLargePagesAndItsVersionRecorded) {
  std::string path = FreshPath("new.db");
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open({path});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(Scalar(path, "SELECT MAX(version) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(Scalar(path, "PRAGMA page_size"), 16384);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(SqliteStoreTest, ReopeningMigratesNothingTwice) {
  std::string path = FreshPath("twice.db");
  ASSERT_TRUE(SqliteStore::Open({path}).ok());
  ASSERT_TRUE(SqliteStore::Open({path}).ok());
  EXPECT_EQ(Scalar(path, "SELECT COUNT(*) FROM schema_version"), kSchemaVersion);
}

TEST(SqliteStoreTest, AVersionOneFileKeepsItsEventsRawRecordsAndEntitiesWithArrivalsInTimeOrder) {
  std::string path = FreshPath("v1.db");
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  // The version-1 schema as it shipped, with two events stored out of time order.
  std::string late, early;
  {
    tapio::v1::UnifiedEvent e;
    e.set_id(20);
    e.set_time_unix_nano(200);
    late = e.SerializeAsString();
    e.set_id(10);
    e.set_time_unix_nano(100);
    early = e.SerializeAsString();
  }
  sqlite3_exec(db,
               "CREATE TABLE schema_version (version INTEGER); INSERT INTO schema_version VALUES "
               "(1); CREATE TABLE events (id INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, kind "
               "TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, "
               "body BLOB NOT NULL); CREATE TABLE raw_records (event_id INTEGER PRIMARY KEY, "
               "time_ns INTEGER NOT NULL, bytes BLOB NOT NULL); CREATE TABLE incidents (id "
               "INTEGER PRIMARY KEY, open INTEGER NOT NULL, body BLOB NOT NULL);",
               nullptr, nullptr, nullptr);
  for (const auto& [id, time, body] : {std::tuple{20, 200, &late}, std::tuple{10, 100, &early}}) {
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO events VALUES (?, ?, 'Pod', 'a', 'b', 't', ?)", -1, &insert,
                       nullptr);
    sqlite3_bind_int64(insert, 1, id);
    sqlite3_bind_int64(insert, 2, time);
    sqlite3_bind_blob(insert, 3, body->data(), static_cast<int>(body->size()), SQLITE_STATIC);
    EXPECT_EQ(sqlite3_step(insert), SQLITE_DONE);
    sqlite3_finalize(insert);
  }
  sqlite3_exec(db, "INSERT INTO raw_records VALUES (20, 200, 'the raw record of 20')", nullptr,
               nullptr, nullptr);
  sqlite3_close(db);

  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open({path});
  ASSERT_TRUE(store.ok()) << store.status();
  tapio::v1::UnifiedEvent next;
  next.set_id(5);
  next.set_time_unix_nano(50);
  ASSERT_TRUE((*store)->Append({next}).ok());
  absl::StatusOr<ArrivalPage> page = (*store)->EventsInArrivalOrder(0, 10);
  ASSERT_TRUE(page.ok()) << page.status();
  std::vector<uint64_t> ids;
  for (const auto& e : page->events) ids.push_back(e.id());
  EXPECT_EQ(ids, (std::vector<uint64_t>{10, 20, 5}));
  EXPECT_EQ(page->events[1].raw(), "the raw record of 20");
  EXPECT_EQ(*(*store)->RawRecord(20), "the raw record of 20");
  EventQuery by_entity;
  by_entity.kind = "Pod";
  by_entity.namespace_name = "a";
  by_entity.name = "b";
  absl::StatusOr<EventPage> found = (*store)->Events(by_entity);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->events.size(), 2u) << "both older events keep their entity";
  EXPECT_EQ(found->events[0].id(), 10u);
}

TEST(SqliteStoreTest, AFileFromANewerTapioIsRefusedNotDamaged) {
  std::string path = FreshPath("newer.db");
  ASSERT_TRUE(SqliteStore::Open({path}).ok());
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "INSERT INTO schema_version VALUES (99)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open({path});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("version 99"), std::string::npos);
}

TEST(SqliteStoreTest, AnUnopenableFileIsNamed) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open({"/nonexistent/dir/tapio.db"});
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("/nonexistent/dir/tapio.db"), std::string::npos);
}

}  // namespace
}  // namespace tapio::storage::sqlite
