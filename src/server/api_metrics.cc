#include "server/api_metrics.h"

#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tapio::server {
namespace {

namespace gx = ::grpc::experimental;

// "/tapio.v1.CorrelationService/Why" → "CorrelationService/Why".
std::string MethodName(const char* full) {
  std::string name = full == nullptr ? "" : full;
  size_t dot = name.rfind('.', name.find('/', 1));
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

std::string GrpcCodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return i >= 0 && i < static_cast<int>(std::size(kNames)) ? kNames[i] : absl::StrCat(i);
}

class Timing final : public gx::Interceptor {
 public:
  Timing(ApiMetrics& metrics, gx::ServerRpcInfo* info)
      : metrics_(metrics),
        method_(MethodName(info->method())),
        unary_(info->type() == gx::ServerRpcInfo::Type::UNARY) {}

  void Intercept(gx::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            gx::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      start_ = absl::Now();
    }
    if (methods->QueryInterceptionHookPoint(gx::InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_.Record("grpc", method_, GrpcCodeName(methods->GetSendStatus().error_code()),
                      unary_ ? absl::Now() - start_ : absl::Seconds(-1));
    }
    methods->Proceed();
  }

 private:
  ApiMetrics& metrics_;
  const std::string method_;
  const bool unary_;
  absl::Time start_ = absl::Now();
};

class TimingFactory final : public gx::ServerInterceptorFactoryInterface {
 public:
  explicit TimingFactory(ApiMetrics& metrics) : metrics_(metrics) {}
  gx::Interceptor* CreateServerInterceptor(gx::ServerRpcInfo* info) override {
    return new Timing(metrics_, info);
  }

 private:
  ApiMetrics& metrics_;
};

std::string Labels(const std::string& api, const std::string& method) {
  return absl::StrCat("api=\"", api, "\",method=\"", method, "\"");
}

}  // namespace

void ApiMetrics::Record(absl::string_view api, absl::string_view method, absl::string_view code,
                        absl::Duration took) {
  absl::MutexLock lock(&mu_);
  ++requests_[{std::string(api), std::string(method), std::string(code)}];
  if (took < absl::ZeroDuration()) return;
  latency_[{std::string(api), std::string(method)}].Record(took);
}

void ApiMetrics::AppendPrometheus(std::string* out) const {
  absl::MutexLock lock(&mu_);
  absl::StrAppend(out,
                  "# HELP tapio_api_request_duration_seconds How long API calls took, streams "
                  "aside.\n# TYPE tapio_api_request_duration_seconds histogram\n");
  for (const auto& [key, series] : latency_) {
    series.AppendSeries(out, "tapio_api_request_duration_seconds", Labels(key.first, key.second));
  }
  absl::StrAppend(out,
                  "# HELP tapio_api_requests_total API calls, by how they ended.\n"
                  "# TYPE tapio_api_requests_total counter\n");
  for (const auto& [key, count] : requests_) {
    absl::StrAppendFormat(out, "tapio_api_requests_total{%s,code=\"%s\"} %d\n",
                          Labels(std::get<0>(key), std::get<1>(key)), std::get<2>(key), count);
  }
}

std::unique_ptr<gx::ServerInterceptorFactoryInterface> ApiMetrics::GrpcInterceptors() {
  return std::make_unique<TimingFactory>(*this);
}

}  // namespace tapio::server
