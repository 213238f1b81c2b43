"""Checks that a Markdown page shows a source file verbatim in one of its fenced code blocks.

Usage: doc_shows_file.py PAGE.md FILE
"""

import difflib
import sys

page, source = sys.argv[1:3]
blocks, block = [], None
with open(page, encoding="utf-8") as lines:
    for line in lines:
        if line.startswith("```"):
            if block is None:
                block = []
            else:
                blocks.append("".join(block))
                block = None
        elif block is not None:
            block.append(line)
with open(source, encoding="utf-8") as file:
    text = file.read()

if text not in blocks:
    closest = max(blocks, key=lambda b: difflib.SequenceMatcher(None, b, text).ratio(), default="")
    sys.stdout.writelines(
        difflib.unified_diff(
            closest.splitlines(True), text.splitlines(True), f"{page} (closest block)", source
        )
    )
    sys.exit(f"{page} does not show {source} verbatim: copy the file into its code block")
