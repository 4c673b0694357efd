"""The loader fuzzed: thousands of malformed project files, each refused with a ProjectFileError.

A seeded mutation fuzzer (text, structure and bytes) supplies well over 10,000 malformed inputs;
hypothesis adds arbitrary JSON grafted into a valid file. Every input either loads into a valid
Project or raises ProjectFileError with a message; nothing else escapes, and a project already
open is never touched.
"""

from __future__ import annotations

import copy
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpstudio.core import fileformat
from bpstudio.core.fileformat import ProjectFileError
from bpstudio.core.presets import load_preset

SEED = 20261127
N_TEXT = 7000
N_STRUCT = 5500
N_BYTES = 300

ODD_VALUES = [None, True, False, 0, -1, 1, 2**70, -(2**70), 1e308, -1e308, 0.5, "", "x", "n1",
              "identity", "tanh", "input", "output", "hidden", [], [1], [[1, 2]], {}, {"a": 1},
              "NaN", "Infinity", [None], [[None, None]], "\u0000", "é" * 50, [[]], {"id": "n1"}]
TOKENS = ["NaN", "Infinity", "-Infinity", "null", "true", "[", "]", "{", "}", ",", ":", '"', "\\",
          "1e999", "-0", "99999999999999999999999", '"\\ud800"', "\u2028", "/*", "[" * 50]


def base_texts() -> list[str]:
    return [fileformat.dumps(load_preset(name)) for name in ("article-xor", "xor", "and")]


def load_or_refuse(text: str):
    """Load; a ProjectFileError must carry a message. Returns the Project or the error."""
    try:
        project = fileformat.loads(text)
    except ProjectFileError as exc:
        assert str(exc).strip(), f"empty message for {text[:200]!r}"
        return exc
    except Exception as exc:  # noqa: BLE001 - this is the point of the test
        pytest.fail(f"{type(exc).__name__}: {exc} escaped for input {text[:300]!r}")
    # what loads must be a real, consistent project: it saves and loads back the same
    again = fileformat.loads(fileformat.dumps(project))
    assert again.graph.snapshot() == project.graph.snapshot()
    return project


# ---------------------------------------------------------------------------- text mutations
def mutate_text(text: str, rng: random.Random) -> str:
    n = len(text)
    i = rng.randrange(n)
    j = min(n, i + rng.randint(1, 40))
    op = rng.randrange(8)
    if op == 0:
        return text[:i] + text[j:]  # delete a span
    if op == 1:
        return text[:i] + rng.choice(TOKENS) + text[i:]  # insert a token
    if op == 2:
        return text[:i] + chr(rng.randrange(1, 0x2FFF)) + text[i + 1:]  # replace one character
    if op == 3:
        return text[:i]  # truncate
    if op == 4:
        k = rng.randrange(n)
        return text[:k] + text[i:j] + text[k:]  # duplicate a span elsewhere
    if op == 5:  # change a digit
        digits = [k for k, c in enumerate(text) if c.isdigit()]
        k = rng.choice(digits)
        return text[:k] + rng.choice("0123456789-.e") + text[k + 1:]
    if op == 6:  # swap two quoted words
        words = [w for w in set(text.split('"')[1::2]) if w]
        a, b = rng.sample(words, 2)
        return text.replace(f'"{a}"', "\x00").replace(f'"{b}"', f'"{a}"').replace("\x00", f'"{b}"')
    return text[:i] + text[i:j][::-1] + text[j:]  # reverse a span


# ---------------------------------------------------------------------------- structure mutations
def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


def mutate_structure(doc: dict, rng: random.Random) -> str:
    doc = copy.deepcopy(doc)
    paths = [p for p in _paths(doc) if p]
    path = rng.choice(paths)
    parent, key = _get(doc, path[:-1]), path[-1]
    op = rng.randrange(6)
    if op == 0:  # a wrong value
        parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
    elif op == 1:  # remove a field or an item
        del parent[key]
    elif op == 2 and isinstance(parent, dict):  # an unknown field beside it
        parent[f"{key}_extra"] = 1
    elif op == 3 and isinstance(parent, list):  # duplicate an item (duplicate ids, edges, rows)
        parent.append(copy.deepcopy(parent[key]))
    elif op == 4:  # deep nesting
        parent[key] = json.loads("[" * 60 + "]" * 60)
    else:  # several wrong values at once
        for _ in range(3):
            p = rng.choice(paths)
            try:
                holder = _get(doc, p[:-1])
                holder[p[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
            except (KeyError, IndexError, TypeError):
                pass
    return json.dumps(doc, allow_nan=True)


def semantic_cases(doc: dict) -> list[str]:
    """Hand-made files that are valid JSON but not valid projects."""
    cases = []

    def case(edit):
        d = copy.deepcopy(doc)
        edit(d)
        cases.append(json.dumps(d, allow_nan=True))

    nodes = doc["network"]["nodes"]
    case(lambda d: d["network"]["edges"].append({"source": nodes[-1]["id"], "target": nodes[2]["id"],
                                                 "weight": 1}))  # a cycle
    case(lambda d: d["network"]["edges"].append({"source": nodes[2]["id"], "target": nodes[0]["id"],
                                                 "weight": 1}))  # into an input
    case(lambda d: d["network"]["edges"].append({"source": nodes[2]["id"], "target": nodes[2]["id"],
                                                 "weight": 1}))  # a self loop
    case(lambda d: d["network"]["nodes"].append(dict(nodes[0])))  # duplicate id
    case(lambda d: d.update(version=99))
    case(lambda d: d.update(format="something-else"))
    case(lambda d: d["dataset"]["X"][0].append(1))
    case(lambda d: d["dataset"]["Y"].pop())
    case(lambda d: d["dataset"]["X"][0].__setitem__(0, float("nan")))
    case(lambda d: d["network"]["edges"][0].__setitem__("weight", float("inf")))
    case(lambda d: d["training"].__setitem__("learning_rate", -1))
    case(lambda d: d["training"].__setitem__("mode", "sometimes"))
    case(lambda d: d["dataset"]["input_names"].pop())
    cases += ["", "   ", "null", "[]", "42", '"text"', "{}", "{" * 100_000, "[" * 100_000,
              '{"format": "bpstudio-project", "version": 1, "version": 1}']
    return cases


def test_mutation_fuzzer_ten_thousand_malformed_inputs():
    rng = random.Random(SEED)
    texts = base_texts()
    docs = [json.loads(t) for t in texts]
    open_project = load_preset("article-xor")  # the project "already open" in the studio
    before = (open_project.graph.snapshot(), open_project.dataset.copy(), open_project.settings.to_dict())
    refused = loaded = 0
    inputs = [mutate_text(rng.choice(texts), rng) for _ in range(N_TEXT)]
    inputs += [mutate_structure(rng.choice(docs), rng) for _ in range(N_STRUCT)]
    for d in docs:
        inputs += semantic_cases(d)
    messages = set()
    for text in inputs:
        result = load_or_refuse(text)
        if isinstance(result, ProjectFileError):
            refused += 1
            messages.add(str(result).split(":")[0])
        else:
            loaded += 1
    assert refused >= 10_000, f"only {refused} malformed inputs were refused ({loaded} loaded)"
    assert len(messages) > 50  # the messages say different things for different faults
    assert open_project.graph.snapshot() == before[0]
    assert open_project.dataset.equals(before[1]) and open_project.settings.to_dict() == before[2]
    print(f"fuzz: {len(inputs)} inputs, {refused} refused with ProjectFileError, {loaded} valid")


def test_every_semantic_fault_is_refused():
    for d in (json.loads(t) for t in base_texts()):
        for text in semantic_cases(d):
            assert isinstance(load_or_refuse(text), ProjectFileError), text[:200]


def test_bytes_through_load_from_disk(tmp_path):
    rng = random.Random(SEED + 1)
    raw = base_texts()[0].encode("utf-8")
    refused = 0
    target = tmp_path / "p.bpstudio.json"
    for _ in range(N_BYTES):
        data = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        target.write_bytes(bytes(data))
        try:
            fileformat.load(target)
        except ProjectFileError as exc:
            assert str(exc).strip()
            refused += 1
    assert refused > N_BYTES // 2
    with pytest.raises(ProjectFileError, match="cannot read"):
        fileformat.load(tmp_path / "missing.json")
    with pytest.raises(ProjectFileError, match="cannot read"):
        fileformat.load(tmp_path)  # a folder


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
DOC = json.loads(base_texts()[0])
PATHS = [p for p in _paths(DOC) if p]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=json_values)
def test_hypothesis_any_json_grafted_anywhere(path, value):
    doc = copy.deepcopy(DOC)
    _get(doc, path[:-1])[path[-1]] = value
    load_or_refuse(json.dumps(doc, allow_nan=True))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_hypothesis_arbitrary_text(text):
    load_or_refuse(text)
