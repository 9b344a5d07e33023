// Feeds arbitrary bytes to the tapio.yaml loader: it must answer with a config or an error,
// never crash or hang.
#include <cstddef>
#include <cstdint>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  tapio::config::LoadConfig(text, "fuzz.yaml").IgnoreError();
  return 0;
}
