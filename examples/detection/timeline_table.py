"""Print the detection timeline as the Markdown table of the README.

Usage::

    enrichwatch detection --timeline --json --quiet > timeline.json
    python examples/detection/timeline_table.py timeline.json
"""

import json
import sys

from enrichwatch.detection import markdown_table

if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        print(markdown_table(json.load(f)))
