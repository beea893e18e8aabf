#!/usr/bin/env python3
"""Time parliament on the same ~10 KB policy IAM Atlas's validation benchmark uses, and compare findings.

Usage:
    cargo bench --no-default-features --bench validate   # writes target/bench-data/policy-10k.json
    pip install parliament
    python3 scripts/compare-parliament.py [POLICY.json] [--atlas PATH-TO-iam-atlas]

Times `parliament.analyze_policy_string` in-process with `timeit` (best-of and median per call), prints
parliament's findings by issue, and, when an `iam-atlas` binary is found, IAM Atlas's findings on the same file
(`iam-atlas validate --type identity --format json`; IAM Atlas's own timing is in the Rust benchmark).
"""

import collections
import json
import os
import statistics
import subprocess
import sys
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> int:
    args = sys.argv[1:]
    atlas = None
    if "--atlas" in args:
        i = args.index("--atlas")
        atlas = args[i + 1]
        del args[i : i + 2]
    path = args[0] if args else os.path.join(ROOT, "target", "bench-data", "policy-10k.json")
    if not os.path.exists(path):
        print(f"{path} not found: run `cargo bench --no-default-features --bench validate` first", file=sys.stderr)
        return 2
    with open(path, encoding="utf-8") as f:
        text = f.read()

    try:
        import parliament
        from parliament import analyze_policy_string
    except ImportError:
        print("parliament is not installed: pip install parliament", file=sys.stderr)
        return 2

    # Warm up (parliament loads its IAM definitions on import and caches lookups).
    policy = analyze_policy_string(text)
    timer = timeit.Timer(lambda: analyze_policy_string(text))
    number = 5
    runs = [t / number for t in timer.repeat(repeat=15, number=number)]
    print(f"policy: {path} ({len(text)} bytes)")
    print(f"parliament {getattr(parliament, '__version__', '?')}: analyze_policy_string "
          f"best {min(runs) * 1e3:.3f} ms, median {statistics.median(runs) * 1e3:.3f} ms")
    counts = collections.Counter(f.issue for f in policy.findings)
    print(f"parliament findings: {len(policy.findings)} {dict(counts)}")
    for f in policy.findings:
        detail = str(getattr(f, "detail", ""))
        print(f"  {f.issue}: {detail[:120]}")

    exe = atlas or next(
        (p for p in (os.path.join(ROOT, "target", "release", "iam-atlas"), os.path.join(ROOT, "target", "debug", "iam-atlas")) if os.path.exists(p)),
        None,
    )
    if exe:
        out = subprocess.run([exe, "validate", "--type", "identity", "--format", "json", path], capture_output=True, text=True)
        try:
            report = json.loads(out.stdout)
        except json.JSONDecodeError:
            print(f"iam-atlas gave no JSON: {out.stderr.strip()}", file=sys.stderr)
            return 1
        diags = report["documents"][0]["diagnostics"]
        counts = collections.Counter(d["code"] for d in diags)
        print(f"iam-atlas findings: {len(diags)} {dict(counts)} (as a managed policy; the benchmark validates it as a role inline policy, without the size error)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
