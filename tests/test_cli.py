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


def test_query_output_shows_control_characters_as_escapes(tmp_path):
    # issue 15, item 11: a title with ESC or backspace must not drive the terminal
    from kg.export.json import write_graph
    from kg.graph import build_graph
    from kg.types import Paper

    paper = Paper(id="P-1", title="Evil\x1b[2J title\x08 here", abstract="An abstract.")
    write_graph(build_graph([(paper, (), ())]), tmp_path / "graph.json")
    result = CliRunner().invoke(cli, ["query", "find", "Evil title", "-d", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x08" not in result.output
    assert "Evil\\x1b[2J title\\x08 here" in result.output
    result = CliRunner().invoke(cli, ["query", "papers", "\x1bnope", "-d", str(tmp_path)])
    assert result.exit_code == 3 and "\x1b" not in result.output


@pytest.mark.slow  # runs `kg build` in subprocesses (spaCy import and model load)
@pytest.mark.parametrize("workers", ["1", "2"])
def test_build_skips_every_bad_record_and_file_with_one_line_each(tmp_path, workers):
    # issue 15, items 5 and 8: each was a traceback (exit 1), with --workers 2 too, and not skippable
    good = {"title": "Sparse Attention", "abstract": "We propose SparseAttn, a novel attention method."}
    bad_lines = ['{"title": "Huge", "abstract": "' + "x " * 500_001 + '"}',
                 '{"title": "Lone \\ud800", "abstract": "A."}',
                 '{"title": "Deep", "abstract": "A.", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
                 '{"title": "Big", "abstract": "A.", "n": ' + "9" * 5000 + "}"]
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "p.jsonl").write_bytes("\n".join([json.dumps(good), *bad_lines]).encode()
                                     + b'\n{"title": "\xff"}\n')
    (inputs / "blob.json").write_bytes(b"\x00\x01binary")
    (inputs / "empty.csv").write_bytes(b"")
    args = ["build", str(inputs), "-o", str(tmp_path / "out"), "-q", "--workers", workers, "--no-html", "--no-store"]
    r = kg_cmd(*args)
    assert r.returncode == 2 and "Traceback" not in r.stderr and f"{inputs / 'blob.json'}: binary file" in r.stderr
    r = kg_cmd(*args, "--skip-invalid")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    skipped = [ln for ln in r.stderr.splitlines() if ln.startswith("kg: skipped: ")]
    assert [ln.split(": ")[2].rsplit("/", 1)[-1] for ln in skipped] == [
        "blob.json", "empty.csv", "p.jsonl:2", "p.jsonl:3", "p.jsonl:4", "p.jsonl:5", "p.jsonl:6"]
    assert "kg: skipped 7 invalid record(s)" in r.stderr
    assert json.loads((tmp_path / "out" / "graph.json").read_text())["nodes"]


def test_public_names_stay_functions_after_every_module_is_imported():
    # `kg.build` was also the name of a submodule: importing it (as doctest collection does) rebound
    # the package attribute to the module, and `kg.build(...)` failed. No public name may be shadowed.
    code = ("import importlib, pkgutil, types, kg\n"
            "for m in pkgutil.iter_modules(kg.__path__):\n"
            "    if m.name == '__main__': continue\n"
            "    importlib.import_module('kg.' + m.name)\n"
            "bad = [n for n in kg.__all__ if isinstance(getattr(kg, n), types.ModuleType)]\n"
            "assert not bad, bad\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert r.returncode == 0, r.stderr
