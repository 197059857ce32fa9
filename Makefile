# kdistill: every command a developer runs. .ci/run calls the same targets.
SWIFT ?= swift
CONFIG ?= release
BIN = .build/$(CONFIG)/kdistill
THREADS ?= 2

.PHONY: build test test-fast test-asan bench bench-e2e demo fmt lint clean

build:
	$(SWIFT) build -c $(CONFIG)

# Tests run optimised: the end-to-end ones train real models. `test` is everything (what CI runs);
# `test-fast` the unit tests only (no CLITests, which run the binary end to end), well under a minute.
# `test` also runs the bench harness's own tests (benchmarks/test_bench.py, stand-in engines) when python3 is there.
test:
	@if command -v python3 >/dev/null; then python3 -m unittest discover -s benchmarks -p 'test_*.py'; fi
	$(SWIFT) build -c $(CONFIG) --product kdistill
	$(SWIFT) test -c $(CONFIG) --disable-swift-testing

test-fast:
	$(SWIFT) test -c $(CONFIG) --disable-swift-testing --skip CLITests

# The raw-pointer kernels and the parsers of untrusted bytes (IDX, gzip, tar, HTTP, MD5, safetensors, protobuf,
# JSON) under AddressSanitizer: a debug build, so Swift's own checks are on as well.
ASAN_TESTS = KDTensorTests|KDDataTests|KDNNTests\.Safetensors|KDNNTests\.StateDict|KDTrainTests\.ConfigJSON|KDExportTests\.(Protobuf|ONNXFormat)
test-asan:
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test -c debug --sanitize=address --disable-swift-testing \
		--filter '$(ASAN_TESTS)'

# kdistill and PyTorch alternate workload by workload for ROUNDS rounds, each run a fresh process; raw
# records go to benchmarks/results/, the Markdown table (median per-round ratio, min-max) to stdout.
# COMPILE=1 adds a torch.compile column (about 50 s of compiling per model); WORKLOADS=W3,W4 narrows it.
ROUNDS ?= 3
COMPILE ?= 0
WORKLOADS ?= all
bench: build
	python3 benchmarks/bench.py --kdistill $(BIN) --threads $(THREADS) --rounds $(ROUNDS) \
		--workloads $(WORKLOADS) $(if $(filter 1,$(COMPILE)),--compile)

# The FM-R20 lenet5 sweep (kd, at+kd, rkd, sp, fitnet, eskd) end to end in kdistill and in PyTorch
# (benchmarks/pytorch_sweep.py), engines alternating by round; needs the FM-R20 teacher (scripts/fm-r20.sh).
bench-e2e: build
	python3 benchmarks/e2e.py --kdistill $(BIN) --threads $(THREADS) --rounds $(or $(E2E_ROUNDS),1)

demo: build
	./scripts/demo.sh

fmt:
	@if command -v swift-format >/dev/null || $(SWIFT) format --version >/dev/null 2>&1; then \
		$(SWIFT) format --in-place --recursive Sources Tests; else echo "swift-format not available"; fi

lint:
	@if $(SWIFT) format --version >/dev/null 2>&1; then $(SWIFT) format lint --recursive Sources Tests; fi
	./scripts/lint.sh

clean:
	rm -rf .build
