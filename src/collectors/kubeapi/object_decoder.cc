#include "collectors/kubeapi/object_decoder.h"

#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collectors/kubeapi/internal/decode_memo.h"
#include "collectors/kubeapi/internal/json_fields.h"
#include "collectors/kubeapi/internal/spec_decoders.h"

namespace tapio::collectors::kubeapi {
namespace {

using internal::JsonFields;
namespace ondemand = ::simdjson::ondemand;
using Scope = JsonFields::Scope;

absl::string_view View(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

absl::Status JsonError(simdjson::error_code error, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": malformed JSON (", simdjson::error_message(error), ")"));
}

// Reads the string field `name` of an object without consuming the object, then rewinds it.
// A missing or non-string field reads as "". Fails when the JSON is malformed: the iterator
// cannot be rewound after that.
absl::StatusOr<std::string> PeekString(ondemand::object& object, const char* name,
                                       absl::string_view what) {
  std::string text;
  auto field = object.find_field_unordered(name);
  if (field.error() == simdjson::SUCCESS) {
    std::string_view view;
    if (field.get_string().get(view) == simdjson::SUCCESS) text = std::string(view);
  } else if (field.error() != simdjson::NO_SUCH_FIELD) {
    return JsonError(field.error(), what);
  }
  if (auto error = object.reset().error()) return JsonError(error, what);
  return text;
}

// An object's "kind" and metadata.uid (when `want_uid`), read without consuming the object,
// which is rewound. A missing or non-string field reads as "".
// Both view the parser's buffer.
struct Identity {
  std::string_view kind;
  std::string_view uid;
};

absl::StatusOr<Identity> PeekIdentity(ondemand::object& object, bool want_uid) {
  Identity identity;
  bool kind_seen = false;
  bool uid_seen = !want_uid;
  std::string_view text;
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return JsonError(error, "object");
    if (key == "kind") {
      kind_seen = true;
      if (field.value().get_string().get(text) == simdjson::SUCCESS) identity.kind = text;
    } else if (key == "metadata" && want_uid) {
      uid_seen = true;
      ondemand::object meta;
      if (field.value().get_object().get(meta) != simdjson::SUCCESS) continue;
      for (auto m : meta) {
        std::string_view meta_key;
        if (auto error = m.unescaped_key().get(meta_key)) return JsonError(error, "object");
        if (meta_key != "uid") continue;
        if (m.value().get_string().get(text) == simdjson::SUCCESS) identity.uid = text;
        break;
      }
    }
    if (kind_seen && uid_seen) break;
  }
  if (auto error = object.reset().error()) return JsonError(error, "object");
  return identity;
}

void DecodeBody(JsonFields& f, ondemand::object& object, domain::KubeObject& out) {
  using domain::KubeKind;
  int64_t series_last_ns = 0;
  uint32_t series_count = 0;
  int64_t event_time_ns = 0;
  switch (out.kind) {
    case KubeKind::kPod:
      out.spec = domain::PodObject{};
      break;
    case KubeKind::kNode:
      out.spec = domain::NodeObject{};
      break;
    case KubeKind::kEvent:
      out.spec = domain::EventObject{};
      break;
    case KubeKind::kDeployment:
    case KubeKind::kReplicaSet:
    case KubeKind::kStatefulSet:
    case KubeKind::kDaemonSet:
    case KubeKind::kJob:
    case KubeKind::kCronJob:
      out.spec = domain::WorkloadObject{};
      break;
    case KubeKind::kService:
      out.spec = domain::ServiceObject{};
      break;
    case KubeKind::kEndpointSlice:
      out.spec = domain::EndpointSliceObject{};
      break;
    case KubeKind::kPersistentVolumeClaim:
    case KubeKind::kPersistentVolume:
    case KubeKind::kStorageClass:
      out.spec = domain::VolumeObject{};
      break;
    case KubeKind::kResourceQuota:
      out.spec = domain::QuotaObject{};
      break;
    case KubeKind::kNetworkPolicy:
      out.spec = domain::NetworkPolicyObject{};
      break;
    default:
      break;
  }
  for (auto field : object) {
    std::string_view raw_key;
    if (field.unescaped_key().get(raw_key) != simdjson::SUCCESS) return f.Fail("unreadable key");
    internal::JsonKey key(View(raw_key));
    ondemand::value value;
    if (field.value().get(value) != simdjson::SUCCESS) return f.Fail("unreadable value");
    if (key == "metadata") {
      Scope scope(f, key);
      internal::DecodeMeta(f, value, out.meta);
    } else if (auto* pod = std::get_if<domain::PodObject>(&out.spec)) {
      Scope scope(f, key);
      if (key == "spec") internal::DecodePodSpec(f, value, *pod);
      if (key == "status") internal::DecodePodStatus(f, value, *pod);
    } else if (auto* node = std::get_if<domain::NodeObject>(&out.spec)) {
      Scope scope(f, key);
      if (key == "spec") internal::DecodeNodeSpec(f, value, *node);
      if (key == "status") internal::DecodeNodeStatus(f, value, *node);
    } else if (auto* event = std::get_if<domain::EventObject>(&out.spec)) {
      internal::DecodeEventField(f, key, value, *event, series_last_ns, series_count,
                                 event_time_ns);
    } else if (auto* workload = std::get_if<domain::WorkloadObject>(&out.spec)) {
      Scope scope(f, key);
      if (key == "spec") internal::DecodeWorkloadSpec(f, value, *workload);
      if (key == "status") internal::DecodeWorkloadStatus(f, value, *workload);
    } else if (auto* service = std::get_if<domain::ServiceObject>(&out.spec)) {
      Scope scope(f, key);
      if (key == "spec") internal::DecodeServiceSpec(f, value, *service);
    } else if (auto* slice = std::get_if<domain::EndpointSliceObject>(&out.spec)) {
      Scope scope(f, key);
      if (key == "endpoints") internal::DecodeEndpoints(f, value, *slice);
    } else if (auto* volume = std::get_if<domain::VolumeObject>(&out.spec)) {
      Scope scope(f, key);
      if (key == "spec") internal::DecodeVolumeSpec(f, value, *volume);
      if (key == "status") internal::DecodeVolumeStatus(f, value, *volume);
      if (key == "provisioner") volume->provisioner = f.Symbol(value);
    } else if (auto* quota = std::get_if<domain::QuotaObject>(&out.spec)) {
      Scope scope(f, key);
      if (key == "spec") internal::DecodeQuotaSpec(f, value, *quota);
      if (key == "status") internal::DecodeQuotaStatus(f, value, *quota);
    } else if (auto* policy = std::get_if<domain::NetworkPolicyObject>(&out.spec)) {
      Scope scope(f, key);
      if (key == "spec") internal::DecodeNetworkPolicySpec(f, value, *policy);
    }
    if (!f.ok()) return;
  }
  if (auto* slice = std::get_if<domain::EndpointSliceObject>(&out.spec)) {
    slice->service_name =
        domain::LabelValue(out.meta.labels, domain::Intern("kubernetes.io/service-name"))
            .value_or(domain::Symbol{});
  }
  if (auto* event = std::get_if<domain::EventObject>(&out.spec)) {
    // core/v1 Events may carry only eventTime, or only first/lastTimestamp; a series carries
    // the newest count and time.
    if (event->first_ns == 0) event->first_ns = event_time_ns;
    if (event->first_ns == 0) event->first_ns = out.meta.created_ns;
    if (series_last_ns != 0) event->last_ns = std::max(event->last_ns, series_last_ns);
    if (event->last_ns == 0) event->last_ns = std::max(event_time_ns, event->first_ns);
    if (series_count > event->count) event->count = series_count;
    if (event->count == 0) event->count = 1;
  }
}

}  // namespace

struct ObjectDecoder::State {
  ondemand::parser parser;
  std::string buffer;
  bool keep_raw = false;
  std::string raw;
  bool incremental = false;
  absl::flat_hash_map<std::string, internal::DecodeMemo> memos;
  // Where a decode records its memo; swapped with the object's when the decode succeeds.
  internal::DecodeMemo next_memo;

  // Copies `json` into a buffer with the padding simdjson needs.
  simdjson::padded_string_view Pad(absl::string_view json) {
    buffer.reserve(json.size() + simdjson::SIMDJSON_PADDING);
    buffer.assign(json.data(), json.size());
    return simdjson::padded_string_view(buffer.data(), buffer.size(), buffer.capacity());
  }

  // Decodes an object of a watch event or list; `last` says it is the object's last version
  // (deleted), which the decoder need not remember.
  absl::StatusOr<domain::KubeObject> DecodeValue(ondemand::value value,
                                                 absl::string_view default_kind,
                                                 bool last = false) {
    ondemand::object object;
    if (auto error = value.get_object().get(object)) return JsonError(error, "object");
    domain::KubeObject out;
    absl::StatusOr<Identity> identity = PeekIdentity(object, incremental);
    if (!identity.ok()) return identity.status();
    absl::string_view kind = View(identity->kind);
    absl::string_view uid = View(identity->uid);
    if (kind.empty() || kind == "PartialObjectMetadata") kind = default_kind;
    raw.clear();
    if (keep_raw && kind != "Secret") {
      std::string_view text;
      if (auto error = object.raw_json().get(text)) return JsonError(error, "object");
      raw.assign(text.data(), text.size());
      if (auto error = object.reset().error()) return JsonError(error, "object");
    }
    out.kind = domain::KubeKindFromName(kind);
    JsonFields fields;
    bool remember = incremental && !uid.empty();
    auto memo = remember ? memos.find(uid) : memos.end();
    if (memo != memos.end()) memo->second.Prefetch();
    if (remember) fields.UseMemo(memo == memos.end() ? nullptr : &memo->second, &next_memo);
    DecodeBody(fields, object, out);
    if (remember && fields.ok()) {
      if (last) {
        if (memo != memos.end()) memos.erase(memo);
      } else if (fields.MemoChanged()) {
        bool first = memo == memos.end();
        if (first) memo = memos.try_emplace(uid).first;
        memo->second.Swap(next_memo);
        if (first) memo->second.ShrinkToFit();
      }
    }
    if (!fields.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          kind.empty() ? "object" : kind, " ", domain::Resolve(out.meta.namespace_name),
          out.meta.namespace_name.empty() ? "" : "/", domain::Resolve(out.meta.name), ": ",
          fields.status().message()));
    }
    return out;
  }
};

ObjectDecoder::ObjectDecoder() : state_(std::make_unique<State>()) {}
ObjectDecoder::~ObjectDecoder() = default;

void ObjectDecoder::set_keep_raw(bool keep) { state_->keep_raw = keep; }

void ObjectDecoder::set_incremental(bool incremental) {
  state_->incremental = incremental;
  if (!incremental) state_->memos.clear();
}

void ObjectDecoder::Forget(absl::string_view uid) {
  if (auto it = state_->memos.find(uid); it != state_->memos.end()) state_->memos.erase(it);
}

size_t ObjectDecoder::remembered() const { return state_->memos.size(); }

size_t ObjectDecoder::memo_bytes() const {
  size_t bytes = state_->memos.capacity() * sizeof(std::pair<std::string, internal::DecodeMemo>);
  for (const auto& [uid, memo] : state_->memos) bytes += uid.capacity() + memo.memory_bytes();
  return bytes;
}

absl::string_view ObjectDecoder::raw() const { return state_->raw; }

absl::StatusOr<domain::KubeObject> ObjectDecoder::DecodeObject(absl::string_view json,
                                                               absl::string_view default_kind) {
  ondemand::document doc;
  if (auto error = state_->parser.iterate(state_->Pad(json)).get(doc)) {
    return JsonError(error, "object");
  }
  ondemand::value value;
  if (auto error = doc.get_value().get(value)) return JsonError(error, "object");
  return state_->DecodeValue(value, default_kind);
}

absl::StatusOr<WatchEvent> ObjectDecoder::DecodeWatchEvent(absl::string_view json,
                                                           absl::string_view default_kind) {
  ondemand::document doc;
  if (auto error = state_->parser.iterate(state_->Pad(json)).get(doc)) {
    return JsonError(error, "watch event");
  }
  ondemand::object top;
  if (auto error = doc.get_object().get(top)) return JsonError(error, "watch event");
  absl::StatusOr<std::string> peeked = PeekString(top, "type", "watch event");
  if (!peeked.ok()) return peeked.status();
  const std::string& type = *peeked;
  WatchEvent event;
  if (type == "ADDED") {
    event.type = WatchEvent::Type::kAdded;
  } else if (type == "MODIFIED") {
    event.type = WatchEvent::Type::kModified;
  } else if (type == "DELETED") {
    event.type = WatchEvent::Type::kDeleted;
  } else if (type == "BOOKMARK") {
    event.type = WatchEvent::Type::kBookmark;
  } else if (type == "ERROR") {
    event.type = WatchEvent::Type::kError;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("watch event: type \"", absl::CHexEscape(type.substr(0, 32)),
                     "\" is not ADDED, MODIFIED, DELETED, BOOKMARK or ERROR"));
  }
  ondemand::value object;
  if (auto error = top.find_field_unordered("object").get(object)) {
    return JsonError(error, "watch event: object");
  }
  if (event.type == WatchEvent::Type::kError) {
    ondemand::object status;
    if (auto error = object.get_object().get(status)) return JsonError(error, "watch error");
    int64_t code = 0;
    std::string_view text;
    for (auto field : status) {
      std::string_view key;
      if (field.unescaped_key().get(key)) break;
      if (key == "code") {
        if (field.value().get_int64().get(code)) code = 0;
      } else if (key == "reason" && field.value().get_string().get(text) == simdjson::SUCCESS) {
        event.reason = std::string(text);
      } else if (key == "message" && field.value().get_string().get(text) == simdjson::SUCCESS) {
        event.message = std::string(text);
      }
    }
    event.code = static_cast<int32_t>(code);
    return event;
  }
  absl::StatusOr<domain::KubeObject> decoded =
      state_->DecodeValue(object, default_kind, event.type == WatchEvent::Type::kDeleted);
  if (!decoded.ok()) return decoded.status();
  event.object = std::move(*decoded);
  return event;
}

absl::StatusOr<ListPage> ObjectDecoder::DecodeList(
    absl::string_view json,
    absl::FunctionRef<void(size_t, absl::StatusOr<domain::KubeObject>)> item,
    absl::string_view default_kind) {
  ondemand::document doc;
  if (auto error = state_->parser.iterate(state_->Pad(json)).get(doc)) {
    return JsonError(error, "list");
  }
  ondemand::object top;
  if (auto error = doc.get_object().get(top)) return JsonError(error, "list");
  absl::StatusOr<std::string> peeked = PeekString(top, "kind", "list");
  if (!peeked.ok()) return peeked.status();
  const std::string& kind = *peeked;
  bool is_list = kind == "List" || absl::EndsWith(kind, "List");
  if (!is_list) {
    if (!kind.empty()) {
      // A single object, as `kubectl get pod NAME -o json` prints it.
      ListPage page;
      page.items = 1;
      item(0, DecodeObject(json));
      return page;
    }
    return absl::InvalidArgumentError("list: no \"kind\"");
  }
  std::string item_kind = kind == "List" || kind == "PartialObjectMetadataList"
                              ? std::string(default_kind)
                              : kind.substr(0, kind.size() - 4);
  ListPage page;
  for (auto field : top) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return JsonError(error, "list");
    if (key == "metadata") {
      ondemand::object meta;
      if (field.value().get_object().get(meta) != simdjson::SUCCESS) continue;
      for (auto m : meta) {
        std::string_view meta_key;
        std::string_view text;
        if (m.unescaped_key().get(meta_key)) break;
        if (m.value().get_string().get(text) != simdjson::SUCCESS) continue;
        if (meta_key == "resourceVersion") page.resource_version = std::string(text);
        if (meta_key == "continue") page.continue_token = std::string(text);
      }
    } else if (key == "items") {
      ondemand::array items;
      if (auto error = field.value().get_array().get(items)) return JsonError(error, "list: items");
      for (auto element : items) {
        ondemand::value value;
        if (auto error = element.get(value)) {
          item(page.items, JsonError(error, absl::StrCat("list: items[", page.items, "]")));
          ++page.items;
          return page;
        }
        item(page.items, state_->DecodeValue(value, item_kind));
        ++page.items;
      }
    }
  }
  return page;
}

}  // namespace tapio::collectors::kubeapi
