#include "collectors/otlp/otlp_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tapio::collectors::otlp {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

absl::Status OpenError(const std::string& path, int error) {
  std::string message = absl::StrCat("cannot open ", path, ": ", std::strerror(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  if (error == EACCES || error == EPERM) return absl::PermissionDeniedError(message);
  return absl::UnavailableError(message);
}

}  // namespace

absl::StatusOr<OtlpFile> ReadOtlpFile(const std::string& path, OtlpParser& parser) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return OpenError(path, errno);
  std::string text;
  std::string chunk(64 * 1024, '\0');
  while (true) {
    size_t got = std::fread(chunk.data(), 1, chunk.size(), file.get());
    if (text.size() + got > kMaxRequestBytes) {
      return absl::ResourceExhaustedError(absl::StrCat(path, " is larger than the limit of ",
                                                       kMaxRequestBytes, " bytes for one request"));
    }
    text.append(chunk.data(), got);
    if (got < chunk.size()) break;
  }
  if (std::ferror(file.get())) {
    return absl::DataLossError(absl::StrCat("reading ", path, " failed"));
  }
  OtlpFile result;
  parser.Parse(text, &result.result);
  result.counts = parser.counts();
  return result;
}

}  // namespace tapio::collectors::otlp
