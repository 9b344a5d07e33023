#include "server/http_gateway.h"

#include <cstdlib>
#include <functional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"
#include "intelligence/report/report_builder.h"
#include "server/correlation_queries.h"
#include "server/event_query.h"
#include "server/metrics_page.h"
#include "server/status_codes.h"
#include "server/status_service.h"

namespace tapio::server {
namespace {

// How long an event stream waits for an insight before it looks whether to go on, and how
// often it sends a comment to keep idle proxies from closing it.
constexpr absl::Duration kStreamPoll = absl::Milliseconds(250);
constexpr absl::Duration kKeepAlive = absl::Seconds(15);

void Reply(httplib::Response& res, const absl::Status& status) {
  res.status = HttpStatusOf(status.code());
  res.set_content(ErrorJson(status) + "\n", "application/json");
}

void Reply(httplib::Response& res, const google::protobuf::Message& message) {
  res.status = 200;
  res.set_content(intelligence::ReportJson(message) + "\n", "application/json");
}

// Reads a JSON body into `message`; the parser's complaint names the place.
absl::Status ReadBody(const httplib::Request& req, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(req.body, message, options);
  if (parsed.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("request body: ", std::string(parsed.message())));
}

absl::Status ReadNumber(const httplib::Request& req, const char* name, uint64_t* out) {
  if (!req.has_param(name)) return absl::OkStatus();
  std::string text = req.get_param_value(name);
  if (!absl::SimpleAtoi(text, out)) {
    return absl::InvalidArgumentError(absl::StrCat("?", name, "=", text, " is not a number"));
  }
  return absl::OkStatus();
}

// The query parameters of GET /api/v1/events, named as the EventQuery fields.
absl::Status ReadEventQuery(const httplib::Request& req, v1::EventQuery* q) {
  q->set_kind(req.get_param_value("kind"));
  q->set_namespace_(req.get_param_value("namespace"));
  q->set_name(req.get_param_value("name"));
  q->set_type(req.get_param_value("type"));
  q->set_page_token(req.get_param_value("page_token"));
  q->set_trace_id(req.get_param_value("trace_id"));
  uint64_t since = 0, until = 0, limit = 0;
  for (auto [name, out] : {std::pair{"since_unix_nano", &since},
                           std::pair{"until_unix_nano", &until}, std::pair{"limit", &limit}}) {
    if (absl::Status s = ReadNumber(req, name, out); !s.ok()) return s;
  }
  q->set_since_unix_nano(static_cast<int64_t>(since));
  q->set_until_unix_nano(static_cast<int64_t>(until));
  q->set_limit(static_cast<uint32_t>(std::min<uint64_t>(limit, UINT32_MAX)));
  return absl::OkStatus();
}

std::string EventFrame(const v1::Insight& insight) {
  return absl::StrCat("id: ", insight.sequence(),
                      "\nevent: insight\ndata: ", intelligence::ReportJson(insight), "\n\n");
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(const HttpGatewayOptions& options,
                                                                HttpGatewayParts parts) {
  std::unique_ptr<HttpGateway> gateway(new HttpGateway(parts));
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(
        options.tls_cert_file.c_str(), options.tls_key_file.c_str(),
        options.client_ca_file.empty() ? nullptr : options.client_ca_file.c_str());
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "HTTP TLS cannot start with ", options.tls_cert_file, " and ", options.tls_key_file));
    }
    gateway->http_ = std::move(tls);
  } else {
    gateway->http_ = std::make_unique<httplib::Server>();
  }
  size_t colon = options.listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(options.listen.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP listen address ", options.listen, " is not host:port"));
  }
  std::string host = options.listen.substr(0, colon);
  gateway->http_->set_payload_max_length(options.max_body_bytes);
  gateway->Route();
  if (port == 0) {
    gateway->port_ = gateway->http_->bind_to_any_port(host);
  } else if (gateway->http_->bind_to_port(host, port)) {
    gateway->port_ = port;
  }
  if (gateway->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  gateway->thread_ = std::thread([g = gateway.get()] { g->http_->listen_after_bind(); });
  return gateway;
}

void HttpGateway::Route() {
  httplib::Server& http = *http_;
  // Every call is timed and counted under its route.
  auto timed = [this](std::string route, httplib::Server::Handler handler) {
    return [this, route, handler](const httplib::Request& req, httplib::Response& res) {
      absl::Time start = absl::Now();
      handler(req, res);
      bool stream = res.get_header_value("Content-Type") == "text/event-stream";
      // A handler that set no status is answered 200 once it returns.
      int code = res.status == -1 ? 200 : res.status;
      parts_.metrics.Record("http", route, absl::StrCat(code),
                            stream ? absl::Seconds(-1) : absl::Now() - start);
    };
  };
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/healthz") return httplib::Server::HandlerResponse::Unhandled;
    const std::string header = req.get_header_value("Authorization");
    absl::Status auth =
        parts_.token.CheckHeader(req.has_header("Authorization") ? &header : nullptr);
    if (auth.ok()) return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer");
    Reply(res, auth);
    // Not by path: a caller without the token must not be able to grow the metrics.
    parts_.metrics.Record("http", "unauthenticated", "401", absl::Seconds(-1));
    return httplib::Server::HandlerResponse::Handled;
  });
  http.Get("/healthz", timed("/healthz", [](const httplib::Request&, httplib::Response& res) {
             res.set_content("ok\n", "text/plain");
           }));
  http.Get("/readyz", timed("/readyz", [this](const httplib::Request&, httplib::Response& res) {
             absl::StatusOr<uint64_t> events = parts_.store.EventCount();
             if (!events.ok()) {
               Reply(res, absl::UnavailableError(absl::StrCat("the store does not answer: ",
                                                              events.status().message())));
               return;
             }
             res.set_content("ready\n", "text/plain");
           }));
  http.Get("/metrics", timed("/metrics", [this](const httplib::Request&, httplib::Response& res) {
             res.set_content(MetricsPage(parts_.collectors.counts(), parts_.collectors.Collectors(),
                                         parts_.pipeline.Metrics(), parts_.analysis.counts(),
                                         parts_.retention, parts_.metrics),
                             "text/plain; version=0.0.4");
           }));
  auto why = [this](const v1::WhyRequest& request, httplib::Response& res) {
    absl::StatusOr<v1::WhyReport> report = AnswerWhy(parts_.analysis, request);
    report.ok() ? Reply(res, *report) : Reply(res, report.status());
  };
  http.Post("/api/v1/why",
            timed("/api/v1/why", [why](const httplib::Request& req, httplib::Response& res) {
              v1::WhyRequest request;
              if (absl::Status read = ReadBody(req, &request); !read.ok()) return Reply(res, read);
              why(request, res);
            }));
  http.Get("/api/v1/why",
           timed("/api/v1/why", [why](const httplib::Request& req, httplib::Response& res) {
             v1::WhyRequest request;
             request.set_entity(req.get_param_value("entity"));
             uint64_t causes = 0;
             if (absl::Status read = ReadNumber(req, "causes", &causes); !read.ok()) {
               return Reply(res, read);
             }
             request.set_causes(static_cast<uint32_t>(std::min<uint64_t>(causes, UINT32_MAX)));
             why(request, res);
           }));
  http.Get("/api/v1/incidents",
           timed("/api/v1/incidents", [this](const httplib::Request& req, httplib::Response& res) {
             v1::IncidentList list;
             for (v1::Incident& i :
                  parts_.analysis.Incidents(req.get_param_value("open_only") == "true")) {
               *list.add_incidents() = std::move(i);
             }
             Reply(res, list);
           }));
  http.Get(
      R"(/api/v1/incidents/(\d+))",
      timed("/api/v1/incidents/{id}", [this](const httplib::Request& req, httplib::Response& res) {
        uint64_t id = 0;
        if (!absl::SimpleAtoi(std::string(req.matches[1]), &id)) {
          return Reply(res, absl::InvalidArgumentError("incident id is not a number"));
        }
        absl::StatusOr<v1::Incident> incident = parts_.analysis.GetIncident(id);
        incident.ok() ? Reply(res, *incident) : Reply(res, incident.status());
      }));
  auto events = [this](const v1::EventQuery& query, httplib::Response& res) {
    absl::StatusOr<v1::EventPage> page = QueryEvents(parts_.store, query);
    page.ok() ? Reply(res, *page) : Reply(res, page.status());
  };
  http.Get("/api/v1/events",
           timed("/api/v1/events", [events](const httplib::Request& req, httplib::Response& res) {
             v1::EventQuery query;
             if (absl::Status read = ReadEventQuery(req, &query); !read.ok())
               return Reply(res, read);
             events(query, res);
           }));
  http.Post(
      "/api/v1/events:query",
      timed("/api/v1/events:query", [events](const httplib::Request& req, httplib::Response& res) {
        v1::EventQuery query;
        if (absl::Status read = ReadBody(req, &query); !read.ok()) return Reply(res, read);
        events(query, res);
      }));
  http.Get("/api/v1/correlate",
           timed("/api/v1/correlate", [this](const httplib::Request& req, httplib::Response& res) {
             v1::CorrelateRequest request;
             request.set_trace_id(req.get_param_value("trace_id"));
             absl::StatusOr<v1::Correlation> found =
                 CorrelateTrace(parts_.store, parts_.analysis, request);
             found.ok() ? Reply(res, *found) : Reply(res, found.status());
           }));
  http.Get("/api/v1/status",
           timed("/api/v1/status", [this](const httplib::Request&, httplib::Response& res) {
             Reply(res,
                   StatusNow(parts_.version, parts_.store, parts_.analysis, parts_.collectors));
           }));
  http.Get("/api/v1/events:tail", timed("/api/v1/events:tail", [this](const httplib::Request& req,
                                                                      httplib::Response& res) {
             v1::EventTailRequest request;
             request.set_kind(req.get_param_value("kind"));
             request.set_namespace_(req.get_param_value("namespace"));
             request.set_name(req.get_param_value("name"));
             request.set_type(req.get_param_value("type"));
             request.set_trace_id(req.get_param_value("trace_id"));
             struct Cursor {
               uint64_t last = 0;
               absl::Time wrote = absl::Now();
             };
             auto cursor = std::make_shared<Cursor>();
             cursor->last = parts_.tail.Join();
             res.set_header("Cache-Control", "no-cache");
             res.set_chunked_content_provider(
                 "text/event-stream",
                 [this, cursor, request](size_t, httplib::DataSink& sink) {
                   if (stopping_) {
                     sink.done();
                     return true;
                   }
                   EventTail::Read read = parts_.tail.After(cursor->last, kStreamPoll);
                   cursor->last = read.last;
                   std::string frames;
                   if (read.missed > 0) {
                     absl::StrAppend(&frames, "event: missed\ndata: {\"missed\": ", read.missed,
                                     "}\n\n");
                   }
                   for (const v1::UnifiedEvent& e : read.events) {
                     if (!TailMatches(request, e)) continue;
                     absl::StrAppend(&frames, "id: ", e.id(),
                                     "\nevent: event\ndata: ", intelligence::ReportJson(e), "\n\n");
                   }
                   if (frames.empty() && absl::Now() - cursor->wrote >= kKeepAlive) {
                     frames = ": keep-alive\n\n";
                   }
                   if (frames.empty()) return sink.is_writable();
                   cursor->wrote = absl::Now();
                   return sink.write(frames.data(), frames.size());
                 },
                 [this](bool) { parts_.tail.Leave(); });
           }));
  http.Get("/api/v1/insights",
           timed("/api/v1/insights", [this](const httplib::Request& req, httplib::Response& res) {
             struct Cursor {
               uint64_t last = 0;
               std::vector<v1::Insight> current;
               absl::Time wrote = absl::Now();
             };
             auto cursor = std::make_shared<Cursor>();
             cursor->current = parts_.analysis.Current(&cursor->last);
             if (req.get_param_value("current") != "true") cursor->current.clear();
             res.set_header("Cache-Control", "no-cache");
             res.set_chunked_content_provider(
                 "text/event-stream", [this, cursor](size_t, httplib::DataSink& sink) {
                   if (stopping_) {
                     sink.done();
                     return true;
                   }
                   std::string frames;
                   for (const v1::Insight& i : cursor->current) frames += EventFrame(i);
                   cursor->current.clear();
                   for (const v1::Insight& i :
                        parts_.analysis.InsightsAfter(cursor->last, kStreamPoll)) {
                     frames += EventFrame(i);
                     cursor->last = i.sequence();
                   }
                   if (frames.empty() && absl::Now() - cursor->wrote >= kKeepAlive) {
                     frames = ": keep-alive\n\n";
                   }
                   if (frames.empty()) return sink.is_writable();
                   cursor->wrote = absl::Now();
                   return sink.write(frames.data(), frames.size());
                 });
           }));
}

void HttpGateway::Stop() {
  stopping_ = true;
  if (http_ != nullptr) http_->stop();
  if (thread_.joinable()) thread_.join();
}

HttpGateway::HttpGateway(HttpGatewayParts parts) : parts_(parts) {}

HttpGateway::~HttpGateway() { Stop(); }

}  // namespace tapio::server
