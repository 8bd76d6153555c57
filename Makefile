# The two commands of the README. Each creates or reuses .venv itself
# (scripts/bootstrap.sh; a second run finds it ready in about a second).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
export MMPOSE_EXT_VENV := $(abspath $(VENV))

.PHONY: quickstart test env
env:
	@scripts/bootstrap.sh

# Train the main model on the embedded synthetic data, evaluate it with
# MMPose's CocoMetric and render a prediction (see mmpose_ext/tools/quickstart.py).
quickstart: env
	@$(PY) -m mmpose_ext.tools.quickstart $(ARGS)

# The test suite (what .ci/run runs).
test: env
	@$(PY) -m pytest tests $(ARGS)
