# Local stack targets (deploy/devstack); test/lint/typecheck/bench belong to the quality tooling.
.PHONY: up infra down status logs test lint typecheck bench

up:
	uv sync
	uv run devstack up

infra:
	uv run devstack infra

down:
	uv run devstack down

status:
	uv run devstack status

# `make logs` tails every log; `make logs NAME=kafka` one of them.
logs:
	uv run devstack logs $(NAME)

# Placeholders until the quality tooling defines these.
test:
	uv run devstack infra
	uv run pytest

lint:
	uv run ruff check .

typecheck:
	uv run mypy .

bench:
	@echo "no benchmarks yet"
