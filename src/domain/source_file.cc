#include "domain/source_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"

namespace tapio::domain {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

absl::StatusOr<File> Open(const std::string& path) {
  File file(std::fopen(path.c_str(), "rb"));
  if (file != nullptr) return file;
  int error = errno;
  std::string message = absl::StrCat("cannot open ", path, ": ", std::strerror(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  if (error == EACCES || error == EPERM) return absl::PermissionDeniedError(message);
  return absl::UnavailableError(message);
}

}  // namespace

absl::Status ForEachLine(const std::string& path, size_t max_line_bytes,
                         const std::function<void(absl::string_view)>& on_line) {
  absl::StatusOr<File> file = Open(path);
  if (!file.ok()) return file.status();
  std::string line;
  bool line_started = false;
  std::string chunk(kChunkBytes, '\0');
  while (true) {
    size_t got = std::fread(chunk.data(), 1, chunk.size(), file->get());
    absl::string_view rest(chunk.data(), got);
    while (!rest.empty()) {
      size_t newline = rest.find('\n');
      absl::string_view piece = rest.substr(0, newline);
      if (line.size() <= max_line_bytes) {
        absl::string_view kept = piece.substr(0, max_line_bytes + 1 - line.size());
        line.append(kept.data(), kept.size());
      }
      line_started = true;
      if (newline == absl::string_view::npos) break;
      on_line(line);
      line.clear();
      line_started = false;
      rest.remove_prefix(newline + 1);
    }
    if (got < chunk.size()) break;
  }
  if (std::ferror(file->get())) {
    return absl::DataLossError(absl::StrCat("reading ", path, " failed"));
  }
  if (line_started) on_line(line);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path, size_t max_bytes) {
  absl::StatusOr<File> file = Open(path);
  if (!file.ok()) return file.status();
  std::string text;
  std::string chunk(kChunkBytes, '\0');
  while (true) {
    size_t got = std::fread(chunk.data(), 1, chunk.size(), file->get());
    if (text.size() + got > max_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat(path, " is larger than the limit of ", max_bytes, " bytes"));
    }
    text.append(chunk.data(), got);
    if (got < chunk.size()) break;
  }
  if (std::ferror(file->get())) {
    return absl::DataLossError(absl::StrCat("reading ", path, " failed"));
  }
  return text;
}

}  // namespace tapio::domain
