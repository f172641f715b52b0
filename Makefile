# dnngen front door. `make demo` and `make test` install what they need first.
BUILD ?= build
JOBS  ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps build demo test regress lint bench fuzz coverage mutate format format-check clean help

all: build

help:
	@echo "make demo     generate, co-simulate (RTL vs golden model), synthesize, print a summary"
	@echo "make test     the quick suite: unit, lint, co-simulation, CLI (CI runs this)"
	@echo "make regress  longer co-simulation sweeps (more seeds and jobs)"
	@echo "make lint     verilator -Wall and Yosys read/synth of every RTL module"
	@echo "make bench    performance figures: simulation speed, cycle-model speed, SCALE-Sim ratio"
	@echo "make fuzz     libFuzzer on the config, .npy, workload CSV and Liberty readers (FUZZ_SECONDS each, default 600)"
	@echo "make mutate   mutation testing: each mutant of testbench/mutate/mutants.csv against the co-simulation suites"
	@echo "make format   clang-format the C++ tree (.clang-format); format-check only checks (part of make test)"

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	scripts/demo.sh $(BUILD)

# The suite's simulators run short jobs: their C++ is compiled at -O1 (DNNGEN_SIM_BUILD=quick,
# about half the build time); demo, bench and regress build them for speed.
test: build
	DNNGEN_SIM_BUILD=quick ctest --test-dir $(BUILD) -j $(JOBS) --output-on-failure

lint: build
	DNNGEN=$(BUILD)/tools/dnngen scripts/lint.sh

regress: build
	scripts/regress.sh $(BUILD)

bench: build
	scripts/bench.sh $(BUILD)

fuzz: deps
	scripts/fuzz.sh

coverage: build
	scripts/coverage.sh $(BUILD)

mutate: build
	scripts/mutate.py $(BUILD) --report $(BUILD)/mutate.md

format: deps
	scripts/format.sh

format-check: deps
	scripts/format.sh --check

clean:
	rm -rf $(BUILD) build-fuzz out
