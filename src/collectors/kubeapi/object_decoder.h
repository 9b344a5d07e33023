// Decodes Kubernetes API JSON — single objects, lists as the API server and `kubectl get -o
// json` print them, and watch events — into domain::KubeObject. Secrets' data is never read.
// Not thread-safe (owns a simdjson parser and buffers): one decoder per thread.
#ifndef TAPIO_COLLECTORS_KUBEAPI_OBJECT_DECODER_H_
#define TAPIO_COLLECTORS_KUBEAPI_OBJECT_DECODER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/kube_object.h"

namespace tapio::collectors::kubeapi {

// One line of a watch stream.
struct WatchEvent {
  enum class Type : uint8_t { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type = Type::kAdded;
  domain::KubeObject object;
  // For kError: the Status object's code (410 when the resource version is too old) and text.
  int32_t code = 0;
  std::string reason;
  std::string message;
};

struct ListPage {
  std::string resource_version;
  // metadata.continue: more pages follow when not empty.
  std::string continue_token;
  size_t items = 0;
};

class ObjectDecoder {
 public:
  ObjectDecoder();
  ~ObjectDecoder();
  ObjectDecoder(const ObjectDecoder&) = delete;
  ObjectDecoder& operator=(const ObjectDecoder&) = delete;

  // When on, the JSON text of each object decoded is kept until the next one: see raw().
  void set_keep_raw(bool keep);
  // The JSON of the object last decoded, as it was read; empty unless keep_raw is on, and
  // always empty for a Secret, whose data must not leave the decoder.
  absl::string_view raw() const;

  // When on, the decoder remembers, by uid, what it made of each object of a watch event or a
  // list, and decodes the object's next version from what changed: the live watch, where an
  // update repeats most of the object. A DELETED event or Forget() lets the object go. Off by
  // default: a dump reads each object once.
  void set_incremental(bool incremental);
  void Forget(absl::string_view uid);
  // How many objects the decoder remembers, and the bytes that takes.
  size_t remembered() const;
  size_t memo_bytes() const;

  // Decodes one object. `default_kind` is used when the JSON has no "kind" (items of an API
  // list response) or only "PartialObjectMetadata" (a metadata-only answer). Kinds Tapio does not
  // model come back as kUnknown with their metadata. Fails with InvalidArgument naming the JSON
  // path of the first bad field, or the offset of malformed JSON.
  absl::StatusOr<domain::KubeObject> DecodeObject(absl::string_view json,
                                                  absl::string_view default_kind = "");

  // Decodes a watch event ({"type": ..., "object": {...}}). `default_kind` as above.
  absl::StatusOr<WatchEvent> DecodeWatchEvent(absl::string_view json,
                                              absl::string_view default_kind = "");

  // Decodes a list ("PodList", or "List" whose items carry their own kind) or, when `json` is
  // a single object, that object as a list of one. Calls `item(index, object_or_error)` per
  // item: a bad item does not stop the others. `default_kind` is the kind of items that name
  // none or only say "PartialObjectMetadata" (a metadata-only list). Fails only when the
  // document itself is not a JSON object.
  absl::StatusOr<ListPage> DecodeList(
      absl::string_view json,
      absl::FunctionRef<void(size_t, absl::StatusOr<domain::KubeObject>)> item,
      absl::string_view default_kind = "");

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tapio::collectors::kubeapi

#endif  // TAPIO_COLLECTORS_KUBEAPI_OBJECT_DECODER_H_
