"""Schemathesis hooks for the API fuzz test: some requests name what the test seeded, so they get past 404 and 422.

Random UUIDs and numbers almost never name a row, so without this the actions on calls, PATCH and DELETE, and
POST /call would only ever be refused. The test passes what it made in FUZZ_KNOWN (JSON):
{"calls": [ids], "agents": [ids], "queues": [ids], "ringGroups": [ids], "numbers": [dialed numbers]}.
A generated value is swapped for a known one only where it is itself valid (a UUID, a dialed number), about half
the time, so the generated requests still go out too, and requests meant to be invalid stay invalid.
"""

import json
import os
import re

import schemathesis
from hypothesis import strategies as st

KNOWN = json.loads(os.environ.get("FUZZ_KNOWN") or "{}")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DIALED_NUMBER = re.compile(r"^\+?[0-9*#]{1,32}$")

# Which seeded ids a path's `{id}` names, by the path's first segment.
POOLS = {"calls": "calls", "agents": "agents", "queues": "queues", "ring-groups": "ringGroups"}


def _is_uuid(value):
    return isinstance(value, str) and UUID.match(value) is not None


def _sometimes(original, variants):
    """The original, or (as often) one of the variants."""
    if not variants:
        return st.just(original)
    return st.one_of(st.just(original), st.sampled_from(variants))


@schemathesis.hook
def flatmap_path_parameters(ctx, path_parameters):
    if not isinstance(path_parameters, dict) or not _is_uuid(path_parameters.get("id")):
        return st.just(path_parameters)
    pool = KNOWN.get(POOLS.get(ctx.operation.path.split("/")[1], ""), [])
    return _sometimes(path_parameters, [{**path_parameters, "id": known} for known in pool])


@schemathesis.hook
def flatmap_body(ctx, body):
    if not isinstance(body, dict):
        return st.just(body)
    path, variants = ctx.operation.path, []
    if path == "/call" and isinstance(body.get("to"), str) and DIALED_NUMBER.match(body["to"]):
        variants = [{**body, "to": number} for number in KNOWN.get("numbers", [])]
    elif path.startswith("/calls/") and _is_uuid(body.get("agentId")):
        variants = [{**body, "agentId": agent} for agent in KNOWN.get("agents", [])]
    elif path.startswith(("/queues", "/ring-groups")) and isinstance(body.get("members"), list) and body["members"]:
        agents = KNOWN.get("agents", [])
        members = body["members"]
        if path.startswith("/queues") and all(isinstance(m, dict) and _is_uuid(m.get("agentId")) for m in members):
            variants = [{**body, "members": [{**m, "agentId": a} for m, a in zip(members, agents)]}]
        elif path.startswith("/ring-groups") and all(_is_uuid(m) for m in members):
            variants = [{**body, "members": agents[: len(members)]}]
    return _sometimes(body, variants)
