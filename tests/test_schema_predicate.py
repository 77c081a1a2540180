"""The compiled codebook-schema predicate (coder.codebook.yamlio.valid_instance) is sound: it accepts
every bundled codebook file, and no mutated file that jsonschema rejects."""
from __future__ import annotations

import copy
import random
from pathlib import Path

from coder.codebook import DEFAULT_CODEBOOKS, codebook_files, yamlio

VALUES = [None, True, False, 0, 1, -5, 1.5, 2.0, "", "x", "ABC", "{country}", "{x}", [], [1], ["a", "a"], {},
          {"a": 1}, "123", 10 ** 6]


def _nodes(x, path=()):
    yield path, x
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _nodes(v, path + (k,))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _nodes(v, path + (i,))


def _mutate(data, rng: random.Random):
    nodes = list(_nodes(data))
    path, node = rng.choice(nodes)
    if not path:
        return data
    parent = data
    for p in path[:-1]:
        parent = parent[p]
    k = path[-1]
    r = rng.random()
    if r < 0.4:
        parent[k] = copy.deepcopy(rng.choice(VALUES))
    elif r < 0.6 and isinstance(parent, dict):
        del parent[k]
    elif r < 0.7 and isinstance(parent, dict):
        parent["zz_extra"] = 1
    elif r < 0.8 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[k]))
    elif r < 0.9 and isinstance(node, str):
        parent[k] = node + "{"
    else:
        parent[k] = copy.deepcopy(rng.choice([x for _, x in nodes]))
    return data


def test_predicate_accepts_bundled_and_never_what_jsonschema_rejects():
    rng = random.Random(7)
    accepted = 0
    for path, kind in codebook_files(Path(DEFAULT_CODEBOOKS)):
        data = yamlio.read_yaml(path)
        fast = yamlio.valid_instance(kind)
        assert fast is not None and fast(data), path
        validator = yamlio.schema_validator(kind)
        for _ in range(15 if len(str(data)) < 200_000 else 2):
            mutated = _mutate(copy.deepcopy(data), rng)
            if fast(mutated):
                accepted += 1
                assert not list(validator.iter_errors(mutated)), f"{path}: accepted an invalid mutation"
    assert accepted > 0
