// The credentials a client uses to reach a Tapio server: TLS trusting the CA certificate in
// a PEM file, or plaintext when no file is named. Thread-safe.
#ifndef TAPIO_TRANSPORT_CHANNEL_CREDENTIALS_H_
#define TAPIO_TRANSPORT_CHANNEL_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"

namespace tapio::transport {

// Fails naming the file when it cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    const std::string& ca_file);

}  // namespace tapio::transport

#endif  // TAPIO_TRANSPORT_CHANNEL_CREDENTIALS_H_
