#include "server/bearer_token.h"

namespace tapio::server {
namespace {

bool SameInConstantTime(absl::string_view given, const std::string& expected) {
  unsigned char differ = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    unsigned char g = i < given.size() ? static_cast<unsigned char>(given.data()[i]) : 0;
    differ |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(expected[i]));
  }
  return differ == 0;
}

}  // namespace

grpc::Status BearerToken::Check(const grpc::ServerContext& context) const {
  if (open_) return grpc::Status::OK;
  auto found = context.client_metadata().find("authorization");
  if (found == context.client_metadata().end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no bearer token");
  }
  if (!SameInConstantTime(absl::string_view(found->second.data(), found->second.size()),
                          expected_)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "wrong bearer token");
  }
  return grpc::Status::OK;
}

absl::Status BearerToken::CheckHeader(const std::string* authorization) const {
  if (open_) return absl::OkStatus();
  if (authorization == nullptr) return absl::UnauthenticatedError("no bearer token");
  if (!SameInConstantTime(*authorization, expected_)) {
    return absl::UnauthenticatedError("wrong bearer token");
  }
  return absl::OkStatus();
}

}  // namespace tapio::server
