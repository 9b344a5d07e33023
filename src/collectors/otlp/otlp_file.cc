#include "collectors/otlp/otlp_file.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "domain/source_file.h"

namespace tapio::collectors::otlp {

absl::StatusOr<OtlpFile> ReadOtlpFile(const std::string& path, OtlpParser& parser) {
  absl::StatusOr<std::string> text = domain::ReadWholeFile(path, kMaxRequestBytes);
  if (absl::IsResourceExhausted(text.status())) {
    return absl::ResourceExhaustedError(absl::StrCat(path, " is larger than the limit of ",
                                                     kMaxRequestBytes, " bytes for one request"));
  }
  if (!text.ok()) return text.status();
  OtlpFile result;
  parser.Parse(*text, &result.result);
  result.counts = parser.counts();
  return result;
}

}  // namespace tapio::collectors::otlp
