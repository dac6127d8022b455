"""Print bench/results.json (written by `chameleon bench --json`) as the Markdown tables in RESULTS.md.

    python bench/render_results.py bench/results.json
"""

import json
import sys

from chameleon_trainer.bench import format_markdown

if __name__ == "__main__":
    print(format_markdown(json.load(open(sys.argv[1] if len(sys.argv) > 1 else "bench/results.json"))))
