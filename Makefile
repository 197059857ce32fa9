# kdistill: every command a developer runs. .ci/run calls the same targets.
SWIFT ?= swift
CONFIG ?= release
BIN = .build/$(CONFIG)/kdistill
THREADS ?= 2

.PHONY: build test bench demo fmt lint clean

build:
	$(SWIFT) build -c $(CONFIG)

# Tests run optimised: the end-to-end ones train real models.
test:
	$(SWIFT) build -c $(CONFIG) --product kdistill
	$(SWIFT) test -c $(CONFIG) --disable-swift-testing

bench: build
	$(BIN) bench --threads $(THREADS) --json > benchmarks/kdistill.jsonl
	@if python3 -c 'import torch' 2>/dev/null; then \
		python3 benchmarks/pytorch_bench.py --threads $(THREADS) > benchmarks/pytorch.jsonl; \
	else echo "PyTorch not installed: kdistill figures only" >&2; rm -f benchmarks/pytorch.jsonl; fi
	python3 benchmarks/compare.py benchmarks/kdistill.jsonl benchmarks/pytorch.jsonl

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
