# zsic: `make eval` (the main job) and `make test`; each runs setup on demand. See README.md.
GO ?= go

.PHONY: setup eval test vet build golden report prompts fixtures fixtures-int8 bench bench-jpeg cross ortcompare fuzz

setup:
	$(GO) run ./cmd/zsic-setup

# The main job: evaluate tiny-clip on the pinned 1000-image CIFAR-100 sample,
# writing out/report.json, out/predictions.jsonl and out/report.html, and
# print the metrics. EVAL_MODEL picks another model folder.
EVAL_MODEL ?= fixtures/models/tiny-clip
EVAL_OUT ?= out
eval: setup build
	@mkdir -p $(EVAL_OUT)
	@data=$$($(GO) run ./cmd/zsic-setup -find cifar100/test.parquet) && \
	$(ZSIC_BIN) eval -m $(EVAL_MODEL) --dataset "$$data" --manifest fixtures/samples/cifar100-test-1000.json \
		--output $(EVAL_OUT)/report.json --predictions $(EVAL_OUT)/predictions.jsonl --quiet > /dev/null && \
	$(ZSIC_BIN) report --predictions $(EVAL_OUT)/predictions.jsonl --report $(EVAL_OUT)/report.json \
		--dataset "$$data" --output $(EVAL_OUT)/report.html

test: setup
	$(GO) vet ./...
	@bad=$$("$$($(GO) env GOROOT)/bin/gofmt" -l .); if [ -n "$$bad" ]; then echo "gofmt would change: $$bad (run gofmt -w on them)"; exit 1; fi
	$(GO) test -race ./...

# bin/zsic, stamped with the git revision (its JSON reports record it even
# where the toolchain records none, e.g. in a git worktree).
ZSIC_BIN ?= bin/zsic
STAMP = github.com/zsic/zsic/zsic/report
build:
	$(GO) build -ldflags "-X $(STAMP).revision=$$(git rev-parse HEAD 2>/dev/null) -X $(STAMP).modified=$$(test -z "$$(git status --porcelain 2>/dev/null)" && echo false || echo true)" -o $(ZSIC_BIN) ./cmd/zsic

# Windows (cgo via mingw-w64, run under Wine), linux/arm64 (cgo, run under
# qemu) and a cgo-less vet for darwin/arm64 and windows/arm64; installs its
# Debian packages itself. See README's Platforms.
cross:
	GO=$(GO) ./scripts/cross.sh

# Paired benchmark of the pinned ONNX Runtime against another release (NEW),
# same binary, interleaved rounds; prints benchstat's table.
NEW ?= 1.30.0
ortcompare:
	GO=$(GO) ./scripts/ortcompare.sh "" $(NEW)

# Benchmarks in benchstat format: BenchmarkFloor (a bare ONNX Runtime Run)
# and BenchmarkEvaluate (the whole pipeline) per case, both in images/s.
# BENCH selects benchmarks, COUNT repeats them for benchstat;
# ZSIC_BENCH_MODELS=$$HOME/.cache/zsic/bench-models adds the full-size ViT-B/32
# that fixtures/scripts/make_bench_model.py writes there.
BENCH ?= Floor|Evaluate
COUNT ?= 1
BENCHTIME ?= 1s
bench:
	@$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -count $(COUNT) ./regress | grep -Ev '^(PASS|ok )'

# JPEG decode and CLIP preprocessing beside Pillow, interleaved, one core
# (needs Debian's python3-pil and python3-numpy; README "JPEG").
bench-jpeg:
	$(PY) scripts/bench_jpeg.py

# Runs every fuzz target (package:Target) for FUZZTIME each, one worker at a
# time; FUZZ=Target runs one. Crashers land in the package's
# testdata/fuzz/Target/, which plain `go test` then replays. `make test`
# runs only the seed corpora.
FUZZTIME ?= 1m
FUZZ ?=
FUZZ_TARGETS = ./zsic/imageproc:FuzzDecodePreprocess ./zsic/imageproc:FuzzPNGFastPath ./zsic/imageproc:FuzzParseConfig ./zsic:FuzzModelConfigs \
	./zsic/tokenizer:FuzzTokenizerFiles ./zsic/dataset:FuzzParquetFile ./zsic/dataset:FuzzParquetPages ./zsic/dataset:FuzzList

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		if [ -n "$(FUZZ)" ] && [ "$(FUZZ)" != "$$name" ]; then continue; fi; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -parallel 1 || exit 1; \
	done

# Rewrites the golden files from a real run: review the diff before committing.
# `make golden ZSIC_DEVICE=qnn` records golden/qnn/ on that device instead.
golden:
	$(GO) test ./regress -update

report:
	$(GO) run ./regress/cmd/report -o docs/quantization.md

# docs/prompts.md: OpenAI's prompt ensemble and class names against the single prompt.
prompts:
	$(GO) run ./regress/cmd/prompts -o docs/prompts.md

# Regenerates every fixture and reference file from its script (needs Debian's
# python3-torch, python3-onnx, python3-pil, python3-numpy, sentencepiece and
# python3-sentencepiece; about 30 minutes on 2 cores). Not part of CI. After it,
# `make golden` and `make report` record the retrained models.
DATA ?= ../shared/data
PY := /usr/bin/python3

fixtures:
	$(PY) fixtures/encoder/make.py
	$(GO) run ./fixtures/imageproc/extractcifar $(DATA)/cifar100/test.parquet fixtures/imageproc/inputs 0 1 2 3 4 7
	$(PY) fixtures/imageproc/gen.py
	$(PY) fixtures/jpeg/gen.py
	cd fixtures/tokenizer/clip && $(PY) gen_normalize.py > normalize.jsonl
	$(PY) fixtures/tokenizer/sentencepiece/make.py
	$(PY) zsic/dataset/testdata/gen_pil.py $(DATA)/cifar100/test.parquet
	$(PY) zsic/dataset/wdstest/testdata/gen_webp.py $(DATA)/cifar100/test.parquet
	$(PY) zsic/head/testdata/gen.py
	$(PY) fixtures/ensemble/gen.py
	$(GO) run ./fixtures/cmd/mksample -in $(DATA)/cifar100/test.parquet -n 1000 -seed 2026 -out fixtures/samples/cifar100-test-1000.json
	ZSIC_DATA=$(DATA) ./fixtures/scripts/make_all.sh
	$(MAKE) fixtures-int8

# Rewrites every model fixture's onnx/*_quantized.onnx (dynamic int8, as
# onnxruntime's quantize_dynamic writes it) from its fp32 towers: seconds,
# needs only python3-onnx and python3-numpy. Then `make golden` and `make report`.
fixtures-int8:
	$(PY) fixtures/scripts/quantize_dynamic.py $$(find fixtures/models -name config.json -exec dirname {} \; | sort)
