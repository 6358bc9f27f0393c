# Pinhole — `make run` builds and starts it, `make test` runs every test.
GO       ?= go
TAGS     ?= sqlite_fts5
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS  := -s -w -X pinhole/app/version.Version=$(VERSION) -X pinhole/app/version.Commit=$(COMMIT)
export CGO_ENABLED := 1
# Go tests of the whole tree; CI runs them in full, -short is for quick local runs.
TESTFLAGS ?=

.PHONY: all build run test test-go vet deps deps-test clean bench

all: build

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

build: deps
	$(GO) build -tags '$(TAGS)' -trimpath -ldflags '$(LDFLAGS)' -o pinhole .

# Serve the folder in ORIGINALS, or a generated demo library when it is empty.
ORIGINALS ?=
DATA      ?= ./data
LISTEN    ?= :8077
run: build
	./pinhole serve --data '$(DATA)' --listen '$(LISTEN)' $(if $(ORIGINALS),--originals '$(ORIGINALS)')

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet -tags '$(TAGS)' ./...

test-go: deps-test
	$(GO) test -tags '$(TAGS)' -timeout 20m $(TESTFLAGS) ./...

test: vet test-go

clean:
	rm -f pinhole
