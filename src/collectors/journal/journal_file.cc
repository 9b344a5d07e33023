#include "collectors/journal/journal_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace tapio::collectors::journal {
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

absl::StatusOr<JournalFile> ReadJournalFile(const std::string& path, JournalParser& parser) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return OpenError(path, errno);

  JournalFile result;
  auto feed = [&](absl::string_view line) {
    absl::Status status = parser.ParseLine(line, &result.events);
    if (!status.ok() && result.line_errors.size() < kMaxReportedLineErrors) {
      result.line_errors.push_back(std::move(status));
    }
  };
  // Holds at most kMaxLineBytes + 1 bytes of the current line: enough for the parser to
  // see that a longer one is too long.
  std::string line;
  bool line_started = false;
  std::string chunk(64 * 1024, '\0');
  while (true) {
    size_t got = std::fread(chunk.data(), 1, chunk.size(), file.get());
    absl::string_view rest(chunk.data(), got);
    while (!rest.empty()) {
      size_t newline = rest.find('\n');
      absl::string_view piece = rest.substr(0, newline);
      if (line.size() <= kMaxLineBytes) {
        absl::string_view kept = piece.substr(0, kMaxLineBytes + 1 - line.size());
        line.append(kept.data(), kept.size());
      }
      line_started = true;
      if (newline == absl::string_view::npos) break;
      feed(line);
      line.clear();
      line_started = false;
      rest.remove_prefix(newline + 1);
    }
    if (got < chunk.size()) break;
  }
  if (std::ferror(file.get())) {
    return absl::DataLossError(absl::StrCat("reading ", path, " failed"));
  }
  if (line_started) feed(line);
  result.counts = parser.counts();
  return result;
}

}  // namespace tapio::collectors::journal
