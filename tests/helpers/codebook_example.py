"""A codebook YAML example using every field, shared by the reader and writer tests."""

from __future__ import annotations

import dataclasses

from qualcode.model import CodeSpec

EXAMPLE = """\
# qualcode codebook
format: qualcode-codebook/1
name: Balint groups - benefits and challenges
description: |
  Free text about the codebook.
  Second line.
themes:
  - name: Communication
    description: What the theme covers.
    colour: "#1f77b4"
    subthemes:
      - name: Listening and attention
        codes:
          - name: Listening to the patient
            description: Definition of the code.
            inclusion: When to apply it.
            exclusion: When not to apply it.
            examples:
              - "An example sentence."
              - |
                A two-line
                example.
            colour: "#AEC"
            shortcut: "a"
    codes:
      - name: No
        shortcut: 1
  - name: Challenges
    codable: true
    guid: 6F9619FF-8B86-D011-B42D-00C04FC964FF
"""


def strip_lines(specs: tuple[CodeSpec, ...]) -> tuple[CodeSpec, ...]:
    """Return specs without their source line numbers, for comparing trees."""
    return tuple(dataclasses.replace(s, line=None, children=strip_lines(s.children))
                 for s in specs)
