# Two commands set everything up: `make run` and `make test` (see README.md).
PYTHON ?= python3
# Another virtual environment with `make run VENV=…` (the runtime check runs one built from
# requirements.txt alone); scripts/run.sh and the Procfile read it from the environment.
export VENV ?= .venv
PY := $(VENV)/bin/python
export PORT ?= 8000
# Test processes in parallel (pytest-xdist): each has its own test database and Redis
# database (harassment_portal/settings/test.py), so at most 15. Work stealing hands each process
# a run of consecutive tests (a module's data set, such as the 20,000 reports of the plan
# tests, is then loaded by one process, not by each) and balances the end of the run.
TEST_PROCESSES ?= 3

.PHONY: run test runtime-check lint format messages bench clean

# A stamp per requirements file: pip runs again only when a pin changes.
$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	scripts/run.sh

test: $(VENV)/.dev lint
	scripts/ensure-system-packages.sh
	scripts/check-runtime-requirements.sh
	DJANGO_SETTINGS_MODULE=harassment_portal.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v0
	PY=$(PY) scripts/check-messages.sh
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist worksteal

# requirements.txt alone runs the app: a throwaway venv (var/runtime-venv) starts a real worker,
# and `make run` in it comes up healthy on a free port, then stops on Ctrl-C.
runtime-check:
	scripts/check-runtime-requirements.sh

# ruff (check and format), and vulture for dead code (its settings and whitelist:
# pyproject.toml and vulture_whitelist.py).
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/vulture

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the .po files after changing user-facing strings, then translate and compile.
messages: $(VENV)/.runtime
	$(PY) manage.py makemessages -l ja -l en --ignore=.venv --ignore=var --ignore=staticfiles --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l ja -l en --ignore=.venv --ignore=var --ignore=staticfiles --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var

# Every page at 10,000 and 1,000,000 reports on gunicorn, the escalation e-mail latency and the
# submissions per second, as one table against issue 12's targets (bench/README.md); exits 1
# if one is missed. Databases hp_bench_<N>_s<seed> are built once and reused. A quicker run:
# make bench BENCH_LARGE=100000 BENCH_REQUESTS=30. Not part of `make test`.
bench: $(VENV)/.dev
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles var .pytest_cache .ruff_cache
