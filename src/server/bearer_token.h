// Checks the bearer token a request carries in its `authorization` metadata against the
// server's, in time that does not depend on where they differ. Thread-safe.
#ifndef TAPIO_SERVER_BEARER_TOKEN_H_
#define TAPIO_SERVER_BEARER_TOKEN_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"

namespace tapio::server {

class BearerToken {
 public:
  // An empty token lets every request through (a server on loopback for a demo).
  explicit BearerToken(std::string token)
      : expected_("Bearer " + std::move(token)), open_(expected_ == "Bearer ") {}

  // OK, or UNAUTHENTICATED saying whether the token was missing or wrong.
  grpc::Status Check(const grpc::ServerContext& context) const;
  // The same for an HTTP request's Authorization header; nullptr when it has none.
  absl::Status CheckHeader(const std::string* authorization) const;

 private:
  std::string expected_;
  bool open_;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_BEARER_TOKEN_H_
