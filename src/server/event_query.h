// The server side of EventService.Query: stored events by entity, type and time, a page at a
// time. Thread-safe.
#ifndef TAPIO_SERVER_EVENT_QUERY_H_
#define TAPIO_SERVER_EVENT_QUERY_H_

#include "absl/status/statusor.h"
#include "server/bearer_token.h"
#include "storage/store.h"
#include "tapio/v1/event_service.grpc.pb.h"

namespace tapio::server {

// The most events one page may hold.
inline constexpr uint32_t kMaxPage = 1000;

// The page `request` asks for. Fails with InvalidArgument for a limit above kMaxPage or a
// page token the store did not make, and Unavailable when the store cannot answer.
absl::StatusOr<tapio::v1::EventPage> QueryEvents(storage::Store& store,
                                                 const tapio::v1::EventQuery& request);

class EventQueryService final : public tapio::v1::EventService::Service {
 public:
  EventQueryService(storage::Store& store, const BearerToken& token)
      : store_(store), token_(token) {}

  grpc::Status Query(grpc::ServerContext* context, const tapio::v1::EventQuery* request,
                     tapio::v1::EventPage* response) override;

 private:
  storage::Store& store_;
  const BearerToken& token_;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_EVENT_QUERY_H_
