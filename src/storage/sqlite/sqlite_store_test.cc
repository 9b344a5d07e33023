#include "storage/sqlite/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

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

TEST(SqliteStoreTest, ANewFileGetsTheSchemaInWalModeAndItsVersionRecorded) {
  std::string path = FreshPath("new.db");
  ASSERT_TRUE(SqliteStore::Open({path}).ok());
  EXPECT_EQ(Scalar(path, "SELECT MAX(version) FROM schema_version"), kSchemaVersion);
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
