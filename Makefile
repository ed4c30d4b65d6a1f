# Lotse – every command installs what it needs first.
#   make run    install everything, prepare the SQLite database with content and demo data,
#               train the assistant if its data changed, start portal + Rasa + action server
#   make test   install everything and run all tests

SHELL := /bin/bash
.DEFAULT_GOAL := help

PY311 ?= $(shell PYENV_VERSION=3.11.7 pyenv which python3.11 2>/dev/null || command -v python3.11)
PY310 ?= $(shell PYENV_VERSION=3.10.13 pyenv which python3.10 2>/dev/null || command -v python3.10)
PORT ?= 5000
# The action server calls the portal's JSON API on its own process: chat requests wait for
# Rasa, Rasa waits for the actions, and the actions must never wait for those same workers.
API_PORT ?= 5001
RASA_PORT ?= 5005
ACTIONS_PORT ?= 5055

VENV := .venv
PORTAL_VENV := $(VENV)/portal
BOT_VENV := $(VENV)/bot
PORTAL_PY := $(PORTAL_VENV)/bin/python
BOT_PY := $(BOT_VENV)/bin/python
LOTSE := $(PORTAL_VENV)/bin/lotse
PIP_QUIET := --quiet --disable-pip-version-check

PORTAL_STAMP := $(PORTAL_VENV)/.installed
BOT_STAMP := $(BOT_VENV)/.installed
BOT_INPUTS := bot/config.yml bot/domain.yml $(shell find bot/data bot/lotse_nlu -name '*.yml' -o -name '*.py' 2>/dev/null | sort)
BOT_MODEL_STAMP := bot/models/.trained
CATALOGS := $(wildcard locales/*/LC_MESSAGES/messages.po)
BOT_CATALOGS := $(wildcard locales/*/LC_MESSAGES/bot.po)
COMPILED := $(CATALOGS:.po=.mo) $(BOT_CATALOGS:.po=.mo)

export RASA_TELEMETRY_ENABLED := false
# Where the three processes find each other (all on the loopback interface).
export LOTSE_RASA_URL ?= http://127.0.0.1:$(RASA_PORT)
export LOTSE_ACTIONS_URL ?= http://127.0.0.1:$(ACTIONS_PORT)/webhook
export LOTSE_PORTAL_URL ?= http://127.0.0.1:$(API_PORT)
export LOTSE_CHAT_TRACKER_DB ?= $(CURDIR)/instance/rasa-tracker.db
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install run portal bot db bench i18n test lint typecheck system-deps clean

help:
	@echo "make run     – install, load content and demo data, start portal, assistant and action server"
	@echo "make test    – install and run every test"
	@echo "make portal  – the portal alone on 127.0.0.1:$(PORT)"
	@echo "make bot     – the assistant alone (Rasa 127.0.0.1:$(RASA_PORT), actions 127.0.0.1:$(ACTIONS_PORT))"
	@echo "make bench   – page weight and load benchmarks, results in bench/results/"
	@echo "make i18n    – extract, update and compile the UI translations"

# --- installation --------------------------------------------------------------------------

$(PORTAL_STAMP): pyproject.toml
	@test -n "$(PY311)" || { echo "Python 3.11 not found (set PY311=/path/to/python3.11)"; exit 1; }
	@echo "==> portal environment (Python 3.11)"
	@test -x $(PORTAL_PY) || $(PY311) -m venv $(PORTAL_VENV)
	@# torch first, as the CPU build, so argostranslate's dependency does not pull CUDA wheels.
	$(PORTAL_PY) -m pip install $(PIP_QUIET) torch==2.13.0
	$(PORTAL_PY) -m pip install $(PIP_QUIET) -e '.[test]'
	@touch $@

$(BOT_STAMP): bot/requirements.txt
	@test -n "$(PY310)" || { echo "Python 3.10 not found (set PY310=/path/to/python3.10)"; exit 1; }
	@echo "==> assistant environment (Python 3.10, Rasa)"
	@test -x $(BOT_PY) || $(PY310) -m venv $(BOT_VENV)
	$(BOT_PY) -m pip install $(PIP_QUIET) -r bot/requirements.txt
	@touch $@

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(PORTAL_STAMP)
	@$(PORTAL_VENV)/bin/pybabel compile -i $< -o $@ >/dev/null

locales/%/LC_MESSAGES/bot.mo: locales/%/LC_MESSAGES/bot.po $(PORTAL_STAMP)
	@$(PORTAL_VENV)/bin/pybabel compile -D bot -i $< -o $@ >/dev/null

install: $(PORTAL_STAMP) $(BOT_STAMP) $(COMPILED)

# Browser and fonts for the screenshot tests, from Debian (test tools may not download browsers).
system-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi 'Noto Sans Arabic'; then \
		echo "==> installing chromium and fonts from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium chromium-driver fonts-noto-core fonts-dejavu-core >/dev/null; \
	fi

# --- data ----------------------------------------------------------------------------------

db: install
	$(LOTSE) db upgrade
	$(LOTSE) content load
	$(LOTSE) demo-data

$(BOT_MODEL_STAMP): $(BOT_STAMP) $(BOT_INPUTS)
	@echo "==> training the assistant (its data changed)"
	cd bot && ../$(BOT_VENV)/bin/rasa train --quiet --fixed-model-name lotse --out models
	@touch $@

# --- running -------------------------------------------------------------------------------

run: db $(BOT_MODEL_STAMP)
	@echo ""
	@echo "  Portal:            http://localhost:$(PORT)/"
	@echo "  Assistant (Rasa):  http://localhost:$(RASA_PORT)/webhooks/rest/webhook"
	@echo "  Action server:     http://localhost:$(ACTIONS_PORT)/health"
	@echo "  Book (demo data):  http://localhost:$(PORT)/de/book"
	@echo "  Staff sign-in:     http://localhost:$(PORT)/staff/login  (demo accounts: instance/demo-credentials.txt)"
	@echo ""
	PORT=$(PORT) API_PORT=$(API_PORT) RASA_PORT=$(RASA_PORT) ACTIONS_PORT=$(ACTIONS_PORT) LOTSE_INSECURE_COOKIES=1 \
		LOTSE_PUBLIC_URL=http://localhost:$(PORT) $(PORTAL_VENV)/bin/honcho start -f Procfile

portal: db
	PORT=$(PORT) LOTSE_INSECURE_COOKIES=1 LOTSE_PUBLIC_URL=http://localhost:$(PORT) \
		$(PORTAL_VENV)/bin/honcho start -f Procfile portal jobs

bot: $(BOT_MODEL_STAMP)
	PORT=$(PORT) API_PORT=$(API_PORT) RASA_PORT=$(RASA_PORT) ACTIONS_PORT=$(ACTIONS_PORT) \
		$(PORTAL_VENV)/bin/honcho start -f Procfile api rasa actions

# --- quality -------------------------------------------------------------------------------

i18n: $(PORTAL_STAMP)
	$(PORTAL_VENV)/bin/pybabel extract --no-location --sort-by-file -F babel.cfg -k _l -o locales/messages.pot portal
	$(PORTAL_VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -i locales/messages.pot -d locales
	$(PORTAL_PY) -m portal.i18n_tools fill-source-language locales/en/LC_MESSAGES/messages.po
	@for po in $(CATALOGS); do $(PORTAL_VENV)/bin/pybabel compile -i $$po -o $${po%.po}.mo >/dev/null; done
	@# The assistant's texts (bot/actions) have their own catalog, "bot".
	$(PORTAL_VENV)/bin/pybabel extract --no-location --sort-by-file -F babel-bot.cfg -k N_ -k t -k say -k button -o locales/bot.pot bot/actions
	$(PORTAL_VENV)/bin/pybabel update -D bot --no-fuzzy-matching --ignore-obsolete -i locales/bot.pot -d locales
	$(PORTAL_PY) -m portal.i18n_tools fill-source-language locales/en/LC_MESSAGES/bot.po
	@for po in $(BOT_CATALOGS); do $(PORTAL_VENV)/bin/pybabel compile -D bot -i $$po -o $${po%.po}.mo >/dev/null; done

lint: $(PORTAL_STAMP)
	$(PORTAL_VENV)/bin/ruff check portal tests bench integrations bot/actions bot/lotse_nlu

typecheck: $(PORTAL_STAMP)
	$(PORTAL_VENV)/bin/mypy

test: install system-deps $(BOT_MODEL_STAMP) lint typecheck
	$(PORTAL_VENV)/bin/pytest tests/portal
	$(BOT_PY) -m pytest tests/bot
	@# The whole system: portal, Rasa and action server as separate processes.
	$(PORTAL_VENV)/bin/pytest tests/e2e

bench: install system-deps
	$(PORTAL_PY) -m bench.run

clean:
	rm -rf $(VENV) bot/models instance
