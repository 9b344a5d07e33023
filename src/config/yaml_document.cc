#include "config/yaml_document.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/eventhandler.h"

namespace tapio::config {
namespace {

// Notes where a document starts and whether it holds more than an empty node.
class DocumentProbe : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    start_ = mark;
    has_content_ = false;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { has_content_ = true; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {
    has_content_ = true;
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    has_content_ = true;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    has_content_ = true;
  }
  void OnMapEnd() override {}

  const YAML::Mark& start() const { return start_; }
  bool has_content() const { return has_content_; }

 private:
  YAML::Mark start_ = YAML::Mark::null_mark();
  bool has_content_ = false;
};

// Finds what follows the first document. yaml-cpp 0.7 answers a token that can start no node
// (a "," outside a flow collection) with an empty document that does not consume it, forever;
// a document that starts where the previous one did is that case.
void CheckLaterDocuments(const std::string& text, YamlDocument& document) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentProbe probe;
  bool first = true;
  int previous_start = -1;
  while (parser.HandleNextDocument(probe)) {
    if (probe.start().pos == previous_start) {
      document.problems.push_back(
          {LineOf(probe.start()), "not valid YAML: text that starts no key or value"});
      return;
    }
    if (!first && probe.has_content()) {
      document.problems.push_back(
          {LineOf(probe.start()), "a second YAML document; the file holds one"});
      return;
    }
    first = false;
    previous_start = probe.start().pos;
  }
}

}  // namespace

int LineOf(const YAML::Mark& mark) { return mark.is_null() ? 0 : mark.line + 1; }
int LineOf(const YAML::Node& node) { return LineOf(node.Mark()); }

YamlDocument ParseYamlDocument(absl::string_view text) {
  YamlDocument document;
  std::string copy(text);
  try {
    document.root = YAML::Load(copy);
    CheckLaterDocuments(copy, document);
  } catch (const YAML::DeepRecursion& error) {
    document.problems.push_back({LineOf(error.mark), "not valid YAML: nested too deeply"});
  } catch (const YAML::Exception& error) {
    document.problems.push_back({LineOf(error.mark), absl::StrCat("not valid YAML: ", error.msg)});
  }
  return document;
}

}  // namespace tapio::config
