// gRPC answers a request whose bytes do not decode as the method's message with a bare
// INTERNAL and no message; this interceptor says instead what it is: INVALID_ARGUMENT, naming
// the method and the message it expected. The server's own handlers never return INTERNAL
// without a message, so nothing else is rewritten.
#ifndef TAPIO_SERVER_UNDECODABLE_REQUEST_H_
#define TAPIO_SERVER_UNDECODABLE_REQUEST_H_

#include <memory>

#include "grpcpp/support/server_interceptor.h"

namespace tapio::server {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
UndecodableRequestInterceptors();

}  // namespace tapio::server

#endif  // TAPIO_SERVER_UNDECODABLE_REQUEST_H_
