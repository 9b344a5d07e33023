#include "storage/postgres/testing/postgres_server.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace tapio::storage::postgres::testing {
namespace {

namespace fs = std::filesystem;

std::string Binaries() {
  std::error_code error;
  for (const fs::directory_entry& version : fs::directory_iterator("/usr/lib/postgresql", error)) {
    fs::path bin = version.path() / "bin";
    if (fs::exists(bin / "initdb") && fs::exists(bin / "postgres")) return bin.string();
  }
  return "";
}

int FreePort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  close(s);
  return ntohs(addr.sin_port);
}

// Runs argv as the postgres user when this process is root; returns the child's pid.
int Spawn(std::vector<std::string> argv, const std::string& log) {
  int pid = fork();
  if (pid != 0) return pid;
  if (geteuid() == 0) {
    if (passwd* pg = getpwnam("postgres"); pg != nullptr) {
      if (setgid(pg->pw_gid) != 0 || setuid(pg->pw_uid) != 0) _exit(126);
    }
  }
  // A test process that dies without stopping the server takes it along (set after the user
  // change, which clears it).
  prctl(PR_SET_PDEATHSIG, SIGINT);
  FILE* out = std::fopen(log.c_str(), "a");
  if (out != nullptr) {
    dup2(fileno(out), 1);
    dup2(fileno(out), 2);
  }
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  std::string bin = Binaries();
  if (bin.empty()) return absl::NotFoundError("PostgreSQL is not installed (/usr/lib/postgresql)");
  std::string dir = absl::StrCat(fs::temp_directory_path().string(), "/tapio-pg-", getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  if (geteuid() == 0) {
    if (passwd* pg = getpwnam("postgres"); pg != nullptr) {
      if (chown(dir.c_str(), pg->pw_uid, pg->pw_gid) != 0) {
        return absl::InternalError(absl::StrCat("cannot give ", dir, " to the postgres user"));
      }
    }
  }
  std::string log = dir + "/server.log";
  std::string data = dir + "/data";
  int init = Spawn(
      {bin + "/initdb", "-D", data, "-U", "tapio", "--auth=trust", "-E", "UTF8", "--no-sync"}, log);
  int status = 0;
  waitpid(init, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("initdb failed: ", Read(log)));
  }
  // A free port can be taken by another test process before our server binds it, and a
  // server answering on it may then be theirs: try again on another port until ours answers.
  constexpr int kAttempts = 5;
  std::string last_log;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    int port = FreePort();
    int pid = Spawn({bin + "/postgres", "-D", data, "-p", absl::StrCat(port), "-k", dir, "-h",
                     "127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"},
                    log);
    std::unique_ptr<PostgresServer> server(new PostgresServer(dir, port, pid));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid, &status, WNOHANG) == pid) {
        server->pid_ = 0;
        break;
      }
      if (PQping(server->ConnInfo("postgres").c_str()) == PQPING_OK) {
        if (server->ServesFrom(data)) return server;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    last_log = Read(log);
    // This attempt's server stops with `server`; the directory stays for the next attempt.
    server->dir_.clear();
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return absl::InternalError(
      absl::StrCat("postgres did not come up on a port of its own: ", last_log));
}

bool PostgresServer::ServesFrom(const std::string& data) const {
  PGconn* conn = PQconnectdb(ConnInfo("postgres").c_str());
  bool ours = false;
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* r = PQexec(conn, "SHOW data_directory");
    std::error_code unknown;
    ours = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
           fs::equivalent(PQgetvalue(r, 0, 0), data, unknown);
    PQclear(r);
  }
  PQfinish(conn);
  return ours;
}

PostgresServer::~PostgresServer() {
  if (pid_ > 0) {
    kill(pid_, SIGINT);  // fast shutdown
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  if (!dir_.empty()) fs::remove_all(dir_, ignored);
}

std::string PostgresServer::ConnInfo(const std::string& database) const {
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=tapio dbname=", database,
                      " connect_timeout=5");
}

absl::Status PostgresServer::CreateDatabase(const std::string& name) const {
  PGconn* conn = PQconnectdb(ConnInfo("postgres").c_str());
  PGresult* r = PQexec(conn, absl::StrCat("CREATE DATABASE ", name).c_str());
  absl::Status status = PQresultStatus(r) == PGRES_COMMAND_OK
                            ? absl::OkStatus()
                            : absl::InternalError(PQerrorMessage(conn));
  PQclear(r);
  PQfinish(conn);
  return status;
}

}  // namespace tapio::storage::postgres::testing
