# The two commands of the README, and the ones developers use beside them.
#   make demo   install what is missing, build, replay the bundled incident and answer why
#   make test   install what is missing, build, run every test (and the sanitizer build's)
#   make bench  build and run the benchmarks
#   make fmt    format the C++ sources
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
JOBS ?= $(shell nproc)
WERROR := $(if $(filter true 1,$(CI)),ON,OFF)
CMAKE_FLAGS := -G Ninja -DTAPIO_WERROR=$(WERROR)

.PHONY: all deps build build-sanitize demo test test-release test-sanitize bench fmt clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# clang with AddressSanitizer and UndefinedBehaviorSanitizer, and the libFuzzer targets.
build-sanitize: deps
	@CC=clang CXX=clang++ cmake -S . -B $(SANITIZE_BUILD) $(CMAKE_FLAGS) \
	  -DCMAKE_BUILD_TYPE=Debug -DTAPIO_SANITIZE=ON -DTAPIO_FUZZ=ON -DTAPIO_BENCHMARKS=OFF >/dev/null
	@cmake --build $(SANITIZE_BUILD) -j $(JOBS)

demo: build
	@$(BUILD)/src/cli/tapio demo

test-release: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: build-sanitize
	@cd $(SANITIZE_BUILD) && ctest --output-on-failure -j $(JOBS) -L 'unit|fuzz'

test: test-release test-sanitize

bench: build
	@for b in $$(find $(BUILD) -name '*_benchmark' -type f -perm -u+x | sort); do $$b; done
	@$(BUILD)/src/cli/tapio bench

fmt:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD)
