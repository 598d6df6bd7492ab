# The README's two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv clean eval bench bench-scale model
SHARED ?= ../shared

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/draftctl serve --demo --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) data *.egg-info .pytest_cache

# Copy detection on the development set and the four PAN 2013 folders, scored with the PAN measures.
eval: $(STAMP)
	@mkdir -p build
	$(BIN)/draftctl detect --sources $(SHARED)/eval/dev/sources --json $(SHARED)/eval/dev/drafts > build/eval-dev.json
	$(BIN)/python $(SHARED)/tools/plagdet.py $(SHARED)/eval/dev/truth.json build/eval-dev.json --by-kind
	$(BIN)/python bench/decoys.py $(SHARED)/eval/dev/drafts build/eval-dev.json
	@# PAN 2013 training folders, each draft against PAN's candidate pairs (as published systems are measured)
	@for subset in none random translation summary; do \
		echo "PAN 2013 $$subset:"; \
		$(BIN)/draftctl detect --sources $(SHARED)/eval/pan13/$$subset/sources --pairs $(SHARED)/eval/pan13/$$subset/pairs \
			--json $(SHARED)/eval/pan13/$$subset/drafts > build/eval-pan13-$$subset.json || exit 1; \
		$(BIN)/python $(SHARED)/tools/plagdet.py $(SHARED)/eval/pan13/$$subset/truth.json build/eval-pan13-$$subset.json --by-kind || exit 1; \
	done

# The common-phrase model (models/phrases.npz) from the reference corpus; commit the result.
model: $(STAMP)
	$(BIN)/draftctl model build --corpus $(SHARED)/corpus --corpus $(SHARED)/corpus-extra --out models/phrases.npz

# Speed against the corpus, with a naive baseline measured in the same run; then the
# archive scan, and the registration (parse, index) of a batch of directives, each in one
# process and on one and two Celery workers (PostgreSQL and Redis);
# then real implementing documents checked together against the documents they cite;
# then OCR of scanned fixtures against a naive Tesseract run and the text layer.
bench: $(STAMP)
	$(BIN)/python bench/run.py --corpus $(SHARED)/corpus --out bench/results.json
	$(BIN)/python bench/scan_workers.py --shared $(SHARED) --out bench/results.json
	$(BIN)/python bench/index_workers.py --shared $(SHARED) --out bench/results.json
	$(BIN)/python bench/implementing.py --corpus $(SHARED)/corpus --out bench/implementing.json
	$(BIN)/python bench/ocr.py --shared $(SHARED) --out bench/results.json

# How build time, memory and draft latency grow with the registry: synthetic registries of
# SIZES directives made from the corpus, each written as an index snapshot and checked by
# WORKERS worker processes at once (all layers), and split into SHARDS shards, each served by
# its own process, a coordinator fanning checks out over them (about 30 minutes for 2000,20000).
SIZES ?= 2000,20000
WORKERS ?= 1,2
SHARDS ?= 2
bench-scale: $(STAMP)
	$(BIN)/python bench/scale.py --shared $(SHARED) --sizes $(SIZES) --workers $(WORKERS) --shards $(SHARDS) --semantic --out bench/scale.json
