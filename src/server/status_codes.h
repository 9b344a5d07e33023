// One mapping from what went wrong (absl::Status) to what each API says: the gRPC status, and
// the HTTP status with the JSON error body that the REST gateway sends.
#ifndef TAPIO_SERVER_STATUS_CODES_H_
#define TAPIO_SERVER_STATUS_CODES_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"

namespace tapio::server {

grpc::Status ToGrpcStatus(const absl::Status& status);

// 400, 401, 404, 413, 503 or 500.
int HttpStatusOf(absl::StatusCode code);

// {"code": 5, "status": "NOT_FOUND", "message": "..."}, as Google's JSON APIs write errors.
std::string ErrorJson(const absl::Status& status);

}  // namespace tapio::server

#endif  // TAPIO_SERVER_STATUS_CODES_H_
