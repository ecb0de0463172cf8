"""The sweep's JSON document: the same data as json.dumps gives, one row per line."""

from __future__ import annotations

import json
import math

import pytest

from lrdesk.cli.sweep import json_document


def test_the_document_reads_back_as_the_report():
    report = {"function": "@@rows of runs@@", "runs": [{"learning_rate": 1e-6, "loss": None},
                                                      {"learning_rate": 0.5, "loss": 2.0}],
              "theory": {"lines": [{"label": "2/λ", "learning_rate": 0.1}]}, "empty": []}
    text = json_document(report)
    assert json.loads(text) == report
    lines = text.splitlines()
    assert '  {"learning_rate": 1e-06, "loss": null},' in lines  # a row per line


def test_the_document_refuses_what_json_cannot_say():
    with pytest.raises(ValueError):
        json_document({"runs": [{"loss": math.nan}]})


def test_rows_holding_the_row_separator_in_a_string_stay_whole():
    report = {"runs": [{"name": "a}, {b", "x": 1.0}, {"name": "c", "x": None}]}
    text = json_document(report)
    assert json.loads(text) == report
    assert '  {"name": "a}, {b", "x": 1.0},' in text.splitlines()
