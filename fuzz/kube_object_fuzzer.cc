// Feeds arbitrary bytes to the Kubernetes decoders as a single object, a list and a watch
// recording; none may crash, and a decoded object must go through the transition detector.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collectors/kubeapi/dump_reader.h"
#include "collectors/kubeapi/object_decoder.h"
#include "collectors/kubeapi/transition_detector.h"
#include "domain/event_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* decoder = new tapio::collectors::kubeapi::ObjectDecoder();
  static auto* reader = new tapio::collectors::kubeapi::DumpReader();
  static auto* registry = new tapio::domain::EntityRegistry();
  static auto* ids = new tapio::domain::EventIdGenerator(1);
  static auto* detector = new tapio::collectors::kubeapi::TransitionDetector(
      tapio::domain::Intern("fuzz"), *registry, *ids);
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<tapio::domain::Event> events;
  auto object = decoder->DecodeObject(text);
  if (object.ok()) {
    detector->Observe({tapio::domain::ObjectChange::Type::kModified, 1, std::move(*object)},
                      &events);
  }
  (void)decoder->DecodeWatchEvent(text);
  std::vector<tapio::collectors::kubeapi::DumpProblem> problems;
  auto handler = [&](const tapio::domain::ObjectChange& change) {
    detector->Observe(change, &events);
  };
  reader->ReadJson(text, "fuzz.json", handler, &problems);
  reader->ReadWatch(text, "fuzz.jsonl", handler, &problems);
  return 0;
}
