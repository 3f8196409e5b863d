# make help lists the targets. `make run` needs nothing but Go (SQLite and
# local disk); set MOOC_DATABASE_URL and MOOC_S3_* to use PostgreSQL and
# MinIO. `make test`, `make fuzz` and `make bench` start a throwaway
# PostgreSQL and MinIO by themselves: their scripts run under the Go
# provisioner internal/testenv/cmd/testenv (built into bin/testenv).

GO       ?= go
FUZZTIME ?= 5s
# Extra arguments for go test, e.g. make test ARGS='-run TestLogin -v'
ARGS     ?=

.DEFAULT_GOAL := help

.PHONY: help run build migrate test lint openapi fuzz bench bench-replicas vet fmt clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-zA-Z_-]*:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## start the API and the pages on http://localhost:8080/ (embedded SQLite and local disk unless MOOC_DATABASE_URL / MOOC_S3_* are set; a demonstration course unless MOOC_DEMO=false)
	MOOC_DEMO=$${MOOC_DEMO:-true} $(GO) run ./cmd/mooc serve

build: ## build a static binary into bin/mooc
	CGO_ENABLED=0 $(GO) build -o bin/mooc ./cmd/mooc

migrate: ## apply the database migrations
	$(GO) run ./cmd/mooc migrate

test: ## go mod tidy and golangci-lint checks, the whole suite with -race against real PostgreSQL and MinIO, the OpenAPI lint, then the fuzz targets
	FUZZTIME=$(FUZZTIME) bash scripts/test.sh $(ARGS)

lint: ## go mod tidy must change nothing and golangci-lint (.golangci.yml) must find nothing
	bash scripts/lint.sh

openapi: ## the served OpenAPI document must pass Redocly CLI's lint (pinned in tools/openapi; needs Node.js and npm)
	bash scripts/openapi-lint.sh

fuzz: ## run every fuzz target for FUZZTIME (default 5s)
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

bench: ## measure the real binary against PostgreSQL and MinIO (issues 3-8; MOOC_BENCH_SOAK=30m for the long soak), fuzz 60 s each, write BENCHMARKS.md
	bash scripts/bench.sh $(ARGS)

bench-replicas: ## three replicas behind haproxy, MinIO over four drives: enrolment rush with a replica killed, job takeover, orphans, MinIO stopped, read capacity with vegeta (issue 20; ARGS go to bench/cmd/replicas)
	bash scripts/bench-replicas.sh $(ARGS)

vet: ## go vet
	$(GO) vet ./...

fmt: ## gofmt the sources
	$(GO) fmt ./...

clean: ## remove build and coverage output
	rm -rf bin/ coverage.out coverage.html cover.out *.coverprofile
