"""Write the JSON Schema files under ``schemas/jsonschema/`` from the models.

    python -m schemas.export          # rewrite the files
    python -m schemas.export --check  # exit 1 if the committed files drifted from the models
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import BaseModel

from schemas.client import ClientProfile
from schemas.deadletter import DeadLetter
from schemas.outcome import ReferralOutcome
from schemas.referral import Referral
from schemas.vacancy import Vacancy

__all__ = ["MODELS", "SCHEMA_DIR", "render"]

SCHEMA_DIR = Path(__file__).parent / "jsonschema"
MODELS: dict[str, type[BaseModel]] = {
    "client_profile.v1.json": ClientProfile,
    "vacancy.v1.json": Vacancy,
    "referral.v1.json": Referral,
    "dead_letter.v1.json": DeadLetter,
    "referral_outcome.v1.json": ReferralOutcome,
}


def render(model: type[BaseModel]) -> str:
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the files drifted")
    args = parser.parse_args(argv)
    drifted = []
    for filename, model in MODELS.items():
        path = SCHEMA_DIR / filename
        text = render(model)
        if args.check:
            if not path.exists() or path.read_text() != text:
                drifted.append(filename)
        else:
            path.write_text(text)
    if drifted:
        print("JSON Schema drifted from the models: " + ", ".join(drifted)
              + "\nrun: python -m schemas.export", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
