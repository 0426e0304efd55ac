"""Schemathesis hooks for tests/schemathesis.sh.

The OpenAPI document states every rule JSON Schema can express. A few rules it cannot: they
relate two fields by order or depend on what the service has stored, and the document names
them in its descriptions. A real client follows them; so does this one, for the positive cases
schemathesis generates (data it claims is valid), so that `positive_data_acceptance` holds the
service to everything else. Negative cases are left exactly as generated.

Per operation, and nothing else:
- POST /v1/learners: `birth_date` before `earliest_start` (two dates swapped, or a day apart).
- POST /v1/placements: `filled` at most `capacity`.
- PUT /v1/outlook: at most one row per sector x region (later duplicates dropped).
- POST /v1/allocations: `policy` is a TOML policy; a generated string is not, so it is left out
  (the service's policy applies).
- Any write: an `Idempotency-Key` is not reused for another request (made unique per case).
And one repair of schemathesis' own making: an `If-Match` its coverage phase fills with zeros
although the pattern forbids them (see map_case).

What depends on the stored record (the current ETag, the record a patch is merged into) is
configured per operation in tests/schemathesis.toml instead.
"""

import datetime
import itertools
import re

import schemathesis

_serial = itertools.count(1)



def _header_pattern(case, header):
    """The pattern the document gives a header parameter of this operation, if any."""
    for parameter in case.operation.iter_parameters():
        if parameter.name.lower() == header and parameter.location == "header":
            pattern = (parameter.definition.get("schema") or {}).get("pattern")
            return re.compile(pattern) if pattern else None
    return None


def _positive(case):
    meta = case.meta
    return meta is not None and meta.generation.mode.is_positive


def _day_after(text):
    try:
        day = datetime.date.fromisoformat(text)
        return (day + datetime.timedelta(days=1)).isoformat()
    except (ValueError, OverflowError):
        return None


def _dates_in_order(body):
    birth, start = body.get("birth_date"), body.get("earliest_start")
    if not (isinstance(birth, str) and isinstance(start, str)):
        return
    # ISO dates of four-digit years order as strings.
    if birth > start:
        body["birth_date"], body["earliest_start"] = start, birth
    elif birth == start:
        later = _day_after(start)
        if later is not None and len(later) == len(start):
            body["earliest_start"] = later
        else:
            earlier = datetime.date.fromisoformat(start) - datetime.timedelta(days=1)
            body["birth_date"] = earlier.isoformat()


def _filled_within_capacity(body):
    # JSON Schema's "integer" includes numbers written with a zero fraction (232.0), which
    # schemathesis generates and Python reads as floats: compare those too.
    filled, capacity = body.get("filled"), body.get("capacity")
    numbers = (int, float)
    if (
        isinstance(filled, numbers)
        and isinstance(capacity, numbers)
        and not isinstance(filled, bool)
        and not isinstance(capacity, bool)
        and filled > capacity
    ):
        body["filled"] = capacity


def _one_row_per_cell(rows):
    seen, kept = set(), []
    for row in rows:
        key = (row.get("sector"), row.get("region")) if isinstance(row, dict) else None
        if key is None or key not in seen:
            kept.append(row)
            seen.add(key)
    rows[:] = kept


@schemathesis.hook
def map_case(context, case):
    if not _positive(case):
        return case
    route = f"{case.method.upper()} {case.operation.path}"
    body = case.body
    if route == "POST /v1/learners" and isinstance(body, dict):
        _dates_in_order(body)
    elif route == "POST /v1/placements" and isinstance(body, dict):
        _filled_within_capacity(body)
    elif route == "PUT /v1/outlook" and isinstance(body, list):
        _one_row_per_cell(body)
    elif route == "POST /v1/allocations" and isinstance(body, dict):
        body.pop("policy", None)
    headers = case.headers or {}
    for name in list(headers):
        # Not a rule of the service: schemathesis 4.32 fills an optional header whose pattern
        # needs characters other than letters and digits with zeros in its "positive" cases
        # (it restricts header values to letters and digits, and the intersection is empty).
        # Such a value is not valid per the document, so it is made valid: `"v0"`, a tag no
        # record ever has.
        if name.lower() == "if-match" and isinstance(headers[name], str):
            pattern = _header_pattern(case, "if-match")
            if pattern is not None and not pattern.search(headers[name]):
                headers[name] = '"v0"'

        if name.lower() == "idempotency-key" and isinstance(headers[name], str):
            suffix = f"~{next(_serial)}"
            headers[name] = headers[name][: 255 - len(suffix)] + suffix
    return case
