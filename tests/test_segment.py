from coder.segment import split_sentences

ABBR = frozenset({"jan", "gen", "dr", "mr", "sept"})


def test_abbreviations_do_not_split():
    text = ("WASHINGTON, Jan. 5 (AP) -- U.S. Gen. Mark Milley met Dr. Ali in the U.S. capital. "
            "He said talks went well. The U.N. envoy agreed.")
    sents = split_sentences(text, ABBR)
    assert [s.text[:12] for s in sents] == ["WASHINGTON, ", "He said talk", "The U.N. env"]


def test_offsets_point_into_text():
    text = "First one.  Second one! Third?"
    for s in split_sentences(text, ABBR):
        assert text[s.start:s.end] == s.text


def test_quotes_close_sentences():
    sents = split_sentences('He said it was "complete." Then he left.', ABBR)
    assert len(sents) == 2
