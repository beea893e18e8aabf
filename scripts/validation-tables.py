#!/usr/bin/env python3
"""Regenerate the check tables of docs/validation.md from src/diagnostic/codes.rs (the section between
"## Every check" and "## Command line"). tests/it/validate_checks.rs and tests/it/validate_aa.rs assert that
the tables agree with the registry, so run this after adding a check."""
import re, sys, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
reg = (root / "src/diagnostic/codes.rs").read_text()
aa_cases = (root / "tests/it/validate_aa.rs").read_text()

aa = {}  # code -> type
for kind, body in re.findall(r"    (Error|SecurityWarning|Suggestion|Warning): \[(.*?)\];", reg, re.S):
    t = {"Error": "ERROR", "SecurityWarning": "SECURITY_WARNING", "Suggestion": "SUGGESTION", "Warning": "WARNING"}[kind]
    for c in re.findall(r"[A-Z][A-Z0-9_]+", body):
        aa[c] = t
checks = []
for code, sev, group, summary, rep in re.findall(
    r'^    ([A-Z][A-Z0-9_]+): ([ESGW]), "([\w-]+)", "((?:[^"\\]|\\.)*)"(?: => ([A-Z0-9_ |]+))?;$', reg, re.M
):
    checks.append((code, sev, group, summary.replace('\\"', '"'), [r.strip() for r in rep.split("|")] if rep else []))
sevname = {"E": "error", "S": "security warning", "W": "warning", "G": "suggestion"}
groups = [
    ("parse", "Parsing (src/policy.rs)"),
    ("grammar", "Grammar"),
    ("catalog", "Actions and the catalog"),
    ("resource", "Resources and ARNs"),
    ("principal", "Principals"),
    ("condition", "Conditions"),
    ("variable", "Policy variables"),
    ("security", "Security"),
    ("hygiene", "Hygiene and size quotas"),
    ("load", "What the loader met (`validate --snapshot`, `summary`, `audit`)"),
    ("what-if", "What-if edits (`Apply to model`, `replay --what-if`, `diff`'s blast radius)"),
]
why = {
    "CONFIRM_AUDIENCE_CLAIM_TYPE": "its section of the reference could not be read in full when this was built; not guessed",
    "UNSUPPORTED_RESOURCE_ARN_IN_POLICY": "needs the resource type the policy is attached to; `PolicyKind::Resource` knows only its service",
}
out = []
n_parse = sum(1 for c in checks if c[2] == "parse")
out.append("## Every check\n")
out.append(
    f"{len(checks)} checks: {n_parse} are reported by the parser (`src/policy.rs`), the rest by `src/validate/`. "
    "A finding's `code` is IAM Access Analyzer's issue code where Access Analyzer has the check (the *reported as* "
    "column; a check whose row names several reports the first by default and the others by policy type or "
    "element); the project's own code is then kept in `subcode`. Checks Access Analyzer does not have report their "
    "own code. The registry (`src/diagnostic/codes.rs`) turns both lists into enums, so a check cannot report an "
    "unregistered code; this section is written from it by `scripts/validation-tables.py`.\n"
)
out.append(
    "Each check has a case that fires and one that stays quiet, in `tests/it/validate_checks.rs` (asserting on the "
    "underlined text) or, for the checks added for Access Analyzer's codes, in `tests/it/validate_aa.rs`.\n"
)
for g, title in groups:
    out.append(f"### {title}\n")
    out.append("| code | severity | reported as | meaning |")
    out.append("|---|---|---|---|")
    for code, sev, group, summary, rep in checks:
        if group != g:
            continue
        r = ", ".join(f"`{x}`" for x in rep) if rep else "—"
        out.append(f"| `{code}` | {sevname[sev]} | {r} | {summary} |")
    out.append("")
out.append("## Access Analyzer's issue codes\n")
sup = sum(1 for c in aa if any(c in ch[4] for ch in checks))
out.append(
    f"Every issue code of Access Analyzer's policy check reference "
    "(<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>), with its "
    f"finding type, which JSON and SARIF output carry as `access_analyzer_type`: {sup} of {len(aa)} are reported. "
    "The test of each is a policy written to raise it and a quiet twin (`tests/it/validate_aa.rs`, or the check's "
    "cases in `tests/it/validate_checks.rs`); `the_access_analyzer_table_matches_the_registry` asserts this table. "
    "Severity stays this project's rule (an error only when AWS rejects the document or the element cannot work), "
    "so a CI can gate on either. Finding types follow the reference's section titles (`Error – …`, `Security "
    "Warning – …`, `Suggestion – …`, `Warning – …`). When this table was built the reference could be read only "
    "in excerpts (its table of contents up to the errors, and the first sections): the types and triggers of the "
    "later sections are the reference as remembered, and the triggers listed under *Known limits* are the "
    "conservative reading of the finding's message. Check them against the page when it can be read in full.\n"
)
out.append("| code | finding type | supported | checks | test or reason |")
out.append("|---|---|---|---|---|")
for code, t in aa.items():
    by = [ch[0] for ch in checks if code in ch[4]]
    if by:
        test = "`validate_aa`" if f'"{code}",\n' in aa_cases.split("const ISSUE_14")[0] or f'case(\n            "{code}"' in aa_cases else "`validate_checks`"
        out.append(f"| `{code}` | {t} | yes | {', '.join(f'`{b}`' for b in by)} | {test} |")
    else:
        out.append(f"| `{code}` | {t} | no | — | {why.get(code, 'not implemented')} |")
out.append("")
doc = (root / "docs/validation.md").read_text()
a = doc.index("## Every check")
b = doc.index("## Command line")
(root / "docs/validation.md").write_text(doc[:a] + "\n".join(out) + "\n" + doc[b:])
print(f"{len(checks)} checks, {len(aa)} Access Analyzer codes, {sup} supported")
