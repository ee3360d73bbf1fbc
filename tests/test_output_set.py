"""Issue 15, outputs: a build's set appears whole or not at all, one build per folder, bad -o first.

Extraction is replaced by a stub here (no model load): these tests are about the folder, not spaCy.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
import kg.export.html as html_module
from kg.cli import cli
from kg.errors import ExportError
from kg.extract import Extraction

from .helpers import ROOT

# kg.build is the function once read through the package (its lazy attribute); the module behind it:
build_fn = kg.build
build_module = sys.modules["kg.builder"]
OUTPUT_NAMES = {"graph.json", "graph.ttl", "graph.html", "report.html", "store"}


def rec(title):
    return json.dumps({"title": title, "abstract": f"We study {title}. It works."})


@pytest.fixture
def no_model(monkeypatch):
    """Extraction without spaCy: every paper, no mentions."""
    monkeypatch.setattr(build_module, "load_pipeline", lambda model=None: None)
    monkeypatch.setattr(build_module, "extract_papers",
                        lambda papers, **kw: (Extraction(p, (), ()) for p in papers))


@pytest.fixture
def corpus(tmp_path):
    def make(*titles, name="in.jsonl"):
        f = tmp_path / name
        f.write_text("".join(rec(t) + "\n" for t in titles))
        return f
    return make


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes but the lock's (it holds the last build's pid)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".kg.lock"}


def hidden_leftovers(out: Path) -> list[str]:
    """Stages and temp files beside or inside *out* (the lock file is kg's and stays)."""
    beside = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    inside = [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".kg.lock"] if out.is_dir() else []
    return beside + inside


def test_interrupted_export_keeps_the_previous_set(no_model, corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build_fn([corpus("Old paper")], out)
    before = snapshot(out)

    def interrupted(*a, **kw):
        raise KeyboardInterrupt  # Ctrl-C after graph.json and graph.ttl of the new set were written

    monkeypatch.setattr(html_module, "write_html", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_fn([corpus("New paper")], out)
    assert snapshot(out) == before
    assert hidden_leftovers(out) == []


KILLED_BUILD = textwrap.dedent("""
    import os, signal, sys
    import kg
    build = kg.build
    import kg.export.html
    from kg.extract import Extraction
    b = sys.modules["kg.builder"]
    b.load_pipeline = lambda model=None: None
    b.extract_papers = lambda papers, **kw: (Extraction(p, (), ()) for p in papers)
    kg.export.html.write_html = lambda *a, **kw: os.kill(os.getpid(), signal.SIGKILL)
    build([sys.argv[1]], sys.argv[2])
""")


def test_sigkill_during_export_keeps_the_old_set_and_the_next_build_cleans_up(no_model, corpus, tmp_path):
    out = tmp_path / "out"
    build_fn([corpus("Old paper")], out)
    before = snapshot(out)
    (out / ".store.abc123.tmp").mkdir()  # what a store write killed by an older kg left
    (out / ".store.abc123.tmp" / "big").write_bytes(b"x" * 1000)
    r = subprocess.run([sys.executable, "-c", KILLED_BUILD, str(corpus("New paper")), str(out)],
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=False)
    assert r.returncode == -signal.SIGKILL, r.stderr
    assert {k: v for k, v in snapshot(out).items() if not k.startswith(".")} == before
    assert any(name.startswith(".out.new-") for name in hidden_leftovers(out))
    build_fn([corpus("New paper")], out)
    assert hidden_leftovers(out) == []
    assert "New paper" in (out / "graph.json").read_text()


def test_a_second_build_into_the_same_folder_is_refused(no_model, corpus, tmp_path):
    out = tmp_path / "out"
    build_fn([corpus("Old paper")], out)
    before = snapshot(out)
    holder = subprocess.Popen(
        [sys.executable, "-c", ("import sys, time; from kg._outset import OutputSet\n"
                                "with OutputSet(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)"),
         str(out)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = CliRunner().invoke(cli, ["build", str(corpus("New paper")), "-o", str(out), "-q"])
        assert result.exit_code == 1
        assert f"another kg build (process {holder.pid}) is writing {out}" in result.output
        assert snapshot(out) == before
    finally:
        holder.kill()
        holder.wait()
    build_fn([corpus("New paper")], out)  # the lock died with its holder


def test_outputs_are_replaced_as_a_set_and_other_files_carried_over(no_model, corpus, tmp_path):
    out = tmp_path / "out"
    build_fn([corpus("Old paper")], out)
    lock_inode = (out / ".kg.lock").stat().st_ino  # one lock for every set: a waiting build still sees it
    (out / "graph.nt").write_text("kept\n")
    (out / "notes").mkdir()
    (out / "notes" / "a.txt").write_text("mine\n")
    build_fn([corpus("New paper")], out, html=False, store=False)
    assert {p.name for p in out.iterdir()} == {"graph.json", "graph.ttl", "graph.nt", "notes", ".kg.lock"}
    assert (out / "notes" / "a.txt").read_text() == "mine\n" and (out / "graph.nt").read_text() == "kept\n"
    assert (out / ".kg.lock").stat().st_ino == lock_inode
    assert "New paper" in (out / "graph.json").read_text() and "New paper" in (out / "graph.ttl").read_text()


def test_output_folder_that_cannot_be_swapped_is_written_in_place(no_model, corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build_fn([corpus("Old paper")], out)
    monkeypatch.chdir(out)  # the current folder is never renamed under the user
    build_fn([corpus("New paper")], ".")
    assert os.getcwd() == str(out) and "New paper" in (out / "graph.json").read_text()
    assert {p.name for p in out.iterdir()} == OUTPUT_NAMES | {".kg.lock"}
    assert not [p for p in out.iterdir() if p.name.startswith(".kg-")]


def test_mount_point_output_is_written_in_place(no_model, corpus, tmp_path):
    out = tmp_path / "mnt"
    if not _tmpfs(out, "8m"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        build_fn([corpus("Old paper")], out)
        build_fn([corpus("New paper")], out, html=False)
        assert {p.name for p in out.iterdir()} == {"graph.json", "graph.ttl", "store", ".kg.lock"}
        assert "New paper" in (out / "graph.json").read_text()
    finally:
        subprocess.run(["umount", str(out)], check=False)


def test_output_folder_keeps_its_mode(no_model, corpus, tmp_path):
    out = tmp_path / "out"
    build_fn([corpus("A paper")], out)
    assert out.stat().st_mode & 0o777 == 0o777 & ~_umask()
    out.chmod(0o750)
    build_fn([corpus("A paper")], out)
    assert out.stat().st_mode & 0o777 == 0o750


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_symlinked_output_folder_stays_a_link(no_model, corpus, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    build_fn([corpus("A paper")], link)
    assert link.is_symlink() and (real / "graph.json").is_file()


def test_update_reads_the_old_set_first(no_model, corpus, tmp_path):
    out = tmp_path / "out"
    build_fn([corpus("Old paper")], out)
    result = build_fn([corpus("New paper", name="new.jsonl")], out, update=True)
    assert result.papers == 2


# 6. the output location is checked before anything is read ----------------------------------------

def one_line_error(result, code, *words):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    for w in words:
        assert w in lines[0]


@pytest.mark.parametrize("where, words", [
    ("file", ("is a file, not a folder",)),
    ("graph-dir", ("graph.json here is not a file",)),
    ("proc", ("cannot",)),
])
def test_bad_output_location_is_one_line_before_reading(tmp_path, where, words):
    out = {"file": tmp_path / "f.txt", "graph-dir": tmp_path / "o", "proc": Path("/proc/kg-x")}[where]
    if where == "file":
        out.write_text("x")
    if where == "graph-dir":
        (out / "graph.json").mkdir(parents=True)
    # the input does not exist: an error about it would mean the output was checked too late
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "missing.jsonl"), "-o", str(out), "-q"])
    one_line_error(result, 1, *words)


@pytest.mark.slow  # runs `kg build` in subprocesses (spaCy import and model load)
@pytest.mark.parametrize("mode", [0o555, 0o000], ids=["read-only parent", "parent not searchable"])
def test_unwritable_parent_is_one_line_before_reading(mode):
    from .helpers import as_other_user

    parent = Path(tempfile.mkdtemp(prefix="kg-ro-"))  # pytest's tmp dirs are private to root
    try:
        parent.chmod(mode)
        r = as_other_user([sys.executable, "-m", "kg", "build", str(parent / "missing.jsonl"), "-o",
                           str(parent / "out"), "-q"], cwd="/")
    finally:
        parent.chmod(0o755)
        parent.rmdir()
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Permission denied" in r.stderr


def test_bad_base_iri_is_refused_before_graph_json_is_replaced(no_model, corpus, tmp_path):
    out = tmp_path / "out"
    build_fn([corpus("Old paper")], out)
    before = snapshot(out)
    result = CliRunner().invoke(cli, ["build", str(corpus("New paper")), "-o", str(out), "-q",
                                      "--base-iri", "not an iri"])
    one_line_error(result, 2, "base IRI")
    assert snapshot(out) == before


def _tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    path.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                       capture_output=True, check=False)
    return r.returncode == 0


def test_full_disk_is_one_line_and_keeps_the_previous_outputs(no_model, corpus, tmp_path, monkeypatch):
    disk = tmp_path / "disk"
    mounted = _tmpfs(disk, "256k")
    try:
        if not mounted:  # cannot mount a small disk here: the same error, injected at the HTML write
            disk.mkdir(exist_ok=True)

            def full(*a, **kw):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        out = disk / "out"
        build_fn([corpus("Old paper")], out, html=False, store=False)
        before = snapshot(out)
        if not mounted:
            monkeypatch.setattr(html_module, "write_html", full)
        # graph.html (about 700 kB) does not fit in 256 kB
        result = CliRunner().invoke(cli, ["build", str(corpus("New paper")), "-o", str(out), "-q", "--no-store"])
        one_line_error(result, 1, "No space left on device", "previous outputs are unchanged")
        assert snapshot(out) == before
        assert hidden_leftovers(out) == []
    finally:
        if mounted:
            subprocess.run(["umount", str(disk)], check=False)


def test_export_error_is_raised_for_a_locked_folder_from_python(no_model, corpus, tmp_path):
    from kg._outset import OutputSet

    out = tmp_path / "out"
    with OutputSet(out), pytest.raises(ExportError, match="another kg build"):
        build_fn([corpus("A paper")], out)


def test_failed_in_place_commit_puts_the_old_set_back(no_model, corpus, tmp_path, monkeypatch):
    # In place (the current folder), a rename that failed after the old files were moved aside
    # left a folder without graph.json, and the next build deleted the old set. (The rename fault
    # is injected: a real EIO on rename cannot be caused here.)
    import kg._outset as outset

    out = tmp_path / "out"
    build_fn([corpus("Old paper")], out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != ".kg.lock"}
    monkeypatch.chdir(out)
    real_replace = os.replace

    def failing_replace(src, dst, *a, **kw):
        if Path(dst) == out / "graph.json" and ".kg-new-" in str(src):
            raise OSError(errno.EIO, "I/O error")
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(outset.os, "replace", failing_replace)
    with pytest.raises((OSError, ExportError)):
        build_fn([corpus("New paper")], ".")
    monkeypatch.setattr(outset.os, "replace", real_replace)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != ".kg.lock"}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.startswith(".kg-")]


def test_old_set_left_aside_by_a_killed_in_place_commit_comes_back(no_model, corpus, tmp_path):
    # A build killed between its renames leaves the old set in .kg-old-*: the next one restores it
    # (graph.json moves last, so its absence says the commit did not finish).
    import kg._outset as outset

    out = tmp_path / "out"
    build_fn([corpus("Old paper")], out)
    old_json = (out / "graph.json").read_bytes()
    aside = out / ".kg-old-killed"
    aside.mkdir()
    for name in ("graph.json", "graph.ttl"):
        os.replace(out / name, aside / name)
    (out / "graph.ttl").write_text("a new, half-committed file")
    with outset.OutputSet(out):
        pass  # opening the folder for a build cleans up, without committing anything
    assert (out / "graph.json").read_bytes() == old_json
    assert "half-committed" not in (out / "graph.ttl").read_text()
    assert not aside.exists()
