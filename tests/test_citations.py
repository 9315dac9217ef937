import pytest

from assistant.citations import citations_for, find_markers, reference_list, strip_markers, with_markers
from assistant.schema import Evidence


def _evidence(marker, paper_id, title="T"):
    return Evidence(marker=marker, paper_id=paper_id, title=title, text="x", start=0, end=1, score=1.0)


@pytest.mark.parametrize("text, markers", [
    ("TinyCLIP distils CLIP [1].", (1,)),
    ("A [1, 3] and B [2][1].", (1, 3, 2)),
    ("Spaces [ 2 ; 4 ] allowed.", (2, 4)),
    ("No markers here.", ()),
    ("Year (2023) is not a marker.", ()),
])
def test_find_markers_reads_every_marker_once_in_order(text, markers):
    assert find_markers(text) == markers


def test_strip_markers_leaves_the_claim_and_its_punctuation():
    assert strip_markers("TinyCLIP distils CLIP [1]. ") == "TinyCLIP distils CLIP."
    assert strip_markers("It works. [2]") == "It works."


def test_with_markers_puts_markers_before_final_punctuation():
    assert with_markers("It distils CLIP. [3]", [1, 2]) == "It distils CLIP [1][2]."
    assert with_markers("No end", [4]) == "No end [4]."
    assert with_markers("Plain.", []) == "Plain."


def test_citations_drop_unknown_markers():
    evidence = [_evidence(1, "p1", "One"), _evidence(2, "p2", "Two")]
    cited = citations_for([2, 7, 1, 2], evidence)
    assert [(c.marker, c.paper_id, c.title) for c in cited] == [(1, "p1", "One"), (2, "p2", "Two")]


def test_reference_list_groups_markers_by_paper():
    evidence = [_evidence(1, "p1", "One"), _evidence(2, "p2", "Two"), _evidence(3, "p1", "One")]
    references = reference_list(citations_for([1, 2, 3], evidence))
    assert references == [([1, 3], "p1", "One"), ([2], "p2", "Two")]
