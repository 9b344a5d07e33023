// The server side of EventService: stored events by entity, type and time, a page at a time
// (Query), or followed as they are stored (Tail). Thread-safe.
#ifndef TAPIO_SERVER_EVENT_QUERY_H_
#define TAPIO_SERVER_EVENT_QUERY_H_

#include <atomic>

#include "absl/status/statusor.h"
#include "server/bearer_token.h"
#include "server/event_tail.h"
#include "storage/store.h"
#include "tapio/v1/event_service.grpc.pb.h"

namespace tapio::server {

// The most events one page may hold.
inline constexpr uint32_t kMaxPage = 1000;

// The page `request` asks for. Fails with InvalidArgument for a limit above kMaxPage or a
// page token the store did not make, and Unavailable when the store cannot answer.
absl::StatusOr<tapio::v1::EventPage> QueryEvents(storage::Store& store,
                                                 const tapio::v1::EventQuery& request);

// Whether `event` is one `request` asks to follow.
bool TailMatches(const tapio::v1::EventTailRequest& request, const tapio::v1::UnifiedEvent& event);

class EventQueryService final : public tapio::v1::EventService::Service {
 public:
  // All must outlive the service.
  EventQueryService(storage::Store& store, EventTail& tail, const BearerToken& token)
      : store_(store), tail_(tail), token_(token) {}

  grpc::Status Query(grpc::ServerContext* context, const tapio::v1::EventQuery* request,
                     tapio::v1::EventPage* response) override;
  grpc::Status Tail(grpc::ServerContext* context, const tapio::v1::EventTailRequest* request,
                    grpc::ServerWriter<tapio::v1::EventTailItem>* writer) override;
  // Ends the tails, which otherwise run until their clients hang up.
  void Stop() { stopping_ = true; }

 private:
  storage::Store& store_;
  EventTail& tail_;
  const BearerToken& token_;
  std::atomic<bool> stopping_{false};
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_EVENT_QUERY_H_
