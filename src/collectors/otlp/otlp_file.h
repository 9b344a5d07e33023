// Reads one OTLP/JSON request file, as the scenario layout keeps them (otlp/*.json), through
// an OtlpParser. Thread-compatible.
#ifndef TAPIO_COLLECTORS_OTLP_OTLP_FILE_H_
#define TAPIO_COLLECTORS_OTLP_OTLP_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "collectors/otlp/otlp_parser.h"

namespace tapio::collectors::otlp {

struct OtlpFile {
  OtlpParser::Result result;
  // The parser's counts after the file.
  OtlpParser::Counts counts;
};

// Reads the file at `path` whole and parses it with `parser`; problems inside the file are
// in result.errors (see OtlpParser::Parse). Fails with NotFound when the file does not exist,
// PermissionDenied when it cannot be opened, ResourceExhausted when it is larger than
// kMaxRequestBytes (reading no more than that), and DataLoss when reading fails midway.
absl::StatusOr<OtlpFile> ReadOtlpFile(const std::string& path, OtlpParser& parser);

}  // namespace tapio::collectors::otlp

#endif  // TAPIO_COLLECTORS_OTLP_OTLP_FILE_H_
