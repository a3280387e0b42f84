# EduSight task runner: the README, CI and the hooks all call these targets.
PY      ?= .venv/bin/python
VENV    := .venv
STAMP   := $(VENV)/.installed
DB      ?= $(or $(EDUSIGHT_DB),data/edusight.duckdb)
RAW     ?= data/raw
SCALE   ?= $(or $(EDUSIGHT_DEMO_SCALE),1)
SEED    ?= $(or $(EDUSIGHT_DEMO_SEED),2021)
PORT    ?= 8501

.PHONY: setup data generate build run feed simulate test lint fmt unit e2e bench geo clean help

help:
	@echo "make run    install, build the demo database if absent, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   lint + all test layers (unit, data, app, e2e)"
	@echo "make bench  benchmarks -> docs/performance.md"

$(STAMP): requirements.txt
	@test -d $(VENV) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP)

$(RAW)/.complete: | $(STAMP)
	$(PY) -m etl generate --scale $(SCALE) --seed $(SEED) --out $(RAW)

generate: $(STAMP)
	$(PY) -m etl generate --scale $(SCALE) --seed $(SEED) --out $(RAW)

$(DB): | $(RAW)/.complete
	$(PY) -m etl build --raw $(RAW) --db $(DB)

data: $(STAMP) $(DB)

build: $(STAMP)
	$(PY) -m etl build --raw $(RAW) --db $(DB)

run: data
	EDUSIGHT_DB=$(DB) $(PY) -m streamlit run app.py --server.headless true \
	  --server.address 127.0.0.1 --server.port $(PORT) --browser.gatherUsageStats false

feed: $(STAMP)
	$(PY) -m etl feed serve

simulate: $(STAMP)
	$(PY) -m etl feed simulate --exam gaokao --speed 60

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: lint
	$(PY) -m pytest -q

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

e2e: $(STAMP)
	$(PY) -m pytest -q tests/e2e

bench: $(STAMP)
	$(PY) -m etl bench

geo: $(STAMP)
	$(PY) -m etl geo --out data/geo

clean:
	rm -rf $(RAW) data/build data/*.duckdb data/*.duckdb.*
