# Every target installs what it needs first (a virtualenv in .venv).
# Values such as URL reach the tool as single, quoted arguments: never pasted into a command line.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export URL OUT WORKSPACE MAX_PAGES GOVERNANCE AS_OF CONNECT_TO LOGS PDF BENCH_PAGES BENCH_QUICK BENCH_KEEP BENCH_PROFILE BENCH_LOG_MB BENCH_LOG_GZIP REDIS PROCESSES RESUME JOIN

.PHONY: install audit crawl demo test bench bench-peer bench-logs precision docs lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@# setuptools' notice that an editable install maps folders is information, not a warning
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

# make audit URL=https://example.com/ [OUT=dir] [WORKSPACE=dir] [MAX_PAGES=n] [GOVERNANCE=file] [AS_OF=YYYY-MM-DD]
#            [CONNECT_TO="example.com:443:127.0.0.1:8443 ..."] [REDIS=redis://host:6379/0 [PROCESSES=n]]
#            [LOGS="access.log access.log.1.gz"]   server access logs: what AI crawlers fetched
#            [PDF=1]   also audit.pdf (cover, executive page, the report laid out for print)
# Without URL: the bundled demo site, served on 127.0.0.1 for the duration.
audit: install
	@set -f; set -- ; \
	for c in $$CONNECT_TO; do set -- "$$@" --connect-to "$$c"; done; \
	for f in $$LOGS; do set -- "$$@" --logs "$$f"; done; \
	if [ -n "$$PDF" ] && [ "$$PDF" != 0 ]; then set -- "$$@" --pdf; fi; \
	if [ -n "$$REDIS" ]; then set -- "$$@" --redis "$$REDIS"; fi; \
	if [ -n "$$PROCESSES" ]; then set -- "$$@" --processes "$$PROCESSES"; fi; \
	if [ -n "$$OUT" ]; then set -- "$$@" --out "$$OUT"; fi; \
	if [ -n "$$WORKSPACE" ]; then set -- "$$@" --workspace "$$WORKSPACE"; fi; \
	if [ -n "$$MAX_PAGES" ]; then set -- "$$@" --max-pages "$$MAX_PAGES"; fi; \
	if [ -n "$$GOVERNANCE" ]; then set -- "$$@" --governance "$$GOVERNANCE"; fi; \
	if [ -n "$$AS_OF" ]; then set -- "$$@" --as-of "$$AS_OF"; fi; \
	if [ -z "$$URL" ]; then exec $(BIN)/aeo demo "$$@"; fi; \
	exec $(BIN)/aeo audit "$$@" -- "$$URL"

# make crawl URL=https://example.com/ [REDIS=redis://host:6379/0 [PROCESSES=n]] [MAX_PAGES=n]
# make crawl RESUME=SITE/TIMESTAMP|latest [MAX_PAGES=n]    go on with an interrupted crawl
# make crawl REDIS=redis://host:6379/0 JOIN=1|KEY          help a crawl started elsewhere
crawl: install
	@set -f; set -- ; \
	for c in $$CONNECT_TO; do set -- "$$@" --connect-to "$$c"; done; \
	if [ -n "$$WORKSPACE" ]; then set -- "$$@" --workspace "$$WORKSPACE"; fi; \
	if [ -n "$$MAX_PAGES" ]; then set -- "$$@" --max-pages "$$MAX_PAGES"; fi; \
	if [ -n "$$GOVERNANCE" ]; then set -- "$$@" --governance "$$GOVERNANCE"; fi; \
	if [ -n "$$REDIS" ]; then set -- "$$@" --redis "$$REDIS"; fi; \
	if [ -n "$$PROCESSES" ]; then set -- "$$@" --processes "$$PROCESSES"; fi; \
	if [ -n "$$RESUME" ]; then exec $(BIN)/aeo crawl --resume "$$RESUME" "$$@"; fi; \
	if [ "$$JOIN" = 1 ]; then exec $(BIN)/aeo crawl --join "$$@"; fi; \
	if [ -n "$$JOIN" ]; then exec $(BIN)/aeo crawl --join "$$JOIN" "$$@"; fi; \
	exec $(BIN)/aeo crawl "$$@" -- "$$URL"

demo: install
	@set -- ; \
	if [ -n "$$OUT" ]; then set -- "$$@" --out "$$OUT"; fi; \
	if [ -n "$$WORKSPACE" ]; then set -- "$$@" --workspace "$$WORKSPACE"; fi; \
	exec $(BIN)/aeo demo "$$@"

test: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: install
	$(BIN)/python benchmarks/bench.py

# reading access logs: a generated log of a realistic mix (BENCH_LOG_MB, default 2048;
# BENCH_LOG_GZIP=1 gzips it), lines per second and peak memory
bench-logs: install
	$(BIN)/python benchmarks/logs_bench.py

# the full audit against advertools' crawl alone, same local server, same run (BENCH_PROFILE, BENCH_PAGES).
# advertools lives in a virtualenv of its own: it brings pyarrow, which pandas would then load
# into the audit (with an allocator thread running before the analysis workers fork)
PEER := .venv-peer
bench-peer: install $(PEER)/.installed-stamp
	AEO_PEER_PYTHON=$(PEER)/bin/python $(BIN)/python benchmarks/peer.py

$(PEER)/.installed-stamp:
	$(PY) -m venv $(PEER)
	$(PEER)/bin/python -m pip install -q "advertools>=0.16,<0.19"
	touch $@

# the findings on the shared real sites against the judged ones (tests/fixtures/judged/)
precision: install
	$(BIN)/python tests/precision.py

# docs/rules.md from the rule registry (a test fails when it is stale)
docs: install
	$(BIN)/aeo rules --markdown > docs/rules.md.tmp && mv docs/rules.md.tmp docs/rules.md

lint: install
	$(BIN)/ruff check aeo crawler analyzers rules reports demo benchmarks tests

clean:
	rm -rf $(VENV) build *.egg-info
