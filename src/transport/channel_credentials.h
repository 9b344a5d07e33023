// The credentials a client uses to reach a Tapio server: TLS trusting the CA certificate in
// a PEM file, with a client certificate when the server asks for one, or plaintext when no CA
// is named. Thread-safe.
#ifndef TAPIO_TRANSPORT_CHANNEL_CREDENTIALS_H_
#define TAPIO_TRANSPORT_CHANNEL_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"

namespace tapio::transport {

// Fails naming the file when one cannot be read, and with InvalidArgument for a certificate
// without its key (or the other way round) or without a CA.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    const std::string& ca_file, const std::string& cert_file = "",
    const std::string& key_file = "");

}  // namespace tapio::transport

#endif  // TAPIO_TRANSPORT_CHANNEL_CREDENTIALS_H_
