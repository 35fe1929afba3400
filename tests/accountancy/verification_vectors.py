"""The verification vectors (tests/reference/safeguards_verification_vectors.json), copied from
shared/reference/safeguards-vectors.json with their ids and sources."""

import json
from pathlib import Path

PATH = Path(__file__).parents[1] / "reference" / "safeguards_verification_vectors.json"
VECTORS = {v["id"]: v for v in json.loads(PATH.read_text())["vectors"]}

#: The vectors' probabilities are printed to 12 decimals: compared to that precision (their
#: stated tolerance 0 applies to the whole-number sample sizes).
PRINTED_12_DECIMALS = 5e-13
