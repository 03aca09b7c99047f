"""Request and response examples for the OpenAPI document, by operationId (docs/api/operations.md).

The examples are data, in ``request_examples.json`` and ``response_examples.json`` beside this
module. They use the demo data (`tsp-auth demo`): the UK seller `slr_demo_uk` and its main
account, the partner `ptn_demo_row` with its services, the TAP partner `ptn_demo_tap` and its
apps, the Business Center `bc_demo`. Generated ids (`grt_…`) are made up in the same shape as
``new_id``. `tests/test_openapi_docs.py` validates every example against its schema, so an
example cannot drift from the API it shows.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from tsp_auth.config import Settings
from tsp_auth.oauth.metadata import server_metadata

EXAMPLE_NAME = "demo"
EXAMPLE_SUMMARY = "With the demo data of `tsp-auth demo`"


def _load(name: str) -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = json.loads(files(__package__).joinpath(name).read_text())
    return loaded


# The JSON body of each operation that takes one.
REQUEST_EXAMPLES = _load("request_examples.json")
# The JSON success answer of each operation that has one.
RESPONSE_EXAMPLES = _load("response_examples.json")
# What the server answers with the default settings (not the environment's: this module is
# imported before a bad setting can be reported), built by the code that answers it.
RESPONSE_EXAMPLES["authorization_server_metadata"] = server_metadata(
    Settings.model_construct()
).model_dump(mode="json")
