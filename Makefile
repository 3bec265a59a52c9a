# zsic: `make setup` once, then `make test`. See README.md.
GO ?= go

.PHONY: setup test vet build golden report fixtures bench

setup:
	./scripts/setup.sh

test:
	$(GO) vet ./...
	$(GO) test -race ./...

build:
	$(GO) build -o bin/zsic ./cmd/zsic

bench:
	$(GO) test -run '^$$' -bench . ./regress

# Rewrites the golden files from a real run: review the diff before committing.
golden:
	$(GO) test ./regress -update

report:
	$(GO) run ./regress/cmd/report -o docs/quantization.md

fixtures:
	./fixtures/scripts/make_all.sh
