// How a client command reaches a server: the address from --server or TAPIO_SERVER, the
// bearer token from --token-file or TAPIO_TOKEN (never from the command line), TLS when
// --ca-file names the CA that signed the server's certificate, and a client certificate
// (--cert-file, --key-file) for a server that asks for one. Thread-compatible.
#ifndef TAPIO_CLI_SERVER_CONNECTION_H_
#define TAPIO_CLI_SERVER_CONNECTION_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace tapio::cli {

class ServerConnection {
 public:
  void AddFlags(CLI::App* app);
  // Resolves the address and reads the token and CA. Fails with a message that names the
  // flag or variable at fault.
  absl::Status Open();

  const std::string& server() const { return server_; }
  const std::string& token() const { return token_; }
  const std::string& ca_file() const { return ca_file_; }
  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  // A call context carrying the token; with a deadline `timeout` away unless it is infinite.
  std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout) const;

 private:
  std::string server_;
  std::string token_file_;
  std::string ca_file_;
  std::string cert_file_;
  std::string key_file_;
  std::string token_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace tapio::cli

#endif  // TAPIO_CLI_SERVER_CONNECTION_H_
