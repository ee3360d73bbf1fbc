"""Issue 15, readers: no paper lost in silence, bad records skippable, linear JSON arrays."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.read import read_papers, title_key
from kg.read.bibtex import latex_to_text

from .helpers import as_other_user

ABSTRACT = "We propose a method. It works on the FooBench dataset."


def rec(title, abstract=ABSTRACT, **more):
    return json.dumps({"title": title, "abstract": abstract, **more})


def skipping(paths, **kw):
    seen, notes = [], []
    papers = read_papers(paths, skip_invalid=True, on_invalid=seen.append, warn=notes.append, **kw)
    return papers, seen, notes


# 1. BibTeX -------------------------------------------------------------------------------------

def test_bibtex_paren_inside_comment_keeps_the_entries_after_it(tmp_path):
    f = tmp_path / "refs.bib"
    f.write_text("@article{a, title={Paper A}, abstract={Alpha.}}\n@comment{ see (draft }\n"
                 "@article{b, title={Paper B}, abstract={Beta.}}\n@comment( a { brace )\n"
                 "@article{c, title={Paper C}, abstract={Gamma.}}\n")
    assert [p.title for p in read_papers(f)] == ["Paper A", "Paper B", "Paper C"]


@pytest.mark.parametrize("latex, text", [(r"Na\"{\i}ve", "Naïve"), (r"Garc{\'\i}a", "García"),
                                         (r"Garc{\'{\i}}a", "García"), (r"\^{\j}", "ĵ"), (r"{\i}t", "ıt")])
def test_bibtex_accent_on_dotless_i(latex, text):
    assert latex_to_text(latex) == text


# 2. the same paper -----------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [("C++ for ML", "C# for ML"), ("???", "🚀🚀🚀"), ("R&D at scale", "R D at scale"),
                                  ("A* search", "A search"), ("x < y", "x = y")])
def test_titles_that_differ_in_a_sign_are_two_papers(tmp_path, a, b):
    f = tmp_path / "p.jsonl"
    f.write_text(rec(a, "First abstract.") + "\n" + rec(b, "Second abstract.") + "\n")
    papers = read_papers(f)
    assert [p.title for p in papers] == [a, b] and papers[0].id != papers[1].id


@pytest.mark.parametrize("a, b", [("Attention Is All You Need!", "attention is all  you need"),
                                  ("Self-Supervised (SSL) Learning", "self supervised ssl learning"),
                                  ("Ｆｕｌｌｗｉｄｔｈ", "fullwidth"), ("O(k^{-3}) rate", "O k -3 rate")])
def test_same_title_counts_case_punctuation_and_width_out(a, b):
    assert title_key(a) == title_key(b)


def test_merging_records_with_different_abstracts_warns(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text(rec("Deep Nets", "One abstract.") + "\n" + rec("Deep nets!", "Another abstract.") + "\n"
                 + rec("Deep Nets", "One abstract.") + "\n")
    notes = []
    [paper] = read_papers(f, warn=notes.append)
    assert paper.abstract == "One abstract." and len(paper.sources) == 3
    assert len(notes) == 1 and f"{f}:2" in notes[0] and "another abstract" in notes[0]


def test_near_duplicate_titles_are_reported_not_merged(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text(rec("Trained Rank Pruning for Efficient Deep Neural Networks", "v1.") + "\n"
                 + rec("TRP: Trained Rank Pruning for Efficient Deep Neural Networks", "v2.") + "\n")
    notes = []
    assert len(read_papers(f, warn=notes.append)) == 2
    assert len(notes) == 1 and f"{f}:2" in notes[0] and "may be the same paper" in notes[0]


# 3. folders ------------------------------------------------------------------------------------

def test_symlinked_folders_are_followed_once_and_dangling_links_reported(tmp_path):
    data = tmp_path / "data"
    (data / "real").mkdir(parents=True)
    (data / "real" / "a.jsonl").write_text(rec("Linked paper") + "\n")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "b.jsonl").write_text(rec("Local paper") + "\n")
    (corpus / "linked").symlink_to(data / "real", target_is_directory=True)
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    (corpus / "gone.jsonl").symlink_to(tmp_path / "nowhere.jsonl")
    with pytest.raises(InputError, match="dangling") as info:
        read_papers(corpus)
    assert info.value.path == str(corpus / "gone.jsonl")
    papers, seen, notes = skipping(corpus)
    assert sorted(p.title for p in papers) == ["Linked paper", "Local paper"]
    assert [e.path for e in seen] == [str(corpus / "gone.jsonl")]
    assert any(str(corpus / "loop") in n and "already read" in n for n in notes)


def test_special_files_in_a_folder_are_reported(tmp_path):
    (tmp_path / "a.jsonl").write_text(rec("A paper") + "\n")
    os.mkfifo(tmp_path / "pipe.jsonl")
    papers, _, notes = skipping(tmp_path)
    assert [p.title for p in papers] == ["A paper"]
    assert any("pipe.jsonl" in n and "not a regular file" in n for n in notes)


@pytest.fixture
def locked_folder():
    """A world-readable folder (pytest's tmp dirs are private to root) with an unreadable file and folder."""
    root = Path(tempfile.mkdtemp(prefix="kg-perm-"))
    root.chmod(0o755)
    (root / "good.jsonl").write_text(rec("Readable paper") + "\n")
    (root / "secret.jsonl").write_text(rec("Secret paper") + "\n")
    (root / "secret.jsonl").chmod(0)
    (root / "closed").mkdir()
    (root / "closed" / "c.jsonl").write_text(rec("Closed paper") + "\n")
    (root / "closed").chmod(0)
    yield root
    (root / "closed").chmod(0o755)
    shutil.rmtree(root)


READ = ("import sys, kg; seen = []; ps = kg.read_papers([sys.argv[1]], skip_invalid=sys.argv[2] == '1', "
        "on_invalid=seen.append); print([p.title for p in ps]); [print(e) for e in seen]")


def test_unreadable_file_and_folder_are_input_errors(locked_folder):
    r = as_other_user([sys.executable, "-c", READ, str(locked_folder), "0"])
    assert "Traceback" in r.stderr and "InputError" in r.stderr and "PermissionError" not in r.stderr
    assert "cannot list this folder" in r.stderr
    r = as_other_user([sys.executable, "-c", READ, str(locked_folder), "1"])
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0] == "['Readable paper']"
    assert any("closed" in ln and "cannot list" in ln for ln in out[1:])
    assert any("secret.jsonl" in ln and "cannot read" in ln for ln in out[1:])


@pytest.mark.slow  # runs `kg build` in subprocesses (spaCy import and model load)
def test_cli_unreadable_file_one_line_and_skippable(locked_folder):
    out = Path(tempfile.mkdtemp(prefix="kg-out-"))
    out.chmod(0o777)
    try:
        base = [sys.executable, "-m", "kg", "build", str(locked_folder), "-o", str(out / "o"), "-q"]
        r = as_other_user(base)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "--skip-invalid" in lines[0] and "cannot list this folder" in lines[0]
        r = as_other_user([*base, "--skip-invalid", "--no-html", "--no-store"])
        assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
        assert "secret.jsonl: cannot read (Permission denied)" in r.stderr and "skipped 2 invalid" in r.stderr
        assert "Readable paper" in (out / "o" / "graph.json").read_text()
    finally:
        shutil.rmtree(out)


# 5, 8, 10. bad records and bad files ------------------------------------------------------------

BAD_JSONL = [
    (rec("Huge", "x " * 500_001), "over spaCy's limit"),
    ('{"title": "Lone \\ud800 surrogate", "abstract": "A."}', "lone surrogate (\\ud800)"),
    ('{"title": "Deep", "abstract": "A.", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ('{"title": "Big", "abstract": "A.", "n": ' + "9" * 5000 + "}", "cannot be read"),
    ('{"title": "Number", "abstract": 42}', "abstract is a number, not text"),
    ('{"title": "Cut", "abstract": "A truncated li', "string starting at column 30"),
    ('{"title": "Cut", "abstract": "A."', "column 34"),
]


@pytest.mark.parametrize("line, words", BAD_JSONL, ids=lambda x: x[:12] if isinstance(x, str) else "")
def test_bad_jsonl_record_is_one_error_with_file_and_line(tmp_path, line, words):
    f = tmp_path / "p.jsonl"
    f.write_text(rec("Good") + "\n" + line + "\n" + rec("After") + "\n")
    with pytest.raises(InputError) as info:
        read_papers(f)
    assert info.value.line == 2 and words in str(info.value)
    papers, seen, _ = skipping(f)
    assert [p.title for p in papers] == ["Good", "After"] and [e.line for e in seen] == [2]


@pytest.mark.parametrize("text, words", [
    ('[{"title": "T", "abstract": "A.", "x": ' + "[" * 100_000 + "]" * 100_000 + "}]", "nested too deeply"),
    ('[{"title": "T", "abstract": "A.", "n": ' + "9" * 5000 + "}]", "cannot be read"),
    ('[{"title": "T", "abstract": "A."}\n {"title": "U", "abstract": "B."}]', "Expecting ','"),
    ('[{"title": "T", "abstract": "A."}] extra', "Extra data at column 36"),
])
def test_bad_json_file_is_one_error(tmp_path, text, words):
    f = tmp_path / "p.json"
    f.write_text(text)
    with pytest.raises(InputError, match=words):
        read_papers(f)


def test_skip_invalid_covers_bad_files_in_a_folder(tmp_path):
    (tmp_path / "good.jsonl").write_text(rec("Good") + "\n")
    (tmp_path / "utf8.jsonl").write_bytes(rec("Before").encode() + b'\n{"title": "\xff"}\n'
                                          + rec("After").encode() + b"\n")
    (tmp_path / "binary.json").write_bytes(b"\x00\x01\x02garbage")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "nothing.bib").write_text("no entries here")
    papers, seen, _ = skipping(tmp_path)
    assert sorted(p.title for p in papers) == ["After", "Before", "Good"]
    by_file = {Path(e.path).name: e for e in seen}
    assert set(by_file) == {"utf8.jsonl", "binary.json", "empty.csv", "nothing.bib"}
    assert by_file["utf8.jsonl"].line == 2 and "binary" in str(by_file["binary.json"])


def test_dump_missing_abstract_is_reported_at_its_title(tmp_path):
    a1 = "We study graphs. Our method wins on ZINC."
    a3 = "We study text. Our model wins on GLUE."
    f = tmp_path / "d.txt"
    f.write_text(f"First Title\n{a1}\nOrphan Title\nA Much Longer Third Paper Title Here\n{a3}\n")
    with pytest.raises(InputError, match="no abstract line") as info:
        read_papers(f)
    assert info.value.line == 3
    papers, seen, _ = skipping(f)
    assert [(p.title, p.abstract) for p in papers] == [("First Title", a1),
                                                       ("A Much Longer Third Paper Title Here", a3)]
    assert [e.line for e in seen] == [3]


def test_csv_field_over_the_csv_module_limit_is_read(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text('title,abstract\nLong,"' + "word " * 40_000 + '"\nShort,A.\n')
    assert [p.title for p in read_papers(f)] == ["Long", "Short"]


# 9. a JSON array reads in linear time ------------------------------------------------------------

def test_json_array_line_numbers_scan_the_text_once(tmp_path):
    # The line-number helper counted newlines from the start for every item: 40k items took 77 s.
    # Measured as work, not time (speed belongs in bench/build.py): the characters that counting
    # newlines scans, over all items, stay within the file's length.
    from kg.read.jsonl import _array_items

    class Scanned(str):
        chars = 0

        def count(self, sub, start=0, end=None):
            Scanned.chars += (len(self) if end is None else end) - start
            return super().count(sub, start, end)

    n = 2_000
    text = Scanned("[\n" + ",\n".join(rec(f"Paper {i}") for i in range(n)) + "\n]\n")
    items = list(_array_items(tmp_path / "a.json", text, 0))
    assert [line for line, _ in items] == list(range(2, n + 2))
    assert Scanned.chars <= len(text), (Scanned.chars, len(text))
