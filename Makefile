# Pinhole — `make run` builds and starts it, `make test` runs every test.
GO       ?= go
TAGS     ?= sqlite_fts5
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS  := -s -w -X pinhole/app/version.Version=$(VERSION) -X pinhole/app/version.Commit=$(COMMIT)
export CGO_ENABLED := 1
# Go tests of the whole tree; CI runs them in full, -short is for quick local runs.
TESTFLAGS ?=
# Tests and vet also build what only tests use (the synthetic tag): db's
# synthetic-library generator, the test clock and flag setter, the password
# counter, the CMYK encoder. The binary people run has none of it
# (app/binary_test.go checks its symbols).
TEST_TAGS ?= $(TAGS) synthetic

.PHONY: all build run test test-go test-ui test-release test-arm ui vet deps deps-test clean bench release

all: build

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

build: deps ui
	$(GO) build -tags '$(TAGS)' -trimpath -ldflags '$(LDFLAGS)' -o pinhole .

# Serve the folder in ORIGINALS, or a generated demo library when it is empty.
ORIGINALS ?=
DATA      ?= ./data
LISTEN    ?= :8077
run: build
	./pinhole serve --data '$(DATA)' --listen '$(LISTEN)' $(if $(ORIGINALS),--originals '$(ORIGINALS)')

vet: deps
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet -tags '$(TEST_TAGS)' ./...

test-go: deps-test
	$(GO) test -tags '$(TEST_TAGS)' -timeout 20m $(TESTFLAGS) ./...

test: vet test-go test-ui test-release

# Reproducible amd64 build, arm64 + armv7 cross-builds, an arm64 smoke test
# under qemu, and the .deb installed, served, removed and purged.
test-release: deps-test ui
	scripts/test-release.sh

# Every self-contained package's tests cross-compiled and run under qemu
# (slow: minutes of emulation).
test-arm: ui
	scripts/test-arm.sh

# Release binaries (dist/pinhole-linux-{amd64,arm64,armv7}) and .debs.
release: ui
	scripts/build.sh
	scripts/package.sh

bench: build
	scripts/bench-index.sh
	scripts/bench-thumbs.sh
	scripts/bench-api.sh

# The web app (web/ui): npm ci when the lock file changes, vite build when a
# source changes; dist/index.html is the stamp, so an unchanged UI costs
# nothing. The binary embeds web/ui/dist.
UI_SRC := $(shell find web/ui/src web/ui/scripts -type f 2>/dev/null) web/ui/index.html web/ui/vite.config.js web/ui/package.json
ui: web/ui/dist/index.html

web/ui/node_modules/.ci-stamp: web/ui/package-lock.json web/ui/package.json
	cd web/ui && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web/ui/dist/index.html: web/ui/node_modules/.ci-stamp $(UI_SRC)
	cd web/ui && npm run build --silent

# Browser tests: headless Debian chromium driven by playwright-core against a
# real `pinhole serve` (end to end, bundle budget, 100k-photo timeline).
test-ui: deps-test build
	cd web/ui && PINHOLE_BIN='$(CURDIR)/pinhole' node --test --test-concurrency=1 tests/

clean:
	rm -rf pinhole dist
