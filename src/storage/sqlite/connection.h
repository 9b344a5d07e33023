// A thin RAII layer over the SQLite C API: a connection that runs SQL and prepares
// statements, and a statement that binds, steps and reads columns; every failure comes back
// as a Status naming the database file and SQLite's message. Not thread-safe: the store
// serialises access.
#ifndef TAPIO_STORAGE_SQLITE_CONNECTION_H_
#define TAPIO_STORAGE_SQLITE_CONNECTION_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tapio::storage::sqlite {

class Statement {
 public:
  Statement(sqlite3_stmt* stmt, const std::string* place) : stmt_(stmt), place_(place) {}
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), place_(other.place_) {
    other.stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  // Parameters are numbered from 1. Text and blobs are copied.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, absl::string_view text);
  Statement& BindBlob(int index, absl::string_view bytes);
  // Not copied: the caller keeps the bytes unchanged until Reset.
  Statement& BindTextUntilReset(int index, absl::string_view text);
  Statement& BindBlobUntilReset(int index, absl::string_view bytes);

  // True while there is a row to read; false when done.
  absl::StatusOr<bool> Step();
  // Steps to the end, for statements that return no rows.
  absl::Status Run();
  // Ready to run again with new bindings.
  void Reset();

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  absl::string_view Blob(int column) const;

 private:
  sqlite3_stmt* stmt_;
  const std::string* place_;
};

class Connection {
 public:
  // Opens (creating when missing) the database file. Fails with Unavailable naming it.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  absl::Status Execute(absl::string_view sql);
  absl::StatusOr<Statement> Prepare(absl::string_view sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  absl::Status Error(absl::string_view doing) const;

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

}  // namespace tapio::storage::sqlite

#endif  // TAPIO_STORAGE_SQLITE_CONNECTION_H_
