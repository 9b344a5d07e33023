#include "collectors/kubeapi/resource_watch.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace tapio::collectors::kubeapi {
namespace {

constexpr char kMetadataListMedia[] =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
constexpr char kMetadataMedia[] = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

std::string KeyOf(const domain::KubeObject& object) {
  if (!object.meta.uid.empty()) return std::string(domain::Resolve(object.meta.uid));
  return absl::StrCat(domain::Resolve(object.meta.namespace_name), "/",
                      domain::Resolve(object.meta.name));
}

std::string Escape(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      absl::StrAppend(&out, "%", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    }
  }
  return out;
}

// The JSON of an object's kind and metadata: all a deletion needs said of it.
std::string MetadataJson(absl::string_view kind, const domain::KubeObject& object) {
  google::protobuf::Struct json;
  (*json.mutable_fields())["kind"].set_string_value(std::string(kind));
  google::protobuf::Struct* meta = (*json.mutable_fields())["metadata"].mutable_struct_value();
  auto put = [meta](const char* key, absl::string_view value) {
    if (!value.empty()) (*meta->mutable_fields())[key].set_string_value(std::string(value));
  };
  put("name", domain::Resolve(object.meta.name));
  put("namespace", domain::Resolve(object.meta.namespace_name));
  put("uid", domain::Resolve(object.meta.uid));
  put("resourceVersion", object.meta.resource_version);
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(json, &out);
  return out;
}

}  // namespace

const std::vector<ResourceType>& WatchedResources() {
  static const auto* resources = new std::vector<ResourceType>{
      {"pods", "/api/v1/pods", "Pod"},
      {"nodes", "/api/v1/nodes", "Node"},
      {"namespaces", "/api/v1/namespaces", "Namespace"},
      {"events", "/api/v1/events", "Event"},
      {"events.events.k8s.io", "/apis/events.k8s.io/v1/events", "Event"},
      {"deployments", "/apis/apps/v1/deployments", "Deployment"},
      {"replicasets", "/apis/apps/v1/replicasets", "ReplicaSet"},
      {"statefulsets", "/apis/apps/v1/statefulsets", "StatefulSet"},
      {"daemonsets", "/apis/apps/v1/daemonsets", "DaemonSet"},
      {"jobs", "/apis/batch/v1/jobs", "Job"},
      {"cronjobs", "/apis/batch/v1/cronjobs", "CronJob"},
      {"services", "/api/v1/services", "Service"},
      {"endpointslices", "/apis/discovery.k8s.io/v1/endpointslices", "EndpointSlice"},
      {"persistentvolumeclaims", "/api/v1/persistentvolumeclaims", "PersistentVolumeClaim"},
      {"persistentvolumes", "/api/v1/persistentvolumes", "PersistentVolume"},
      {"storageclasses", "/apis/storage.k8s.io/v1/storageclasses", "StorageClass"},
      {"resourcequotas", "/api/v1/resourcequotas", "ResourceQuota"},
      {"networkpolicies", "/apis/networking.k8s.io/v1/networkpolicies", "NetworkPolicy"},
      {"configmaps", "/api/v1/configmaps", "ConfigMap", true},
      {"secrets", "/api/v1/secrets", "Secret", true},
  };
  return *resources;
}

ResourceWatch::ResourceWatch(ResourceType type, HttpClient& client, WatchOptions options,
                             const domain::Clock& clock, ChangeHandler on_change)
    : type_(std::move(type)),
      client_(client),
      options_(options),
      clock_(clock),
      on_change_(std::move(on_change)) {
  decoder_.set_keep_raw(options_.keep_raw);
  decoder_.set_incremental(true);
}

absl::Status ResourceWatch::HttpError(int status, const std::string& body, absl::string_view verb) {
  // The API server's Status message names the user and the missing permission.
  std::string detail;
  absl::StatusOr<WatchEvent> parsed = decoder_.DecodeWatchEvent(
      absl::StrCat("{\"type\":\"ERROR\",\"object\":", body.empty() ? "{}" : body, "}"));
  if (parsed.ok() && !parsed->message.empty()) detail = absl::StrCat(": ", parsed->message);
  if (status == 401) {
    return absl::UnauthenticatedError(
        absl::StrCat(type_.plural, ": the API server rejected Tapio's credentials (401)", detail));
  }
  if (status == 403) {
    return absl::PermissionDeniedError(
        absl::StrCat(type_.plural, ": forbidden (403): Tapio needs the RBAC verb \"", verb,
                     "\" on \"", type_.plural, "\"", detail));
  }
  return absl::UnavailableError(
      absl::StrCat(type_.plural, ": ", verb, " answered HTTP ", status, detail));
}

void ResourceWatch::Handle(domain::ObjectChange::Type type, domain::KubeObject object,
                           std::string raw) {
  ++counts_.changes;
  domain::ObjectChange change{type, clock_.NowNanos(), std::move(object), std::move(raw)};
  on_change_(change);
}

void ResourceWatch::Know(domain::KubeObject object) {
  std::string key = KeyOf(object);
  known_.insert_or_assign(std::move(key), std::move(object));
}

absl::Status ResourceWatch::Relist(const std::atomic<bool>& stop) {
  ++counts_.lists;
  std::string continue_token;
  std::string list_version;
  int expired_continues = 0;
  absl::flat_hash_map<std::string, domain::KubeObject> listed;
  // Changes are handed over in the order the server listed the objects.
  std::vector<std::string> order;
  // The JSON of each object listed, when changes carry it.
  absl::flat_hash_map<std::string, std::string> listed_raw;
  do {
    std::string query = absl::StrCat(type_.path, "?limit=", options_.page_size);
    if (!continue_token.empty()) absl::StrAppend(&query, "&continue=", Escape(continue_token));
    absl::StatusOr<HttpResponse> response =
        client_.Get(query, options_.list_timeout,
                    type_.metadata_only ? absl::StrCat(kMetadataListMedia, ",application/json")
                                        : "application/json");
    if (!response.ok()) return response.status();
    if (response->status == 410) {
      // The continue token expired mid-list: start the list over.
      if (++expired_continues > 3) {
        return absl::UnavailableError(absl::StrCat(type_.plural, ": list kept expiring (410)"));
      }
      continue_token.clear();
      listed.clear();
      listed_raw.clear();
      order.clear();
      continue;
    }
    if (response->status != 200) return HttpError(response->status, response->body, "list");
    absl::StatusOr<ListPage> page = decoder_.DecodeList(
        response->body,
        [&](size_t, absl::StatusOr<domain::KubeObject> object) {
          if (!object.ok()) {
            ++counts_.bad_lines;
            return;
          }
          std::string key = KeyOf(*object);
          if (!listed.contains(key)) order.push_back(key);
          if (options_.keep_raw) listed_raw.insert_or_assign(key, std::string(decoder_.raw()));
          listed.insert_or_assign(std::move(key), std::move(*object));
        },
        type_.kind);
    if (!page.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(type_.plural, ": list: ", page.status().message()));
    }
    continue_token = page->continue_token;
    list_version = page->resource_version;
  } while (!continue_token.empty() && !stop.load(std::memory_order_acquire));

  for (const std::string& key : order) {
    const domain::KubeObject& object = listed.at(key);
    auto it = known_.find(key);
    std::string raw;
    if (auto r = listed_raw.find(key); r != listed_raw.end()) raw = std::move(r->second);
    if (it == known_.end()) {
      Handle(domain::ObjectChange::Type::kAdded, object, std::move(raw));
    } else if (it->second.meta.resource_version != object.meta.resource_version) {
      Handle(domain::ObjectChange::Type::kModified, object, std::move(raw));
    }
  }
  std::vector<std::string> gone;
  for (const auto& [key, object] : known_) {
    if (!listed.contains(key)) gone.push_back(key);
  }
  std::sort(gone.begin(), gone.end());
  for (const std::string& key : gone) {
    const domain::KubeObject& object = known_.at(key);
    decoder_.Forget(domain::Resolve(object.meta.uid));
    Handle(domain::ObjectChange::Type::kDeleted, object,
           options_.keep_raw ? MetadataJson(type_.kind, object) : std::string());
  }
  known_ = std::move(listed);
  resource_version_ = list_version;
  return absl::OkStatus();
}

absl::Status ResourceWatch::WatchOnce(const std::atomic<bool>& stop) {
  ++counts_.watches;
  std::string query = absl::StrCat(type_.path, "?watch=1&allowWatchBookmarks=true&timeoutSeconds=",
                                   absl::ToInt64Seconds(options_.watch_timeout),
                                   "&resourceVersion=", Escape(resource_version_));
  std::string pending;
  bool gone = false;
  StreamOptions stream;
  stream.connect_timeout = options_.connect_timeout;
  stream.idle_timeout = options_.idle_timeout;
  stream.cancel = &stop;
  if (type_.metadata_only) stream.accept = absl::StrCat(kMetadataMedia, ",application/json");
  absl::StatusOr<HttpResponse> response =
      client_.Stream(query, stream, [&](absl::string_view data) {
        pending.append(data.data(), data.size());
        size_t start = 0;
        for (size_t end; (end = pending.find('\n', start)) != std::string::npos; start = end + 1) {
          absl::string_view line(pending.data() + start, end - start);
          if (line.find_first_not_of(" \r\t") == absl::string_view::npos) continue;
          absl::StatusOr<WatchEvent> event = decoder_.DecodeWatchEvent(line, type_.kind);
          if (!event.ok()) {
            ++counts_.bad_lines;
            continue;
          }
          switch (event->type) {
            case WatchEvent::Type::kError:
              if (event->code == 410) {
                gone = true;
                pending.clear();
                return false;
              }
              ++counts_.bad_lines;
              break;
            case WatchEvent::Type::kBookmark:
              resource_version_ = event->object.meta.resource_version;
              break;
            case WatchEvent::Type::kAdded:
            case WatchEvent::Type::kModified:
            case WatchEvent::Type::kDeleted: {
              resource_version_ = event->object.meta.resource_version;
              std::string key = KeyOf(event->object);
              domain::ObjectChange::Type type = event->type == WatchEvent::Type::kAdded
                                                    ? domain::ObjectChange::Type::kAdded
                                                : event->type == WatchEvent::Type::kModified
                                                    ? domain::ObjectChange::Type::kModified
                                                    : domain::ObjectChange::Type::kDeleted;
              if (type == domain::ObjectChange::Type::kDeleted) {
                known_.erase(key);
              } else {
                known_.insert_or_assign(key, event->object);
              }
              Handle(type, std::move(event->object), std::string(decoder_.raw()));
              break;
            }
          }
        }
        pending.erase(0, start);
        return true;
      });
  if (gone) {
    ++counts_.relists_after_gone;
    return absl::AbortedError(absl::StrCat(type_.plural, ": resource version ", resource_version_,
                                           " is too old (410 Gone); listing again"));
  }
  if (!response.ok()) return response.status();
  if (response->status == 410) {
    ++counts_.relists_after_gone;
    return absl::AbortedError(absl::StrCat(type_.plural, ": 410 Gone; listing again"));
  }
  if (response->status != 200) return HttpError(response->status, response->body, "watch");
  return absl::OkStatus();
}

absl::Status ResourceWatch::Run(const std::atomic<bool>& stop) {
  std::mt19937_64 random(std::random_device{}());
  absl::Duration backoff = options_.min_backoff;
  bool need_list = true;
  while (!stop.load(std::memory_order_acquire)) {
    absl::Status status = need_list ? Relist(stop) : WatchOnce(stop);
    if (status.ok()) {
      need_list = false;
      backoff = options_.min_backoff;
      continue;
    }
    if (status.code() == absl::StatusCode::kPermissionDenied ||
        status.code() == absl::StatusCode::kUnauthenticated) {
      return status;
    }
    if (status.code() == absl::StatusCode::kAborted) {
      need_list = true;
      continue;
    }
    ++counts_.reconnects;
    // Full jitter keeps many agents from reconnecting in step after an API server restart.
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    absl::Duration wait = backoff * jitter(random);
    backoff = std::min(backoff * 2, options_.max_backoff);
    absl::Time until = absl::Now() + wait;
    while (!stop.load(std::memory_order_acquire) && absl::Now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return absl::OkStatus();
}

}  // namespace tapio::collectors::kubeapi
