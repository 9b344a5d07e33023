// Feeds arbitrary bytes to the Kubernetes decoders as a single object, a list and a watch
// recording; none may crash, and a decoded object must go through the transition detector. On
// well-formed JSON, an incremental decoder, which remembers objects across inputs, must agree
// with a fresh one (on malformed JSON the on-demand parser's answer depends on what it reads).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collectors/kubeapi/dump_reader.h"
#include "collectors/kubeapi/object_decoder.h"
#include "collectors/kubeapi/transition_detector.h"
#include "domain/event_id.h"
#include "simdjson.h"

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
  auto event = decoder->DecodeWatchEvent(text);
  static auto* incremental = new tapio::collectors::kubeapi::ObjectDecoder();
  if (incremental->remembered() > 1000) {
    delete incremental;
    incremental = new tapio::collectors::kubeapi::ObjectDecoder();
  }
  incremental->set_incremental(true);
  auto remembered = incremental->DecodeWatchEvent(text);
  static auto* validator = new simdjson::dom::parser();
  simdjson::padded_string padded(text.data(), text.size());
  bool well_formed = validator->parse(padded).error() == simdjson::SUCCESS;
  if (well_formed && event.ok() != remembered.ok()) __builtin_trap();
  if (well_formed && event.ok()) {
    const tapio::domain::KubeObject& a = event->object;
    const tapio::domain::KubeObject& b = remembered->object;
    if (a.meta.name != b.meta.name || a.meta.uid != b.meta.uid || a.meta.labels != b.meta.labels ||
        a.meta.created_ns != b.meta.created_ns) {
      __builtin_trap();
    }
    if (a.pod() != nullptr) {
      if (a.pod()->node_name != b.pod()->node_name ||
          a.pod()->statuses.size() != b.pod()->statuses.size())
        __builtin_trap();
      for (size_t i = 0; i < a.pod()->statuses.size(); ++i) {
        if (a.pod()->statuses[i].container_id != b.pod()->statuses[i].container_id ||
            a.pod()->statuses[i].state.exit_code != b.pod()->statuses[i].state.exit_code) {
          __builtin_trap();
        }
      }
    }
  }
  std::vector<tapio::collectors::kubeapi::DumpProblem> problems;
  auto handler = [&](const tapio::domain::ObjectChange& change) {
    detector->Observe(change, &events);
  };
  reader->ReadJson(text, "fuzz.json", handler, &problems);
  reader->ReadWatch(text, "fuzz.jsonl", handler, &problems);
  return 0;
}
