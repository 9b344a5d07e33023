#include "cli/server_connection.h"

#include <chrono>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "cli/token_file.h"
#include "transport/channel_credentials.h"

namespace tapio::cli {

void ServerConnection::AddFlags(CLI::App* app) {
  app->add_option("--server", server_, "host:port of the server (default: $TAPIO_SERVER)");
  app->add_option("--token-file", token_file_, "A file holding the bearer token (or TAPIO_TOKEN)");
  app->add_option("--ca-file", ca_file_, "The server's CA certificate (PEM): use TLS");
  app->add_option("--cert-file", cert_file_, "This client's certificate (PEM), if the server asks");
  app->add_option("--key-file", key_file_, "The client certificate's private key (PEM)");
}

absl::Status ServerConnection::Open() {
  if (server_.empty()) {
    if (const char* env = std::getenv("TAPIO_SERVER"); env != nullptr) server_ = env;
  }
  if (server_.empty()) {
    return absl::InvalidArgumentError("no server: pass --server or set TAPIO_SERVER");
  }
  absl::StatusOr<std::string> token = ReadToken(token_file_);
  if (!token.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--token-file ", token.status().message()));
  }
  token_ = *std::move(token);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      transport::ClientCredentials(ca_file_, cert_file_, key_file_);
  if (!credentials.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--ca-file/--cert-file/--key-file: ", credentials.status().message()));
  }
  channel_ = grpc::CreateChannel(server_, *credentials);
  return absl::OkStatus();
}

std::unique_ptr<grpc::ClientContext> ServerConnection::Context(absl::Duration timeout) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token_.empty()) context->AddMetadata("authorization", "Bearer " + token_);
  if (timeout != absl::InfiniteDuration()) {
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  }
  return context;
}

}  // namespace tapio::cli
