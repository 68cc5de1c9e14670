"""The small hand-built project of the theme table, matrix, chart and CLI export tests.

The layers are written out by hand so the tests can recompute studies and unit counts
without qualcode's presence code.
"""

from __future__ import annotations

from qualcode.model import CodeKind, Layer, SourceRecord
from qualcode.storage import Store

# (external id, study, author_year, finding_type, text)
SOURCES = [
    ("r0", "S1", "Torppa 2008", "participant_quote", "\"I listen | longer now.\""),
    ("r1", "S1", "Torppa 2008", "author_interpretation",
     "Students described listening as a skill they had to relearn on the wards."),
    ("r2", "S2", "Kjeldmand 2008", "participant_quote",
     "\"We talked. Then we <b>talked</b> more & more.\""),
    ("r3", "S2", "Kjeldmand 2008", "participant_quote", "\"No time, ever.\""),
    ("r4", "S3", "Olds 2019", "author_interpretation", "-Time was short for 50% of $tudents_"),
    ("r5", "S3", "Olds 2019", "participant_quote", "=HYPERLINK(\"http://evil\",\"x\")"),
    ("r6", "S4", "Ng 2022", "participant_quote", "@SUM(1+1) nothing applies here"),
    ("r7", "S4", "Ng 2022", "author_interpretation", "\tTalking helped, {authors} said."),
]
# Codebook: theme > (sub-theme > codes) and codes straight under a theme.
TREE = {
    "Relationship": {"Communication": ["Listening", "Talking"], None: ["Empathy"]},
    "Challenges": {None: ["=Time"]},
    "Unused": {None: ["Nothing"]},
}
DEFINITIONS = {"Listening": "Better | listening", "=Time": "+cmd|' /C calc'!A0",
               "Talking": "Talk & share 100% {more}", "Relationship": "<script>x</script>"}
PARENTS = {"Listening": ["Relationship", "Communication"],
           "Talking": ["Relationship", "Communication"], "Empathy": ["Relationship"],
           "=Time": ["Challenges"], "Nothing": ["Unused"]}
# The consensus layer, by hand: source index -> codes (Talking on r2 is a span).
CONSENSUS = {0: ["Listening", "Empathy"], 1: ["Listening"], 2: ["Talking"], 3: ["=Time"],
             4: ["=Time", "Empathy"], 5: ["=Time"], 7: ["Talking"]}
TALKING_SPAN = (1, 10)  # "We talked" in r2
ALICE = {0: ["Listening"], 1: ["Listening"], 2: ["Talking"], 3: ["=Time"], 4: ["=Time"],
         5: [], 6: [], 7: ["Talking", "Empathy"]}
BOB = {0: ["Listening", "Empathy"], 1: [], 2: ["Talking"], 3: ["=Time"], 4: [],
       5: ["=Time"], 6: ["Empathy"], 7: ["Talking"]}


def build_project(store: Store) -> Store:
    """The small hand-built project every export test uses."""
    store.import_sources([SourceRecord(ext, text, metadata={
        "study_id": study, "author_year": label, "finding_type": kind})
        for ext, study, label, kind, text in SOURCES], path="fixture.csv")
    ids: dict[str, int] = {}
    for theme, groups in TREE.items():
        t = store.add_code(theme, kind=CodeKind.THEME, codable=False,
                           description=DEFINITIONS.get(theme, ""))
        ids[theme] = t.id
        for sub, codes in groups.items():
            parent = t.id
            if sub is not None:
                parent = store.add_code(sub, kind=CodeKind.SUBTHEME, parent_id=t.id,
                                        codable=False).id
                ids[sub] = parent
            for name in codes:
                ids[name] = store.add_code(name, parent_id=parent,
                                           description=DEFINITIONS.get(name, "")).id
    lead = store.coder("lead")
    for i, codes in CONSENSUS.items():
        source = store.source_by_external_id(f"r{i}")
        for code in codes:
            span = TALKING_SPAN if (i, code) == (2, "Talking") else (None, None)
            store.add_coding(lead.id, source.id, ids[code], *span, layer=Layer.CONSENSUS)
    for name, layer in (("alice", ALICE), ("bob", BOB)):
        coder = store.coder(name)
        for i, codes in layer.items():
            source = store.source_by_external_id(f"r{i}")
            for code in codes:
                store.add_coding(coder.id, source.id, ids[code])
            store.mark_done(store.whole_unit(source.id).id, coder.id)
    return store
