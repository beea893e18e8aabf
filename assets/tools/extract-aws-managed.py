#!/usr/bin/env python3
"""Build assets/aws-managed-policies.json from `aws iam get-account-authorization-details` exports.

Usage:
    extract-aws-managed.py [--exclude ARN ...] -o OUTPUT.json EXPORT.json [EXPORT.json ...]

Every entry of each export's "Policies" list whose Arn starts with
"arn:aws:iam::aws:policy/" is taken; the document is the one of the default
version (the version whose VersionId equals DefaultVersionId, else the one
flagged IsDefaultVersion). Documents may be JSON objects (AWS CLI v2) or
URL-encoded strings (raw API / CLI v1 with some settings). Policies are
de-duplicated by Arn: the entry with the highest numeric DefaultVersionId wins,
ties go to the first file given. Output: a JSON array sorted by Arn of
{"PolicyName", "Arn", "Path", "DefaultVersionId", "Document"}.

Standard library only.
"""
import argparse
import json
import sys
import urllib.parse

PREFIX = "arn:aws:iam::aws:policy/"


def load_document(doc):
    if isinstance(doc, str):
        text = doc
        if text.lstrip().startswith("%7B") or "%22" in text:
            text = urllib.parse.unquote(text)
        return json.loads(text)
    return doc


def version_number(vid):
    try:
        return int(str(vid).lstrip("vV"))
    except ValueError:
        return -1


def default_document(policy):
    versions = policy.get("PolicyVersionList") or []
    default_id = policy.get("DefaultVersionId")
    chosen = [v for v in versions if v.get("VersionId") == default_id]
    if not chosen:
        chosen = [v for v in versions if v.get("IsDefaultVersion")]
    if not chosen:
        return None, None
    v = chosen[0]
    return v.get("VersionId"), load_document(v.get("Document"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("exports", nargs="+", help="authorization-details JSON files")
    ap.add_argument("-o", "--output", required=True, help="where to write the JSON array")
    ap.add_argument("--exclude", action="append", default=[], metavar="ARN",
                    help="leave out this ARN (e.g. a fictional policy in test data); repeatable")
    args = ap.parse_args(argv)

    found = {}
    order = []
    for path in args.exports:
        with open(path, encoding="utf-8") as f:
            export = json.load(f)
        for policy in export.get("Policies") or []:
            arn = policy.get("Arn", "")
            if not arn.startswith(PREFIX) or arn in args.exclude:
                continue
            vid, document = default_document(policy)
            if document is None:
                print(f"warning: {path}: {arn} has no default version document; skipped", file=sys.stderr)
                continue
            entry = {
                "PolicyName": policy.get("PolicyName") or arn.rsplit("/", 1)[-1],
                "Arn": arn,
                "Path": policy.get("Path") or "/",
                "DefaultVersionId": policy.get("DefaultVersionId") or vid,
                "Document": document,
            }
            old = found.get(arn)
            if old is None:
                order.append(arn)
                found[arn] = (entry, path)
            elif version_number(entry["DefaultVersionId"]) > version_number(old[0]["DefaultVersionId"]):
                print(f"note: {arn}: {path} ({entry['DefaultVersionId']}) replaces "
                      f"{old[1]} ({old[0]['DefaultVersionId']})", file=sys.stderr)
                found[arn] = (entry, path)

    result = [found[arn][0] for arn in sorted(found)]
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(result)} AWS-managed policies to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
