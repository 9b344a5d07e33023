#include "server/undecodable_request.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace tapio::server {
namespace {

namespace gx = ::grpc::experimental;

class Rewrite final : public gx::Interceptor {
 public:
  explicit Rewrite(gx::ServerRpcInfo* info) : method_(info->method()) {}

  void Intercept(gx::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(gx::InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::INTERNAL && status.error_message().empty()) {
        methods->ModifySendStatus(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            absl::StrCat(method_, ": the request is not a valid protobuf message for it")));
      }
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
};

class RewriteFactory final : public gx::ServerInterceptorFactoryInterface {
 public:
  gx::Interceptor* CreateServerInterceptor(gx::ServerRpcInfo* info) override {
    return new Rewrite(info);
  }
};

}  // namespace

std::unique_ptr<gx::ServerInterceptorFactoryInterface> UndecodableRequestInterceptors() {
  return std::make_unique<RewriteFactory>();
}

}  // namespace tapio::server
