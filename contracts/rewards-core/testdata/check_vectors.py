#!/usr/bin/env python3
"""Independent reference check of vectors.json (Python standard library only).

Re-implements the Edgemint rewards spec (README.md) from scratch and checks every vector: leaf encoding, leaf and
node hashes, tree shape (odd node promoted), proofs, points, split. A firmware or other-language implementation can
follow the same steps. Usage: python3 check_vectors.py [path/to/vectors.json]
"""
import hashlib
import json
import os
import sys

SCALE = 10**18


def encode_leaf(epoch, device_id, owner, amount):
    o = owner.encode("utf-8")
    return (b"edgemint-leaf/v1" + epoch.to_bytes(8, "big") + device_id.to_bytes(8, "big")
            + len(o).to_bytes(2, "big") + o + amount.to_bytes(16, "big"))


def leaf_hash(enc):
    return hashlib.sha256(b"\x00" + enc).digest()


def node(a, b):
    lo, hi = (a, b) if a <= b else (b, a)
    return hashlib.sha256(b"\x01" + lo + hi).digest()


def root_of(hashes):
    if not hashes:
        return bytes(32)
    level = list(hashes)
    while len(level) > 1:
        level = [node(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0]


def verify(root, lh, proof):
    acc = lh
    for sib in proof:
        acc = node(acc, sib)
    return acc == root


def decimal_atomics(s):
    whole, _, frac = s.partition(".")
    assert len(frac) <= 18
    return int(whole) * SCALE + int((frac + "0" * 18)[:18])


def points(t, w, m):
    if t["uptime_secs"] < w["min_uptime_secs"]:
        return 0
    raw = t["uptime_secs"] * w["uptime_per_hour"] + 3600 * (
        t["tasks_completed"] * w["per_task"] + t["interactions"] * w["per_interaction"])
    return min(raw * m // SCALE, 2**128 - 1)


def ints(d):
    return {k: int(v) if k != "owner" else v for k, v in d.items()}


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "vectors.json")
    f = json.load(open(path))
    h = bytes.fromhex
    assert h(f["empty_root"]) == bytes(32)
    for c in f["node_cases"]:
        assert node(h(c["a"]), h(c["b"])).hex() == c["node"]
    for c in f["merkle_cases"]:
        leaves = [ints(l) for l in c["leaves"]]
        hs = []
        for i, l in enumerate(leaves):
            enc = encode_leaf(l["epoch"], l["device_id"], l["owner"], l["amount"])
            assert enc.hex() == c["encodings"][i], c["name"]
            hs.append(leaf_hash(enc))
            assert hs[-1].hex() == c["leaf_hashes"][i]
        root = root_of(hs)
        assert root.hex() == c["root"], c["name"]
        for i, p in enumerate(c["proofs"]):
            assert verify(root, hs[i], [h(x) for x in p])
    for c in f["epoch_cases"]:
        i, e = c["input"], c["expected"]
        epoch, budget = int(i["epoch"]), int(i["budget"])
        w = {k: int(v) for k, v in i["weights"].items()}
        mult = {o: decimal_atomics(d) for o, d in i["multipliers"].items()}
        tel = sorted((ints(t) for t in i["telemetry"]), key=lambda t: t["device_id"])
        pts = [points(t, w, mult.get(t["owner"], SCALE)) for t in tel]
        assert [str(p) for p in pts] == [p["points"] for p in e["points"]], c["name"]
        total = sum(pts)
        assert str(total) == e["total_points"]
        amounts = [budget * p // total if total else 0 for p in pts]
        leaves = [(t, a) for t, a in zip(tel, amounts) if a > 0]
        assert [{"epoch": str(epoch), "device_id": str(t["device_id"]), "owner": t["owner"], "amount": str(a)}
                for t, a in leaves] == e["leaves"], c["name"]
        assert str(sum(amounts)) == e["total_distributed"] and str(budget - sum(amounts)) == e["remainder"]
        hs = [leaf_hash(encode_leaf(epoch, t["device_id"], t["owner"], a)) for t, a in leaves]
        root = root_of(hs)
        assert root.hex() == e["root"], c["name"]
        for k, p in enumerate(e["proofs"]):
            assert verify(root, hs[k], [h(x) for x in p])
    n = len(f["merkle_cases"]) + len(f["epoch_cases"]) + len(f["node_cases"])
    print(f"vectors.json: {n} passed, 0 failed")


if __name__ == "__main__":
    main()
