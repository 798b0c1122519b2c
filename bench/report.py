#!/usr/bin/env python3
"""Turns one bench/run.sh run into a Markdown report.

Usage: report.py bench/results/<stamp>   (reads <stamp>.json, .meta.json, .footprint.json and,
if present, .interleaved.json; prints Markdown).

Every ratio is computed from numbers of the same run. For throughput (ops/s) a ratio is
benchmark / limit and higher is better; for average time (us/op, s/op) it is benchmark / limit and
lower is better. Next to each ratio is its range over the measured iterations (smallest benchmark
iteration / largest limit iteration .. largest / smallest): with 3 iterations JMH's 99.9 %
half-width uses a t factor of about 31.6 and says little. "within noise" means the target lies
inside that range.
"""
import json
import math
import os
import sys

prefix = sys.argv[1]


def load(path, default=None):
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return default


jmh = load(prefix + ".json", [])
meta = load(prefix + ".meta.json", {})
footprint = load(prefix + ".footprint.json")
interleaved = load(prefix + ".interleaved.json")


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


results = {}
for r in jmh:
    name = ".".join(r["benchmark"].split(".")[-2:])
    params = r.get("params") or {}
    key = name + "".join("[%s=%s]" % kv for kv in sorted(params.items()))
    pm = r["primaryMetric"]
    results[key] = {
        "score": num(pm["score"]),
        "error": num(pm["scoreError"]),
        "unit": pm["scoreUnit"],
        "mode": r["mode"],
        "threads": r["threads"],
        "n": len([x for fork in pm.get("rawData", []) for x in fork]),
        "raw": [float(x) for fork in pm.get("rawData", []) for x in fork],
    }


def fmt(x, unit=""):
    if x is None or math.isnan(x):
        return "n/a"
    if unit == "ops/s":
        if x >= 1e6:
            return "%.2f M/s" % (x / 1e6)
        if x >= 1e3:
            return "%.1f k/s" % (x / 1e3)
        return "%.0f /s" % x
    if unit == "us/op":
        return "%.1f µs" % x if x < 1000 else "%.2f ms" % (x / 1000)
    if unit == "ms/op":
        return "%.1f ms" % x
    if unit == "s/op":
        return "%.2f s" % x
    return "%.3g %s" % (x, unit)


def score(key):
    r = results.get(key)
    if r is None:
        return None
    return r


def cell(key):
    r = score(key)
    if r is None:
        return "not run"
    return fmt(r["score"], r["unit"])


def ratio(a, b):
    """The ratio and its (low, high) range over the iterations of both sides."""
    if a is None or b is None or b["score"] == 0:
        return None, None
    r = a["score"] / b["score"]
    ra, rb = a.get("raw") or [a["score"]], b.get("raw") or [b["score"]]
    if min(rb) <= 0:
        return r, None
    return r, (min(ra) / max(rb), max(ra) / min(rb))


def verdict(r, rng, op, target):
    if r is None or target is None:
        return "—" if target is None else "not run"
    ok = r >= target if op == ">=" else r <= target
    noisy = rng is not None and rng[0] < target < rng[1]
    return ("**met**" if ok else "**NOT met**") + (" (within noise)" if noisy else "")


def composite(keys):
    """Throughput of doing every listed operation once (1 / sum of 1/throughput)."""
    rs = [score(k) for k in keys]
    if any(r is None for r in rs):
        return None
    t = 1.0 / sum(1.0 / r["score"] for r in rs)
    rel = math.sqrt(sum((r["error"] / r["score"]) ** 2 for r in rs if not math.isnan(r["error"])))
    first = rs[0]
    scale = t / first["score"]
    return {"score": t, "error": t * rel, "unit": "ops/s", "mode": "thrpt", "threads": 1,
            "raw": [x * scale for x in first.get("raw", [])]}


# (label, benchmark key or composite, limit key, target op, target, note)
PAIRS = [
    ("decide (verifyToken + allows, 6 scopes)", "DecideBench.decide", "DecideBench.limitMapMask",
     ">=", 0.25, "limit: CHM.get + role bit + scope bitmask"),
    ("decide from frame strings", "DecideBench.decideFromStrings",
     "DecideBench.limitMapMaskFromStrings", None, None,
     "limit: CHM.get + strings→bits + mask + constant-time token compare"),
    ("connect, 1 thread", "ConnectBench.connect", "ConnectBench.limitBcDecodeVerify", ">=", 0.90,
     "limit: BC decode + verify, same payload"),
    ("connect, 2 threads", "ConnectBench.connect2t", "ConnectBench.limitBcDecodeVerify2t", ">=",
     0.90, "total throughput of 2 threads on both sides"),
    ("connect + its issueChallenge", ("composite", ["ConnectBench.connect",
                                                    "ConnectBench.issueChallenge"]),
     "ConnectBench.limitBcDecodeVerify", None, None, "challenge issued per connection, added"),
    ("connect, legacy v2 payload", "ConnectBench.connectLegacyV2",
     "ConnectBench.limitBcDecodeVerify", None, None, "v3 is tried first, then v2"),
    ("BC verify with cached key (reference)", "ConnectBench.refBcVerifyCachedKey",
     "ConnectBench.limitBcDecodeVerify", None, None, "what a key cache can gain at most"),
    ("connectUnknown: create request", "UnknownDeviceBench.connectUnknownCreate",
     "ConnectBench.limitBcDecodeVerify", None, None, "new key each time (no cache hit)"),
    ("connectUnknown: refresh request", "UnknownDeviceBench.connectUnknownRefresh",
     "ConnectBench.limitBcDecodeVerify", None, None, "same device, past the refresh interval"),
    ("approve, in-memory", "ApproveBench.approve[store=memory]", None, None, None,
     "no limit: absolute time only"),
    ("approve, store-json 100 devices", "ApproveBench.approve[store=json-100]",
     "StoreLimits.limitDurableFileWrite", "<=", 1.5, "limit: temp + force + atomic move + dir fsync"),
    ("approve, store-json 100 000 devices", "ApproveBench.approve[store=json-100000]",
     "StoreLimits.limitDurableFileWrite", "<=", 1.5, ""),
    ("approve, store-json 100 000 vs 100", "ApproveBench.approve[store=json-100000]",
     "ApproveBench.approve[store=json-100]", "<=", 1.5, "independent of fleet size"),
    ("approve, H2 file", "ApproveBench.approve[store=h2]", "StoreLimits.limitCommittedUpdate[db=h2]",
     None, None, "limit: plain H2 commit (H2 does not fsync on commit)"),
    ("approve, H2 file vs durable H2 update", "ApproveBench.approve[store=h2]",
     "StoreLimits.limitCommittedUpdate[db=h2-sync]", None, None,
     "limit: UPDATE + CHECKPOINT SYNC, what store-jdbc does per durable H2 write"),
    ("approve, PostgreSQL", "ApproveBench.approve[store=postgres]",
     "StoreLimits.limitCommittedUpdate[db=postgres]", "<=", 2.0,
     "limit: one committed single-row UPDATE"),
]

out = []
w = out.append
w("# Pairgate benchmark run %s (%s)" % (meta.get("date", "?"), meta.get("mode", "?")))
w("")
w("- Machine: %s, %s CPUs, %s RAM, Linux %s" % (meta.get("cpu", "?"), meta.get("cpus", "?"),
                                               meta.get("memory", "?"), meta.get("kernel", "?")))
w("- JDK: %s" % meta.get("java", "?"))
w("- Load average (1/5/15 min) at start: %s; at end: %s; wall time %s s" % (
    meta.get("loadStart", "?"), meta.get("loadEnd", "?"), meta.get("wallSeconds", "?")))
dirty = meta.get("uncommittedFiles")
w("- Commit: %s%s" % (meta.get("commit", "?"), "" if not dirty else
                     " (working tree with %d modified tracked files)" % dirty))
w("")
w("## Ratios to limits (same run)")
w("")
w("| what | result | limit | ratio (iteration range) | target | verdict | note |")
w("|---|---|---|---|---|---|---|")
for label, a_key, b_key, op, target, note in PAIRS:
    if isinstance(a_key, tuple):
        a = composite(a_key[1])
        a_cell = "not run" if a is None else fmt(a["score"], "ops/s")
    else:
        a = score(a_key)
        a_cell = cell(a_key)
    b = score(b_key) if b_key else None
    r, err = ratio(a, b)
    r_cell = "—" if b_key is None else ("n/a" if r is None else (
        "%.3f" % r + ("" if err is None else " (%.2f–%.2f)" % err)))
    t_cell = "—" if target is None else "%s %.2f" % ("≥" if op == ">=" else "≤", target)
    w("| %s | %s | %s | %s | %s | %s | %s |" % (
        label, a_cell, cell(b_key) if b_key else "—", r_cell, t_cell,
        verdict(r, err, op, target) if target is not None else "—", note))

# Absolute targets.
open_key = "OpenStoreBench.openStore[devices=100000]"
o = score(open_key)
lim = score("OpenStoreBench.limitReadAllFiles[devices=100000]")
o_r, o_err = ratio(o, lim)
w("| openStore, store-json 100 000 devices | %s | %s | %s | ≤ 3 s | %s | absolute target; "
  "limit: list + read every file's bytes |" % (
      cell(open_key), cell("OpenStoreBench.limitReadAllFiles[devices=100000]"),
      "n/a" if o_r is None else "%.1f" % o_r,
      "not run" if o is None else verdict(o["score"] / 1e3 if o["unit"] == "ms/op"
                                          else o["score"], None, "<=", 3.0)))
sc100 = score("StoreConnectBench.connectUnknownCreate[store=json-100]")
sc100k = score("StoreConnectBench.connectUnknownCreate[store=json-100000]")
sr, serr = ratio(sc100k, sc100)
w("| connectUnknown (create), store-json 100 000 vs 100 devices | %s | %s | %s | — | — | "
  "single shots (cold); the flood-limit count must not grow with the fleet |" % (
      cell("StoreConnectBench.connectUnknownCreate[store=json-100000]"),
      cell("StoreConnectBench.connectUnknownCreate[store=json-100]"),
      "n/a" if sr is None else "%.0f" % sr))
if footprint:
    bpd = footprint["storeBytesPerDevice"]
    w("| in-memory footprint per paired device (1 token) | %.0f B | — | — | ≤ 1024 B | %s | "
      "%d devices, %s strings; with service caches %.0f B |" % (
          bpd, verdict(bpd, None, "<=", 1024.0), footprint["devices"],
          "fresh (JSON-parsed)" if footprint["freshStrings"] else "shared",
          footprint["withServiceBytesPerDevice"]))
else:
    w("| in-memory footprint per paired device | not run | — | — | ≤ 1024 B | not run | |")
w("")

if interleaved:
    w("## Interleaved A/B cross-check (same run)")
    w("")
    w("Benchmark and limit alternate in short blocks inside one JVM (order ABBA), so load bursts from")
    w("other processes hit both about alike. Each block pair gives one ratio; the table shows their")
    w("median and quartiles, and the median time per operation of each side. For throughput pairs")
    w("(≥ targets) the ratio is benchmark throughput / limit throughput; for persistence pairs")
    w("(≤ targets) it is benchmark time / limit time, as in the table above.")
    w("")
    w("| what | ratio (median) | p25–p75 | block pairs | benchmark per op | limit per op | target | verdict |")
    w("|---|---|---|---|---|---|---|---|")

    def ns(x):
        if x is None:
            return "n/a"
        if x < 1000:
            return "%.0f ns" % x
        if x < 1e6:
            return "%.1f µs" % (x / 1e3)
        return "%.2f ms" % (x / 1e6)

    for e in interleaved:
        t = e.get("target", "")
        v = "—"
        if t:
            op, val = t.split()
            ok = e["median"] >= float(val) if op == ">=" else e["median"] <= float(val)
            inside = e["p25"] <= float(val) <= e["p75"]
            v = ("**met**" if ok else "**NOT met**") + (" (target inside p25–p75)" if inside else "")
        w("| %s | %.3f | %.3f–%.3f | %d | %s | %s | %s | %s |" % (
            e["label"], e["median"], e["p25"], e["p75"], e["rounds"], ns(e.get("benchNsPerOp")),
            ns(e.get("limitNsPerOp")), t.replace(">=", "≥").replace("<=", "≤") or "—", v))
    w("")

w("## Every JMH result")
w("")
w("| benchmark | mode | threads | score | ± (99.9 %) | iterations (min–max) | unit | samples |")
w("|---|---|---|---|---|---|---|---|")
for key in sorted(results):
    r = results[key]
    raw = r["raw"] or [r["score"]]
    w("| %s | %s | %d | %.4g | %.3g | %.4g–%.4g | %s | %d |" % (
        key, r["mode"], r["threads"], r["score"], r["error"], min(raw), max(raw), r["unit"],
        r["n"]))
w("")

if footprint:
    w("## Retained heap per paired device (%s store, %d devices)" % (
        footprint["store"], footprint["devices"]))
    w("")
    w("Store only: **%.0f B/device**; store plus the service's caches (decoded-key cache, "
      "challenges): %.0f B/device. Largest classes (heap histogram difference):" % (
          footprint["storeBytesPerDevice"], footprint["withServiceBytesPerDevice"]))
    w("")
    w("| class | instances/device | bytes/device |")
    w("|---|---|---|")
    for c in footprint["classes"]:
        w("| `%s` | %.2f | %.0f |" % (c["class"], c["instancesPerDevice"], c["bytesPerDevice"]))
    w("")
    js = footprint.get("jsonStore")
    if js:
        w("store-json (%d devices, read-only open of the same directory the benchmarks use): "
          "%.0f B/device held after open (request-id index and bookkeeping); its record cache "
          "holds %d records at %.0f B each." % (js["devices"], js["openBytesPerDevice"],
                                                js["cachedRecords"], js["bytesPerCachedRecord"]))
        w("")

print("\n".join(out))
