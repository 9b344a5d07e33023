// Test support: a real PostgreSQL server of Debian's package, made in a temporary directory
// with initdb and started on 127.0.0.1 on a free port for the life of the object, or of the
// test process if it dies first (as the `postgres` user when the tests run as root, since
// the server refuses to run as root).
// Test code only.
#ifndef TAPIO_STORAGE_POSTGRES_TESTING_POSTGRES_SERVER_H_
#define TAPIO_STORAGE_POSTGRES_TESTING_POSTGRES_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace tapio::storage::postgres::testing {

class PostgresServer {
 public:
  // Fails with NotFound when PostgreSQL is not installed, Internal with its log otherwise.
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start();
  ~PostgresServer();

  // A libpq connection string for `database` on this server (user tapio, no password).
  std::string ConnInfo(const std::string& database) const;
  // Creates a database; fails with the server's message.
  absl::Status CreateDatabase(const std::string& name) const;

 private:
  // Whether the server answering on our port keeps its data in `data`.
  bool ServesFrom(const std::string& data) const;

  PostgresServer(std::string dir, int port, int pid)
      : dir_(std::move(dir)), port_(port), pid_(pid) {}
  std::string dir_;
  int port_;
  int pid_;
};

}  // namespace tapio::storage::postgres::testing

#endif  // TAPIO_STORAGE_POSTGRES_TESTING_POSTGRES_SERVER_H_
