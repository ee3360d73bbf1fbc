"""Readers: every format, duplicate merging, and every kind of bad input."""

from __future__ import annotations

import json

import pytest

from kg.errors import InputError
from kg.read import read_papers, title_key
from kg.read.dump import is_noise

from .helpers import SEEDS

ABSTRACT = "We propose a method. It works on the FooBench dataset."


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_seed_corpus_has_361_distinct_papers():
    papers = read_papers([SEEDS])
    assert len(papers) == 361
    assert len({p.id for p in papers}) == 361
    assert len({title_key(p.title) for p in papers}) == 361


def test_seed_noise_never_becomes_a_paper():
    papers = read_papers([SEEDS])
    assert len(papers) == 361
    for p in papers:
        assert not is_noise(p.title)
        assert not p.title.startswith("Subscribe")
        assert len(p.abstract) > len(p.title)


def test_title_glued_to_subscribe_is_cut_loose():
    titles = {p.title for p in read_papers([SEEDS / "003_cd84063667fe94fd.txt"])}
    assert "Improved Regret for Efficient Online Reinforcement Learning with Linear Function Approximation" in titles


def test_same_paper_in_several_files_keeps_all_sources():
    papers = read_papers([SEEDS])
    multi = [p for p in papers if len(p.sources) > 1]
    assert any(len({s.rsplit(":", 1)[0] for s in p.sources}) >= 2 for p in multi), \
        "the seeds repeat papers across files"
    for p in multi:
        assert len(set(p.sources)) == len(p.sources), "each place is listed once"
        assert all(s.rsplit(":", 1)[1].isdigit() for s in p.sources), "each source is file:line"


def test_dump_with_noise_and_dates(tmp_path):
    f = write(tmp_path / "d.txt", "new\n\nSubscribe\n\nMar 12\n\nA Title\n\n" + ABSTRACT + "\n\nDaily Papers\n")
    [p] = read_papers(f)
    assert (p.title, p.abstract) == ("A Title", ABSTRACT)
    assert p.sources == (f"{f}:7",)


def test_jsonl_with_metadata(tmp_path):
    rec = {"title": "T1", "abstract": ABSTRACT, "authors": ["A. B", "C. D"], "year": 2024, "doi": "10.1/x",
           "url": "https://x", "venue": "V", "id": "x1"}
    f = write(tmp_path / "p.jsonl", json.dumps(rec) + "\n\n" + json.dumps({"title": "T2", "abstract": ABSTRACT}) + "\n")
    p1, p2 = read_papers(f)
    assert p1.authors == ("A. B", "C. D") and p1.date == "2024" and p1.doi == "10.1/x"
    assert p1.identifier == "x1" and p1.venue == "V"
    assert p2.title == "T2" and p2.sources == (f"{f}:3",)


def test_json_array(tmp_path):
    f = write(tmp_path / "p.json", json.dumps([{"title": "T1", "abstract": ABSTRACT},
                                              {"title": "T2", "abstract": ABSTRACT, "authors": "X and Y"}], indent=1))
    papers = read_papers(f)
    assert [p.title for p in papers] == ["T1", "T2"]
    assert papers[1].authors == ("X", "Y")


def test_csv_with_header(tmp_path):
    f = write(tmp_path / "p.csv", 'Title,Abstract,year\n"T, one","' + ABSTRACT + '",2023\n')
    [p] = read_papers(f)
    assert p.title == "T, one" and p.date == "2023" and p.sources == (f"{f}:2",)


def test_bibtex(tmp_path):
    bib = r"""
@string{conf = "NeurIPS"}
@article{key1,
  title = {{BERT}: Pre-training of Deep Transformers},
  abstract = "We introduce BERT. It is evaluated on the GLUE benchmark.",
  author = {Devlin, Jacob and Chang, Ming-Wei},
  year = 2019, doi = {10.18653/v1/N19-1423}, booktitle = conf,
}
@comment{ignored}
"""
    f = write(tmp_path / "p.bib", bib)
    [p] = read_papers(f)
    assert p.title == "BERT: Pre-training of Deep Transformers"
    assert p.authors == ("Devlin, Jacob", "Chang, Ming-Wei")
    assert p.date == "2019" and p.venue == "NeurIPS" and p.identifier == "key1"
    assert p.sources == (f"{f}:3",)


def test_directories_recurse_and_format_is_forced(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "a.jsonl", json.dumps({"title": "T1", "abstract": ABSTRACT}) + "\n")
    write(tmp_path / "b.data", json.dumps({"title": "T2", "abstract": ABSTRACT}) + "\n")
    notes = []
    assert [p.title for p in read_papers(tmp_path, warn=notes.append)] == ["T1"]
    assert any("b.data" in n for n in notes)
    assert [p.title for p in read_papers(tmp_path / "b.data", format="jsonl")] == ["T2"]


@pytest.mark.parametrize(
    "name, content, line, words",
    [
        ("bad.jsonl", b'{"title": "T", "abstract": "A"}\n{not json}\n', 2, "not valid JSON"),
        ("bad.jsonl", b'{"title": "T"}\n', 1, "no abstract"),
        ("bad.jsonl", b'{"title": "T", "abstract": "A"}\n{"title": "\xff\xfe"}\n', 2, "UTF-8"),
        ("bad.csv", b"title,abstract\nT,\n", 2, "no abstract"),
        ("bad.csv", b"name,abstract\nT,A\n", 1, "no title"),
        ("bad.bib", b"@article{k,\n title={T},\n}\n", 1, "no abstract"),
        ("bad.bib", b"@article{k,\n title={T,\n abstract={A}\n}\n", 1, "never closed"),
        ("bad.bib", b"@article{k,\n title={T},\n abstract=<A>\n}\n", 3, "BibTeX"),
        ("bad.txt", b"A title\nabc\n", 1, "shorter line"),
        ("bad.json", b'[{"title": "T", "abstract": "A"},\n {"abstract": "A"}]', 2, "no title"),
    ],
)
def test_bad_records_name_file_and_line(tmp_path, name, content, line, words):
    f = write(tmp_path / name, content)
    with pytest.raises(InputError) as info:
        read_papers(f)
    err = info.value
    assert err.path == str(f) and err.line == line
    assert words in str(err)
    assert err.hint and err.exit_code == 2


@pytest.mark.parametrize("name, content, words", [
    ("empty.jsonl", b"", "empty"),
    ("blank.csv", b"  \n\n", "empty"),
    ("notes.xyz", b"hello", "unknown file extension"),
])
def test_bad_files(tmp_path, name, content, words):
    f = write(tmp_path / name, content)
    with pytest.raises(InputError, match=words):
        read_papers(f)


def test_missing_path(tmp_path):
    with pytest.raises(InputError, match="no such file") as info:
        read_papers(tmp_path / "nope.jsonl")
    assert str(tmp_path / "nope.jsonl") in str(info.value)


def test_skip_invalid_reports_each_and_keeps_the_valid(tmp_path):
    lines = [json.dumps({"title": "T1", "abstract": ABSTRACT}), "{oops", json.dumps({"title": "T2"}),
             json.dumps({"title": "T3", "abstract": ABSTRACT})]
    f = write(tmp_path / "p.jsonl", "\n".join(lines) + "\n")
    seen = []
    papers = read_papers(f, skip_invalid=True, on_invalid=seen.append)
    assert [p.title for p in papers] == ["T1", "T3"]
    assert [e.line for e in seen] == [2, 3]


def test_dump_skip_invalid_resynchronises(tmp_path):
    f = write(tmp_path / "d.txt", "Stray line\nT1\n" + ABSTRACT + "\nT2\n" + ABSTRACT + "\n")
    seen = []
    papers = read_papers(f, skip_invalid=True, on_invalid=seen.append)
    assert [p.title for p in papers] == ["T1", "T2"]
    assert [e.line for e in seen] == [1]


def test_jsonl_is_split_on_newlines_only(tmp_path):
    # U+2028 and U+0085 are legal inside JSON strings; str.splitlines would cut the record there
    f = tmp_path / "odd.jsonl"
    rows = [{"title": "Line\u2028separated title", "abstract": "Next\u0085line and a form\x0cfeed."},
            {"title": "Second", "abstract": "Fine."}]
    f.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in rows).encode())
    papers = read_papers([f])
    assert [p.title for p in papers] == ["Line separated title", "Second"]  # whitespace normalised
    assert papers[0].abstract.startswith("Next") and papers[0].abstract.endswith("feed.")
    assert papers[1].sources == (f"{f}:2",)


def test_jsonl_bad_utf8_names_the_line(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_bytes(b'{"title": "A", "abstract": "B"}\n{"title": "\xff", "abstract": "B"}\n')
    with pytest.raises(InputError) as err:
        read_papers([f])
    assert err.value.line == 2 and "UTF-8" in str(err.value)
