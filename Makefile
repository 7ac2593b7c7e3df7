# Local stack targets (deploy/devstack); test/lint/typecheck/bench belong to the quality tooling.
.PHONY: up infra down status logs test test-fast web-checks lint typecheck bench audit bootstrap dashboards

# On a fresh machine uv is not on the shell's PATH yet: the bootstrap installs it into ~/.local/bin, where every
# recipe below then finds it.
export PATH := $(HOME)/.local/bin:$(PATH)

# Installs what is missing (Debian packages, uv, the workspace, the web app's packages, the servers'
# artefacts) and is a quick no-op when all is there; `make up` and `make test` run it first.
bootstrap:
	deploy/bootstrap.sh

up: bootstrap
	@# The demo data on a stack nobody has used yet (README "Demo data"), beside the stack once it answers.
	@mkdir -p .local/logs && (uv run --no-sync python deploy/demo/aivi_demo.py --if-empty --wait 900 >.local/logs/demo.log 2>&1 &)
	uv run --no-sync devstack up

infra: bootstrap
	uv run --no-sync devstack infra

down:
	uv run devstack down

status:
	uv run --no-sync devstack status

# `make logs` tails every log; `make logs NAME=kafka` one of them.
logs:
	uv run devstack logs $(NAME)

# The Python suites include tests/test_web.py, the browser journey through the web app's production build. The
# slowest 25 tests are listed at the end: CI has 45 minutes and the suite takes most of them.
test:
	deploy/bootstrap.sh test
	$(MAKE) --no-print-directory web-checks
	uv run --no-sync devstack infra
	uv run --no-sync pytest --durations=25

# The web app's own checks: ESLint, TypeScript, Vitest.
web-checks:
	cd web && npm run lint && npm run typecheck && npm test

# Everything but the Kafka-outage test, which starts and stops a broker of its own.
test-fast:
	uv run devstack infra
	uv run pytest -m "not slow"

lint:
	uv run ruff check .
	uv run ruff format --check libs services tests bench devtools
	cd web && npm run lint

# The service packages are the registry's (deploy/services.toml); `=` defers reading it to the target that uses it.
SERVICE_PACKAGES = $(shell uv run --quiet python -m devstack.registry)

typecheck:
	uv run mypy -p kit -p standins $(addprefix -p ,$(or $(SERVICE_PACKAGES),$(error cannot list the services of deploy/services.toml)))
	cd deploy/devstack && MYPYPATH=. uv run mypy devstack
	cd web && npm run typecheck

# The Grafana dashboards are code: regenerate deploy/grafana/dashboards/*.json after changing
# deploy/grafana/generate.py (deploy/tests/test_dashboards.py fails while they differ).
dashboards:
	uv run python deploy/grafana/generate.py

# The Helm chart, offline: helm lint + kubeconform -strict on three Kubernetes versions (deploy/helm/README.md).
.PHONY: helm-check
helm-check:
	uv run python deploy/helm/check.py

bench:
	uv run devstack infra
	uv run python bench/outbox/run.py
	uv run python bench/gateway/run.py
	uv run python bench/services/run.py
	uv run python bench/services/cpu.py
	uv run python bench/analysis/run.py
	uv run python bench/upload/run.py
	uv run python bench/notifications/sse.py
	uv run python bench/notifications/email.py
	uv run python bench/billing/run.py
	uv run python bench/analytics/run.py
	uv run python bench/transcription/run.py

# The whole journey through the gateway at N = 10, 50, 200 concurrent candidates, once with one process per
# service and once with analysis and interviews at three replicas (many minutes; bench/README.md).
# `make bench-journey ARGS="--sizes 10 --only base"` for a quick look.
.PHONY: bench-journey
bench-journey:
	uv run devstack infra
	uv run python bench/journey/run.py $(ARGS)

# Known vulnerabilities in everything uv.lock pins (pip-audit) and in the web app's production dependencies
# (npm audit --omit=dev): a report. With CI=true it exits 1 on a high or critical finding, 2 when an audit
# cannot run (deploy/audit.py).
audit:
	uv run python deploy/audit.py

# One archive of every service schema, both buckets and the Keycloak realm under .local/backups/ (its path is
# printed); `make restore ARCHIVE=...` brings the stack back to it (run it with only `make infra` up).
.PHONY: backup restore
backup:
	uv run python deploy/backup/aivi_backup.py backup $(ARGS)

restore:
	uv run python deploy/backup/aivi_backup.py restore $(or $(ARCHIVE),$(error name the archive: make restore ARCHIVE=.local/backups/...)) $(ARGS)

# Demo data through the running stack's API (deploy/demo/aivi_demo.py): a company, two HR users, three templates
# and a dozen candidates in every state, all on @demo.example. Idempotent; `make demo-remove` deletes it.
.PHONY: demo demo-remove
demo:
	uv run python deploy/demo/aivi_demo.py $(ARGS)

demo-remove:
	uv run python deploy/demo/aivi_demo.py --remove
