#!/usr/bin/env python3
"""The side-by-side gateway table (bench/gateway.sh): reads <prefix>.<target>-<n>.json and
<prefix>.meta.json for each prefix given (a later prefix's result replaces an earlier one's for the
same target and size), prints Markdown: the measurements, then each target of issue 15 item 6 as a
ratio (reported, not asserted)."""
import glob, json, math, os, re, sys

metas, runs = [], {}
for prefix in sys.argv[1:]:
    if os.path.exists(prefix + ".meta.json"):
        metas.append((prefix, json.load(open(prefix + ".meta.json"))))
    for p in glob.glob(prefix + ".*-*.json"):
        m = re.match(re.escape(prefix) + r"\.(json|sqlite|openclaw)-(\d+)\.json$", p)
        if m:
            runs[(m.group(1), int(m.group(2)))] = json.load(open(p))
names = {"json": "Pairgate, store-json", "sqlite": "Pairgate, SQLite", "openclaw": "OpenClaw 2026.6.10"}
PENDING_CAP, REMOTE_CAP = 1000, 900  # core's defaults: maxPending, minus the local reserve


def num(v, fmt="{:,.0f}"):
    if v is None or isinstance(v, str) or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return fmt.format(v)


def get(r, *path):
    for k in path:
        if not isinstance(r, dict) or k not in r:
            return None
        r = r[k]
    return r


def rate(t, n):
    return get(runs.get((t, n), {}), "quiet", "perSecond")


print("## Side-by-side gateway benchmark\n")
for prefix, meta in metas:
    print("- `%s` (%s run): %s, commit `%s`%s; %s (%s CPUs), %s, Linux %s; %s. "
          "Load average %s → %s; %s s." % (
              os.path.basename(prefix), meta.get("mode"), meta.get("date"), meta.get("commit"),
              " (+%d uncommitted files)" % meta["uncommittedFiles"]
              if meta.get("uncommittedFiles") else "",
              meta.get("cpu"), meta.get("cpus"), meta.get("memory"), meta.get("kernel"),
              meta.get("java"), meta.get("loadStart"), meta.get("loadEnd"),
              meta.get("wallSeconds")))
print()
print("| devices | gateway | ready s | paired reconnects/s | p50 ms | p99 ms | p99 under storm ms "
      "| storm knocks answered/s (sent) | pending after storm | approve p50 ms | RSS MiB (peak) "
      "| BC verify/s | reconnects / verify | gateway CPU ms / reconnect |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (t, n) in sorted(runs, key=lambda k: (k[1], ["json", "sqlite", "openclaw"].index(k[0]))):
    r = runs[(t, n)]
    if not r.get("loaded"):
        print("| %s | %s | not loaded in %s s (%s) | | | | | | | | | | | |" % (
            num(n), names[t], num(r.get("readySeconds")), r.get("notLoadedReason")))
        continue
    q, s, k = r.get("quiet", {}), r.get("storm", {}), r.get("stormKnocks", {})
    errs = sum(q.get("errors", {}).values())
    ready = num(r.get("readySeconds"), "{:.1f}")
    if r.get("importSeconds") is not None:
        ready += " (import %s%s)" % (num(r["importSeconds"], "{:.0f} s"),
                                     "" if r.get("importMethod", "pairgate store import-openclaw")
                                     == "pairgate store import-openclaw" else ", " + r["importMethod"])
    print("| %s | %s | %s | %s%s | %s | %s | %s | %s | %s | %s | %s (%s) | %s | %s | %s |" % (
        num(n), names[t], ready, num(q.get("perSecond"), "{:,.1f}"),
        " (%d errors)" % errs if errs else "", num(q.get("p50Ms"), "{:.1f}"),
        num(q.get("p99Ms"), "{:.1f}"), num(s.get("p99Ms"), "{:.1f}"),
        "%s (%s)" % (num(k.get("answeredPerSecond"), "{:,.1f}"), num(k.get("sent"))),
        num(r.get("pendingAfterStorm")),
        num(get(r, "approve", "p50Ms"), "{:.2f}"), num(get(r, "rss", "rssMiB")),
        num(get(r, "rss", "hwmMiB")), num(r.get("bcVerifyPerSecond")),
        num((q.get("perSecond") or 0) / r["bcVerifyPerSecond"], "{:.3f}")
        if r.get("bcVerifyPerSecond") else "–", num(q.get("gatewayCpuMsPerOk"), "{:.1f}")))

print("\n### Targets (issue 15 item 6; reported, not asserted)\n")
print("| target | store | measured | verdict |")
print("|---|---|---|---|")


def row(target, store, measured, ok):
    print("| %s | %s | %s | %s |" % (target, store, measured,
                                    "n/a" if ok is None else ("**met**" if ok else "**NOT met**")))


sizes = sorted({n for (_, n) in runs})
big = max(sizes) if sizes else None
mid = 10000 if 10000 in sizes else (sorted(sizes)[-1] if sizes else None)
small = min(sizes) if sizes else None
for t in ("json", "sqlite"):
    oc = rate("openclaw", mid)
    pg = rate(t, mid)
    if pg is not None and oc:
        row("paired reconnects/s ≥ 50 × OpenClaw at %s devices" % num(mid), names[t],
            "%s / %s = %.1f ×" % (num(pg, "{:,.1f}"), num(oc, "{:,.2f}"), pg / oc), pg / oc >= 50)
    elif pg is not None:
        row("paired reconnects/s ≥ 50 × OpenClaw at %s devices" % num(mid), names[t],
            "OpenClaw: no rate at %s devices" % num(mid), None)
    oc_cpu = get(runs.get(("openclaw", mid), {}), "quiet", "gatewayCpuMsPerOk")
    pg_cpu = get(runs.get((t, mid), {}), "quiet", "gatewayCpuMsPerOk")
    if oc_cpu and pg_cpu:
        row("same, by gateway CPU per reconnect (less load-dependent), %s devices" % num(mid),
            names[t], "%.1f / %.1f ms = %.1f ×" % (oc_cpu, pg_cpu, oc_cpu / pg_cpu),
            oc_cpu / pg_cpu >= 50)
for t in ("json", "sqlite"):
    for n in sizes:
        r = runs.get((t, n))
        if r and r.get("loaded") and r.get("bcVerifyPerSecond"):
            x = r["quiet"]["perSecond"] / r["bcVerifyPerSecond"]
            row("paired reconnects/s ≥ 0.25 × BC decode+verify (1 thread), %s devices" % num(n),
                names[t], "%s / %s = %.3f" % (num(r["quiet"]["perSecond"], "{:,.1f}"),
                                               num(r["bcVerifyPerSecond"]), x), x >= 0.25)
for t in ("json", "sqlite", "openclaw"):
    for n in sizes:
        r = runs.get((t, n))
        if r and r.get("loaded") and isinstance(get(r, "quiet", "p99Ms"), (int, float)) \
                and isinstance(get(r, "storm", "p99Ms"), (int, float)):
            x = r["storm"]["p99Ms"] / r["quiet"]["p99Ms"]
            pend = r.get("pendingAfterStorm")
            # the storm's knocks come from remote peers, so their cap is the remote share
            within = None if t == "openclaw" else pend is not None and pend <= REMOTE_CAP
            row("storm: paired p99 ≤ 2 × quiet, %s devices" % num(n), names[t],
                "%.1f / %.1f ms = %.2f ×" % (r["storm"]["p99Ms"], r["quiet"]["p99Ms"], x),
                x <= 2 if t != "openclaw" else None)
            row("storm: pending set within its caps, %s devices" % num(n), names[t],
                "%s pending after storm%s" % (num(pend), "" if t == "openclaw" else
                                             " (caps: %d, %d for remote peers, 16 per address)"
                                             % (PENDING_CAP, REMOTE_CAP)), within)
if big and small and big != small:
    for t in ("json", "sqlite"):
        a, b = rate(t, big), rate(t, small)
        if a is not None and b:
            row("%s devices ≥ 0.8 × own rate at %s" % (num(big), num(small)), names[t],
                "%s / %s = %.2f" % (num(a, "{:,.1f}"), num(b, "{:,.1f}"), a / b), a / b >= 0.8)
if big:
    for t in ("json", "sqlite"):
        r = runs.get((t, big))
        if r and r.get("loaded"):
            a = get(r, "approve", "p50Ms")
            row("approve round trip ≤ 2 ms at %s devices" % num(big), names[t],
                "p50 %s ms (%s approvals)" % (num(a, "{:.2f}"), get(r, "approve", "ok")),
                a is not None and not math.isnan(a) and a <= 2)
            m = get(r, "rss", "rssMiB")
            row("RSS ≤ 256 MiB at %s devices" % num(big), names[t],
                "%s MiB at the end (peak %s)" % (num(m), num(get(r, "rss", "hwmMiB"))),
                m is not None and m <= 256)
