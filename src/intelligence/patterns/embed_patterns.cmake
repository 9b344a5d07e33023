# Writes OUTPUT: a C++ source holding every pattern file of PATTERN_DIR as a string, so the
# binary carries its library. Run by the build whenever a pattern file changes.
file(GLOB files RELATIVE ${PATTERN_DIR} ${PATTERN_DIR}/*.yaml)
list(SORT files)
set(body "")
foreach(name IN LISTS files)
  file(READ ${PATTERN_DIR}/${name} text)
  string(APPEND body "    {\"patterns/${name}\", R\"tapio_pattern(${text})tapio_pattern\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp
"// Generated from patterns/*.yaml by embed_patterns.cmake; do not edit.
#include \"intelligence/patterns/builtin_patterns.h\"

namespace tapio::intelligence {

absl::Span<const PatternSource> BuiltinPatternSources() {
  static const PatternSource kSources[] = {
${body}    {\"\", \"\"},
  };
  return absl::MakeConstSpan(kSources, sizeof(kSources) / sizeof(kSources[0]) - 1);
}

}  // namespace tapio::intelligence
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
