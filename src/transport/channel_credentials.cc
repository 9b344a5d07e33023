#include "transport/channel_credentials.h"

#include "domain/source_file.h"

namespace tapio::transport {
namespace {

// A CA bundle is a few kilobytes; a file far larger is not one.
constexpr size_t kMaxPemBytes = 1 << 20;

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    const std::string& ca_file, const std::string& cert_file, const std::string& key_file) {
  if (cert_file.empty() != key_file.empty()) {
    return absl::InvalidArgumentError("a client certificate needs both its file and its key's");
  }
  if (ca_file.empty()) {
    if (!cert_file.empty()) {
      return absl::InvalidArgumentError("a client certificate is only sent over TLS: name the CA");
    }
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions ssl;
  for (auto [path, out] :
       {std::pair{&ca_file, &ssl.pem_root_certs}, std::pair{&cert_file, &ssl.pem_cert_chain},
        std::pair{&key_file, &ssl.pem_private_key}}) {
    if (path->empty()) continue;
    absl::StatusOr<std::string> pem = domain::ReadWholeFile(*path, kMaxPemBytes);
    if (!pem.ok()) return pem.status();
    *out = *std::move(pem);
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace tapio::transport
