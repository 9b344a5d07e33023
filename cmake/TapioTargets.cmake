# Helpers that give every Tapio library, test, benchmark and fuzzer the same shape.

include(GoogleTest)

# tapio_library(NAME SOURCES ... DEPS ...): a static library of one layer.
function(tapio_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE tapio_warnings)
endfunction()

# tapio_test(NAME SOURCES ... DEPS ... LABELS ...): one GoogleTest binary, discovered by CTest.
function(tapio_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main tapio_warnings)
  gtest_discover_tests(${name}
    PROPERTIES LABELS "${ARG_LABELS}"
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DISCOVERY_TIMEOUT 60)
endfunction()

# tapio_benchmark(NAME SOURCES ... DEPS ...): a Google Benchmark binary; CTest runs it once,
# briefly, as a smoke test (label "benchmark"); `make bench` runs it for real. A benchmark that
# cannot run reports an error and still exits 0; in CI (CI=true when configured) everything it
# needs is there, so the smoke test fails on that error rather than passing over it.
function(tapio_benchmark name)
  if(NOT TAPIO_BENCHMARKS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark_main tapio_warnings)
  add_test(NAME ${name}.smoke COMMAND ${name} --benchmark_min_time=0.01)
  set_tests_properties(${name}.smoke PROPERTIES LABELS benchmark)
  if("$ENV{CI}" STREQUAL "true" OR "$ENV{CI}" STREQUAL "1")
    set_tests_properties(${name}.smoke PROPERTIES FAIL_REGULAR_EXPRESSION "ERROR OCCURRED")
  endif()
  set_property(GLOBAL APPEND PROPERTY TAPIO_BENCHMARK_TARGETS ${name})
endfunction()

# tapio_fuzzer(NAME SOURCES ... DEPS ... CORPUS DIR): a libFuzzer target; CTest replays its
# seed corpus and runs a short bounded fuzzing session (label "fuzz").
function(tapio_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} tapio_warnings)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  set(work ${CMAKE_CURRENT_BINARY_DIR}/${name}.corpus)
  add_test(NAME ${name}.smoke
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
      sh -c "mkdir -p '${work}' && exec \"$0\" -seed=1 -runs=20000 -max_len=65536 -timeout=10 '${work}' '${ARG_CORPUS}'"
      $<TARGET_FILE:${name}>)
  set_tests_properties(${name}.smoke PROPERTIES LABELS fuzz)
endfunction()
