// Reads what `kubectl get -o json` prints (lists or single objects, `k8s/*.json`) and watch
// recordings (`k8s/*.jsonl`, one {"type", "object"} per line) into object changes, through
// the same decoder as the live watch. Each change carries a time taken from the object
// itself. Not thread-safe.
#ifndef TAPIO_COLLECTORS_KUBEAPI_DUMP_READER_H_
#define TAPIO_COLLECTORS_KUBEAPI_DUMP_READER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "collectors/kubeapi/object_decoder.h"
#include "domain/kube_object.h"

namespace tapio::collectors::kubeapi {

// A record that could not be used, and where it was.
struct DumpProblem {
  std::string place;  // "k8s/pods.json: items[3]", "k8s/watch.jsonl:17"
  std::string problem;
};

// The newest time an object shows (status and condition times, container start and finish,
// an Event's last occurrence, creation); 0 when it shows none.
int64_t NewestTime(const domain::KubeObject& object);

class DumpReader {
 public:
  using ChangeHandler = std::function<void(const domain::ObjectChange&)>;

  // Reads one file; `name` is how problems refer to it. Objects of a list file are handed
  // over in the order of their times; watch lines in recorded order. Bad records are added to
  // `problems` and skipped. Fails only when the file cannot be read.
  absl::Status ReadJsonFile(const std::string& path, const std::string& name,
                            const ChangeHandler& handler, std::vector<DumpProblem>* problems);
  absl::Status ReadWatchFile(const std::string& path, const std::string& name,
                             const ChangeHandler& handler, std::vector<DumpProblem>* problems);

  // When on, each change carries its object's JSON as read (ObjectChange::raw).
  void set_keep_raw(bool keep) { decoder_.set_keep_raw(keep); }

  // Parses in-memory text the same way.
  void ReadJson(absl::string_view text, const std::string& name, const ChangeHandler& handler,
                std::vector<DumpProblem>* problems);
  void ReadWatch(absl::string_view text, const std::string& name, const ChangeHandler& handler,
                 std::vector<DumpProblem>* problems);

 private:
  ObjectDecoder decoder_;
};

}  // namespace tapio::collectors::kubeapi

#endif  // TAPIO_COLLECTORS_KUBEAPI_DUMP_READER_H_
