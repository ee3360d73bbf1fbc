"""Build-folder resolution (kg/paths.py) as the commands see it."""

from __future__ import annotations

from click.testing import CliRunner

from kg.cli import cli
from kg.export.json import write_graph
from kg.graph import build_graph
from kg.types import Mention, Paper


def _graph():
    paper = Paper(id="P-1", title="A study of BERT", abstract="We fine-tune BERT on SQuAD.")
    mentions = [Mention(paper_id="P-1", field="abstract", start=13, end=17, text="BERT", type="method",
                        sentence="We fine-tune BERT on SQuAD.", sent_start=0)]
    return build_graph([(paper, mentions, [])])


def test_export_reads_the_json_file_it_is_given(tmp_path):
    # A graph JSON under another name is the graph to export, not a pointer to graph.json beside it.
    (tmp_path / "other").mkdir()
    write_graph(_graph(), tmp_path / "other" / "mine.json")
    out = tmp_path / "mine.nt"
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "other" / "mine.json"), "-f", "ntriples",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "A study of BERT" in out.read_text()


def test_export_of_a_missing_json_file_names_it(tmp_path):
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "nope.json" in result.output and "Traceback" not in result.output
