"""The `kg` command: help everywhere, exit codes, one-line errors, JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from kg.cli import cli

from .helpers import ROOT, top_entity


def all_commands(group=cli, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, prefix + (name,))


@pytest.mark.parametrize("path, cmd", list(all_commands()), ids=lambda x: " ".join(x) if isinstance(x, tuple) else "")
def test_every_command_has_help(path, cmd):
    assert cmd.help, f"kg {' '.join(path)} has no help"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    for param in cmd.params:
        if isinstance(param, click.Option):
            assert param.help, f"kg {' '.join(path)} {param.opts[0]} has no help"


def kg_cmd(*args, cwd=None, input=None):
    """Run the installed console script, as a user would."""
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=cwd,
                          input=input, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)


def test_bad_input_one_line_exit_2_no_traceback(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "T", "abstract": "A"}\n{oops\n')
    r = kg_cmd("build", str(bad), "-o", str(tmp_path / "out"), "-q")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and f"{bad}:2" in lines[0] and "--skip-invalid" in lines[0]
    assert not (tmp_path / "out" / "graph.json").exists()


def test_missing_path_exit_2(tmp_path):
    r = kg_cmd("extract", str(tmp_path / "nope.csv"))
    assert r.returncode == 2 and "no such file" in r.stderr and "Traceback" not in r.stderr


def test_skip_invalid_reports_and_counts(tmp_path):
    f = tmp_path / "p.jsonl"
    good = {"title": "Sparse Attention", "abstract": "We propose SparseAttn, a novel attention method."}
    f.write_text(json.dumps(good) + "\n{oops\n" + json.dumps({"title": "x"}) + "\n")
    r = kg_cmd("extract", str(f), "--skip-invalid", "-q")
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("kg: skipped:") == 2 and "skipped 2 invalid record(s)" in r.stderr
    [line] = r.stdout.splitlines()
    obj = json.loads(line)
    assert set(obj) >= {"id", "title", "entities"}
    for e in obj["entities"]:
        assert set(e) >= {"text", "type", "start", "end", "field", "role", "id"}
        assert obj[e["field"]][e["start"]:e["end"]] == e["text"]
    assert any(e["text"] == "SparseAttn" and e["role"] == "proposes" for e in obj["entities"])


@pytest.mark.slow
def test_query_cli_human_and_json(seed_build):
    result, out = seed_build
    name = top_entity(result.graph)
    r = kg_cmd("query", "neighbors", name, "--dir", str(out))
    assert r.returncode == 0, r.stderr
    assert "label" in r.stdout.splitlines()[0]
    r = kg_cmd("query", "neighbors", name, "--dir", str(out), "--json")
    rows = json.loads(r.stdout)
    assert rows and all("id" in row and "label" in row for row in rows)


@pytest.mark.slow
def test_query_unknown_name_exit_3_with_suggestions(seed_build):
    _, out = seed_build
    r = kg_cmd("query", "papers", "zzqx no such entity", "--dir", str(out))
    assert r.returncode == 3 and "closest" in r.stderr and "Traceback" not in r.stderr


def test_query_without_build(tmp_path):
    r = kg_cmd("query", "find", "x", "--dir", str(tmp_path))
    assert r.returncode != 0 and "kg build" in r.stderr
