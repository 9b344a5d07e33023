// Keeps one Kubernetes resource in view the way client-go's reflector does: LIST in pages
// (limit/continue), then WATCH from the list's resourceVersion with bookmarks; on 410 Gone
// ("too old resource version") it lists again and hands over only the differences from what
// it knew; a broken stream reconnects after a jittered exponential back-off. 401 and 403 stop
// this resource with an error that names it and the missing RBAC verb. Not thread-safe: one
// thread drives one ResourceWatch.
#ifndef TAPIO_COLLECTORS_KUBEAPI_RESOURCE_WATCH_H_
#define TAPIO_COLLECTORS_KUBEAPI_RESOURCE_WATCH_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "collectors/kubeapi/http_client.h"
#include "collectors/kubeapi/object_decoder.h"
#include "domain/clock.h"
#include "domain/kube_object.h"

namespace tapio::collectors::kubeapi {

struct ResourceType {
  // The plural the API and RBAC use ("pods", "deployments").
  std::string plural;
  // Collection path across all namespaces ("/api/v1/pods", "/apis/apps/v1/deployments").
  std::string path;
  // The kind of its objects ("Pod").
  std::string kind;
  // Ask only for metadata (PartialObjectMetadata): Secrets' data never leaves the API server.
  bool metadata_only = false;
};

// Every resource Tapio watches (pods, nodes, namespaces, both Event APIs, workloads,
// services, endpoint slices, claims, volumes, storage classes, quotas, config maps and
// secrets — whose data Tapio never keeps).
const std::vector<ResourceType>& WatchedResources();

struct WatchOptions {
  int page_size = 500;
  // Asked of the server per watch (timeoutSeconds); the watch is then resumed.
  absl::Duration watch_timeout = absl::Minutes(5);
  // A watch that receives nothing, not even a bookmark, for this long is reconnected.
  absl::Duration idle_timeout = absl::Seconds(150);
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration list_timeout = absl::Seconds(60);
  absl::Duration min_backoff = absl::Milliseconds(500);
  absl::Duration max_backoff = absl::Seconds(30);
  // Each change carries its object's JSON as read (never a Secret's); a deletion found by a
  // relist carries the object's kind and metadata only.
  bool keep_raw = false;
};

class ResourceWatch {
 public:
  using ChangeHandler = std::function<void(const domain::ObjectChange&)>;

  struct Counts {
    uint64_t lists = 0;
    uint64_t watches = 0;
    uint64_t relists_after_gone = 0;
    uint64_t reconnects = 0;
    uint64_t bad_lines = 0;
    uint64_t changes = 0;
  };

  // `client` and `clock` must outlive the watch; `on_change` receives every change.
  ResourceWatch(ResourceType type, HttpClient& client, WatchOptions options,
                const domain::Clock& clock, ChangeHandler on_change);

  // Takes `object` as existing before the first list, as a store remembers it: listed again in
  // the same resourceVersion it is not handed over, and missing from the list it is deleted.
  void Know(domain::KubeObject object);

  // Lists every page and hands over what changed since the last list or watch: objects new
  // or changed, and those gone (as deletions). Fails with PermissionDenied or Unauthenticated
  // (naming the resource and verb), Unavailable (network), or InvalidArgument (a page that is
  // not a list).
  absl::Status Relist(const std::atomic<bool>& stop);

  // Watches from the current resourceVersion until the stream ends. Returns OK when it ended
  // normally or `stop` was set, Aborted when the server said 410 Gone (relist next), and the
  // errors of Relist otherwise. Undecodable lines are counted and skipped.
  absl::Status WatchOnce(const std::atomic<bool>& stop);

  // Relists and watches until `stop` is set, with back-off between failed attempts. Returns
  // OK when stopped, or the error that made it give up for good (401, 403).
  absl::Status Run(const std::atomic<bool>& stop);

  const Counts& counts() const { return counts_; }
  const std::string& resource_version() const { return resource_version_; }
  const ResourceType& type() const { return type_; }

 private:
  absl::Status HttpError(int status, const std::string& body, absl::string_view verb);
  void Handle(domain::ObjectChange::Type type, domain::KubeObject object, std::string raw);

  const ResourceType type_;
  HttpClient& client_;
  const WatchOptions options_;
  const domain::Clock& clock_;
  ChangeHandler on_change_;
  ObjectDecoder decoder_;
  std::string resource_version_;
  // What the last list and the watch since say exists, by uid (namespace/name without one).
  absl::flat_hash_map<std::string, domain::KubeObject> known_;
  Counts counts_;
};

}  // namespace tapio::collectors::kubeapi

#endif  // TAPIO_COLLECTORS_KUBEAPI_RESOURCE_WATCH_H_
