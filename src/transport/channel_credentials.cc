#include "transport/channel_credentials.h"

#include "domain/source_file.h"

namespace tapio::transport {
namespace {

// A CA bundle is a few kilobytes; a file far larger is not one.
constexpr size_t kMaxPemBytes = 1 << 20;

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    const std::string& ca_file) {
  if (ca_file.empty()) return grpc::InsecureChannelCredentials();
  absl::StatusOr<std::string> pem = domain::ReadWholeFile(ca_file, kMaxPemBytes);
  if (!pem.ok()) return pem.status();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = *std::move(pem);
  return grpc::SslCredentials(ssl);
}

}  // namespace tapio::transport
