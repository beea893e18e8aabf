#!/usr/bin/env python3
"""Consistency check for the bundled Larkspur Labs sample organisation.

Usage:
    check-sample.py [--assets DIR] [-v]

DIR defaults to the assets/ folder this script lives under. Loads every file
of sample/, checks shapes and cross-references, re-derives every expected
decision of sample/teaching-cases.json with a small reference evaluator of
AWS's documented policy evaluation logic, and, when catalog/catalog.json is
present, checks that every action and condition key written in the sample
exists in the catalogue. Exits non-zero on the first batch of errors.
Standard library only.
"""
import argparse
import csv
import ipaddress
import json
import os
import re
import sys
from datetime import datetime

ERRORS = []
VERBOSE = False


def err(msg):
    ERRORS.append(msg)


def check(cond, msg):
    if not cond:
        err(msg)
    return cond


def aslist(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except Exception as e:  # noqa: BLE001
        err(f"{path}: cannot load JSON: {e}")
        return None


# ---------------------------------------------------------------- formats
ID_RE = re.compile(r"^[A-Z0-9]{21}$")
TS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
ACCT_RE = re.compile(r"^\d{12}$")
SNAPSHOT = datetime.fromisoformat("2026-11-20T23:59:59+00:00")


def check_ts(value, where):
    if check(isinstance(value, str) and TS_RE.match(value), f"{where}: bad timestamp {value!r}"):
        check(datetime.fromisoformat(value) <= SNAPSHOT, f"{where}: {value} is after the 2026-11-20 snapshot")


def check_doc(d, where, resource_policy=False):
    if not check(isinstance(d, dict), f"{where}: policy document is not an object"):
        return
    check(d.get("Version") in ("2012-10-17", "2008-10-17"), f"{where}: Version {d.get('Version')!r}")
    stmts = aslist(d.get("Statement"))
    check(stmts, f"{where}: no statements")
    for i, s in enumerate(stmts):
        w = f"{where} statement {i}"
        check(s.get("Effect") in ("Allow", "Deny"), f"{w}: Effect {s.get('Effect')!r}")
        check(("Action" in s) != ("NotAction" in s), f"{w}: needs exactly one of Action/NotAction")
        if resource_policy:
            check("Principal" in s or "NotPrincipal" in s, f"{w}: resource policy statement without Principal")


# ---------------------------------------------------------------- evaluator
def glob_to_re(pattern):
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return "^" + "".join(out) + "$"


def glob(pattern, value, ci=False):
    return re.match(glob_to_re(pattern), value, (re.I if ci else 0) | re.S) is not None


VAR_RE = re.compile(r"\$\{([^}]+)\}")


def subst(text, ctx, version):
    """Replace ${key} policy variables; None if a variable cannot be resolved."""
    if version != "2012-10-17" or "${" not in text:
        return text
    missing = []

    def rep(m):
        k = m.group(1)
        if k in ("*", "?", "$"):
            return k
        vals = ctx.get(k.lower())
        if not vals:
            missing.append(k)
            return ""
        return vals[0]

    out = VAR_RE.sub(rep, text)
    return None if missing else out


NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike",
           "NotIpAddress", "NumericNotEquals", "DateNotEquals"}
POSITIVE_OF = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
               "StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike",
               "NotIpAddress": "IpAddress", "NumericNotEquals": "NumericEquals", "DateNotEquals": "DateEquals"}


def parse_date(s):
    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    return datetime.fromisoformat(s)


def compare(op, ctx_value, pol_value):
    if op == "StringEquals":
        return ctx_value == pol_value
    if op == "StringEqualsIgnoreCase":
        return ctx_value.lower() == pol_value.lower()
    if op in ("StringLike", "ArnLike", "ArnEquals"):
        return glob(pol_value, ctx_value)
    if op == "Bool":
        return ctx_value.lower() == pol_value.lower()
    if op.startswith("Numeric"):
        a, b = float(ctx_value), float(pol_value)
        return {"NumericEquals": a == b, "NumericLessThan": a < b, "NumericLessThanEquals": a <= b,
                "NumericGreaterThan": a > b, "NumericGreaterThanEquals": a >= b}[op]
    if op.startswith("Date"):
        a, b = parse_date(ctx_value), parse_date(pol_value)
        return {"DateEquals": a == b, "DateLessThan": a < b, "DateLessThanEquals": a <= b,
                "DateGreaterThan": a > b, "DateGreaterThanEquals": a >= b}[op]
    if op == "IpAddress":
        return ipaddress.ip_address(ctx_value) in ipaddress.ip_network(pol_value, strict=False)
    raise ValueError(f"unsupported condition operator {op}")


def eval_operator(op, key, values, ctx, version):
    qualifier = None
    if ":" in op:
        qualifier, op = op.split(":", 1)
    if_exists = op.endswith("IfExists")
    if if_exists:
        op = op[: -len("IfExists")]
    # A key given with no values is absent (`"aws:MultiFactorAuthPresent": []`: an access key's request).
    cvals = ctx.get(key.lower()) or None
    values = [str(v).lower() if isinstance(v, bool) else str(v) for v in aslist(values)]
    if op == "Null":
        want_absent = values[0].lower() == "true"
        return (cvals is None) == want_absent
    if cvals is None:
        if if_exists or qualifier == "ForAllValues":
            return True
        return op in NEGATED
    negated = op in NEGATED
    base = POSITIVE_OF.get(op, op)
    pvals = [subst(v, ctx, version) for v in values]
    pvals = [v for v in pvals if v is not None]

    def one(cv):
        return any(compare(base, cv, pv) for pv in pvals)

    if qualifier == "ForAllValues":
        res = all(one(cv) for cv in cvals)
        return (not res) if negated else res
    hit = any(one(cv) for cv in cvals)
    return (not hit) if negated else hit


def conditions_hold(cond, ctx, version):
    for op, kv in (cond or {}).items():
        for key, vals in kv.items():
            if not eval_operator(op, key, vals, ctx, version):
                return False
    return True


def principal_match(stmt, p_arn, p_acct):
    """'direct' if the statement names the principal (or *), 'account' if it names its account."""
    if "NotPrincipal" in stmt:
        return None  # not used in the sample
    pr = stmt.get("Principal")
    if pr == "*":
        return "direct"
    if not isinstance(pr, dict):
        return None
    best = None
    for a in aslist(pr.get("AWS")):
        if a == "*" or a == p_arn:
            return "direct"
        if a in (f"arn:aws:iam::{p_acct}:root", p_acct):
            best = "account"
    return best


def statement_applies(stmt, action, resource, ctx, version, principal=None):
    if "Action" in stmt:
        if not any(glob(a, action, ci=True) for a in aslist(stmt["Action"])):
            return False
    elif "NotAction" in stmt:
        if any(glob(a, action, ci=True) for a in aslist(stmt["NotAction"])):
            return False
    if "Resource" in stmt or "NotResource" in stmt:
        pats = [subst(r, ctx, version) for r in aslist(stmt.get("Resource", stmt.get("NotResource")))]
        hit = any(p is not None and glob(p, resource) for p in pats)
        if ("Resource" in stmt) != hit:
            return False
    if principal is not None and principal_match(stmt, *principal) is None:
        return False
    return conditions_hold(stmt.get("Condition"), ctx, version)


def matching(docs, effect, action, resource, ctx, principal=None):
    out = []
    for label, d in docs:
        if d is None:  # unresolvable policy: already reported
            continue
        for i, s in enumerate(aslist(d.get("Statement"))):
            if s.get("Effect") == effect and statement_applies(s, action, resource, ctx, d.get("Version"),
                                                               principal):
                out.append((label, s.get("Sid", f"#{i}"), s))
    return out


class Sample:
    def __init__(self, root):
        self.root = root
        self.ws = load_json(os.path.join(root, "workspace.json"))
        self.files = {}
        self.exports = {}
        self.resource_policies = {}  # arn -> (label, doc)
        self.managed_bundle = {}

    def path(self, rel):
        return os.path.join(self.root, rel)

    def org_doc(self, rel):
        obj = self.files.get(rel)
        return json.loads(obj["Policy"]["Content"]) if obj else None

    # org chain ----------------------------------------------------
    def chain(self, acct, kind):
        """List of levels (root..account), each a list of (label, doc)."""
        org = self.ws["organization"]
        if acct == org["management_account"]:
            return None

        def walk(node, trail):
            trail = trail + [node]
            if acct in node.get("accounts", []):
                return trail
            for c in node.get("children", []):
                t = walk(c, trail)
                if t:
                    return t
            return None

        trail = walk(org["root"], [])
        if trail is None:
            return None
        acc_entry = next(a for a in self.ws["accounts"] if a["id"] == acct)
        levels = []
        for node in trail:
            levels.append([(f"{kind.upper()} {os.path.basename(f)} @ {node['name']}", self.org_doc(f))
                           for f in node.get(kind, [])])
        levels.append([(f"{kind.upper()} {os.path.basename(f)} @ account {acct}", self.org_doc(f))
                       for f in acc_entry.get(kind, [])])
        return levels

    # identities ---------------------------------------------------
    def policy_doc(self, export, arn):
        for p in export["Policies"]:
            if p["Arn"] == arn:
                v = [v for v in p["PolicyVersionList"] if v["VersionId"] == p["DefaultVersionId"]][0]
                return v["Document"]
        return self.managed_bundle.get(arn)

    def principal(self, arn):
        acct = arn.split(":")[4]
        export = self.exports.get(acct)
        if export is None:
            return None
        for u in export["UserDetailList"]:
            if u["Arn"] == arn:
                docs = [(f"user inline {p['PolicyName']}", p["PolicyDocument"]) for p in u["UserPolicyList"]]
                docs += [(f"managed {a['PolicyName']}", self.policy_doc(export, a["PolicyArn"]))
                         for a in u["AttachedManagedPolicies"]]
                for gname in u["GroupList"]:
                    g = next(g for g in export["GroupDetailList"] if g["GroupName"] == gname)
                    docs += [(f"group {gname} inline {p['PolicyName']}", p["PolicyDocument"])
                             for p in g["GroupPolicyList"]]
                    docs += [(f"group {gname} managed {a['PolicyName']}", self.policy_doc(export, a["PolicyArn"]))
                             for a in g["AttachedManagedPolicies"]]
                return {"kind": "user", "entity": u, "docs": docs, "boundary": self.boundary(export, u)}
        for r in export["RoleDetailList"]:
            if r["Arn"] == arn:
                docs = [(f"role inline {p['PolicyName']}", p["PolicyDocument"]) for p in r["RolePolicyList"]]
                docs += [(f"managed {a['PolicyName']}", self.policy_doc(export, a["PolicyArn"]))
                         for a in r["AttachedManagedPolicies"]]
                return {"kind": "role", "entity": r, "docs": docs, "boundary": self.boundary(export, r)}
        return None

    def boundary(self, export, entity):
        b = entity.get("PermissionsBoundary")
        if not b:
            return None
        return ("boundary " + b["PermissionsBoundaryArn"].rsplit("/", 1)[-1],
                self.policy_doc(export, b["PermissionsBoundaryArn"]))

    def resource_policy(self, action, resource, resource_account):
        if action.lower().startswith("sts:assumerole"):
            export = self.exports.get(resource_account)
            for r in (export or {}).get("RoleDetailList", []):
                if r["Arn"] == resource:
                    return (f"trust policy of {r['RoleName']}", r["AssumeRolePolicyDocument"])
            return None
        if resource.startswith("arn:aws:s3:::"):
            bucket = "arn:aws:s3:::" + resource[len("arn:aws:s3:::"):].split("/", 1)[0]
            return self.resource_policies.get(bucket)
        return self.resource_policies.get(resource)

    def derived_context(self, p_arn):
        acct = p_arn.split(":")[4]
        ctx = {"aws:principalarn": [p_arn], "aws:principalaccount": [acct],
               "aws:principalisawsservice": ["false"]}
        if any(a["id"] == acct for a in self.ws["accounts"]):
            ctx["aws:principalorgid"] = [self.ws["organization"]["id"]]
        pr = self.principal(p_arn)
        if pr:
            for t in pr["entity"].get("Tags", []):
                ctx[f"aws:principaltag/{t['Key']}".lower()] = [t["Value"]]
            if pr["kind"] == "user":
                ctx["aws:username"] = [pr["entity"]["UserName"]]
        return ctx

    def evaluate(self, case, derive=False):
        p_arn, action, resource = case["principal"], case["action"], case["resource"]
        p_acct = p_arn.split(":")[4]
        r_acct = case["resource_account"]
        ctx = {}
        if derive:
            ctx.update(self.derived_context(p_arn))
        ctx.update({k.lower(): aslist(v) for k, v in case.get("context", {}).items()})
        pr = self.principal(p_arn)
        idocs = pr["docs"] if pr else []
        boundary = pr["boundary"] if pr else None
        scps = self.chain(p_acct, "scps") or []
        rcps = self.chain(r_acct, "rcps") or []
        res = self.resource_policy(action, resource, r_acct)
        who = (p_arn, p_acct)
        trail = []

        # 1. explicit deny anywhere
        denies = matching(idocs + ([boundary] if boundary else []) + [d for lvl in scps for d in lvl],
                          "Deny", action, resource, ctx)
        denies += matching([d for lvl in rcps for d in lvl] + ([res] if res else []), "Deny", action, resource,
                           ctx, who)
        if denies:
            return "ExplicitDeny", [f"{l}: {s}" for l, s, _ in denies]
        # 2. every SCP level (principal's account) and RCP level (resource's account) must allow
        for lvl in scps:
            if not matching(lvl, "Allow", action, resource, ctx):
                return "ImplicitDeny", [f"no SCP allow at {lvl[0][0] if lvl else '?'}"]
        for lvl in rcps:
            if not matching(lvl, "Allow", action, resource, ctx, who):
                return "ImplicitDeny", [f"no RCP allow at {lvl[0][0] if lvl else '?'}"]
        # 3. allows
        id_allow = matching(idocs, "Allow", action, resource, ctx)
        b_ok = boundary is None or bool(matching([boundary], "Allow", action, resource, ctx))
        res_allow = None
        if res:
            for label, sid, s in matching([res], "Allow", action, resource, ctx, who):
                kind = principal_match(s, *who)
                trail.append(f"{label}: {sid} ({kind})")
                if kind == "direct" or res_allow is None:
                    res_allow = kind
        trail += [f"{l}: {s}" for l, s, _ in id_allow]
        if not b_ok:
            trail.append(f"{boundary[0]} does not allow")
        needs_res = action.lower().startswith("sts:assumerole") or action.lower().startswith("kms:")
        if p_acct == r_acct:
            if res_allow == "direct" and (pr is None or pr["kind"] == "user" or b_ok):
                return "Allow", trail
            if id_allow and b_ok and (res_allow or not needs_res):
                return "Allow", trail
            return "ImplicitDeny", trail
        if id_allow and b_ok and res_allow:
            return "Allow", trail
        return "ImplicitDeny", trail


# ---------------------------------------------------------------- checks
def check_org(s):
    ws = s.ws
    check(ws.get("format") == "iam-atlas-workspace/1", "workspace: format")
    org = ws["organization"]
    ids = [a["id"] for a in ws["accounts"]]
    check(len(ids) == len(set(ids)), "workspace: duplicate account ids")
    check(org["management_account"] in ids, "workspace: management account not in accounts")
    seen_accounts = []

    def load_policy(rel, kind, where):
        if rel in s.files:
            return
        obj = load_json(s.path(rel))
        if obj is None:
            return
        s.files[rel] = obj
        summ = obj["Policy"]["PolicySummary"]
        want = "SERVICE_CONTROL_POLICY" if kind == "scps" else "RESOURCE_CONTROL_POLICY"
        check(summ["Type"] == want, f"{rel}: Type {summ['Type']} listed under {kind} at {where}")
        check(isinstance(obj["Policy"]["Content"], str), f"{rel}: Content must be a JSON string")
        d = json.loads(obj["Policy"]["Content"])
        check_doc(d, rel, resource_policy=(kind == "rcps"))
        if summ["AwsManaged"]:
            seg = "service_control_policy" if kind == "scps" else "resource_control_policy"
            check(summ["Arn"] == f"arn:aws:organizations::aws:policy/{seg}/{summ['Id']}", f"{rel}: Arn")
        else:
            check(re.match(r"^p-[0-9a-z]{8,128}$", summ["Id"]) is not None, f"{rel}: Id {summ['Id']}")
            seg = "service_control_policy" if kind == "scps" else "resource_control_policy"
            check(summ["Arn"] == f"arn:aws:organizations::{org['management_account']}:policy/{org['id']}/{seg}/"
                  f"{summ['Id']}", f"{rel}: Arn {summ['Arn']}")

    def attached(entry, where):
        for kind in ("scps", "rcps"):
            lst = entry.get(kind, [])
            check(len(lst) >= 1, f"{where}: no {kind} attached (AWS requires at least one)")
            check(len(lst) == len(set(lst)), f"{where}: duplicate {kind}")
            for rel in lst:
                check(os.path.exists(s.path(rel)), f"{where}: missing {rel}")
                load_policy(rel, kind, where)

    def walk(node):
        attached(node, f"OU {node['name']}")
        seen_accounts.extend(node.get("accounts", []))
        for c in node.get("children", []):
            walk(c)

    walk(org["root"])
    check(sorted(seen_accounts) == sorted(ids), "workspace: accounts in the tree differ from accounts[]")
    for a in ws["accounts"]:
        attached(a, f"account {a['id']}")
        check(ACCT_RE.match(a["id"]) is not None, f"account id {a['id']}")
    # every file under org/ is referenced
    for fn in os.listdir(s.path("org")):
        check(f"org/{fn}" in s.files, f"org/{fn} is not referenced by workspace.json")


def check_export(s, acct, export, all_ids):
    where = f"{acct} authorization-details"
    for k in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        check(isinstance(export.get(k), list), f"{where}: {k} missing")
    policies = {p["Arn"]: p for p in export["Policies"]}
    attach_count = {a: 0 for a in policies}
    boundary_count = {a: 0 for a in policies}

    local_ids = set()

    def new_id(i, prefix, what, global_=True):
        """Ids are unique everywhere, except AWS-managed policy ids, which every account shares."""
        check(ID_RE.match(i or "") is not None and i.startswith(prefix), f"{where}: {what} id {i!r}")
        check(i not in local_ids, f"{where}: duplicate id {i}")
        local_ids.add(i)
        if global_:
            check(i not in all_ids, f"{where}: id {i} also used in another account")
            all_ids.add(i)

    def attached(lst, what):
        for a in lst:
            arn = a["PolicyArn"]
            if arn in policies:
                attach_count[arn] += 1
                check(policies[arn]["PolicyName"] == a["PolicyName"], f"{where}: {what} name of {arn}")
            else:
                check(arn in s.managed_bundle, f"{where}: {what} attaches unknown {arn}")
                err(f"{where}: {what} attaches {arn}, absent from Policies (a real export lists it)")

    def boundary(e, what):
        b = e.get("PermissionsBoundary")
        if b:
            check(b.get("PermissionsBoundaryType") == "Policy", f"{where}: {what} boundary type")
            arn = b["PermissionsBoundaryArn"]
            if check(arn in policies, f"{where}: {what} boundary {arn} not in Policies"):
                boundary_count[arn] += 1

    def path_arn(e, kind, name_key):
        check(e["Path"].startswith("/") and e["Path"].endswith("/"), f"{where}: path {e['Path']}")
        check(e["Arn"] == f"arn:aws:iam::{acct}:{kind}{e['Path']}{e[name_key]}", f"{where}: arn {e['Arn']}")

    groups = {g["GroupName"]: g for g in export["GroupDetailList"]}
    members = {g: 0 for g in groups}
    for u in export["UserDetailList"]:
        w = f"user {u['UserName']}"
        new_id(u["UserId"], "AIDA", w)
        path_arn(u, "user", "UserName")
        check_ts(u["CreateDate"], f"{where} {w}")
        for gname in u["GroupList"]:
            if check(gname in groups, f"{where}: {w} in unknown group {gname}"):
                members[gname] += 1
        for p in u["UserPolicyList"]:
            check_doc(p["PolicyDocument"], f"{where} {w} inline {p['PolicyName']}")
        attached(u["AttachedManagedPolicies"], w)
        boundary(u, w)
    for g in export["GroupDetailList"]:
        w = f"group {g['GroupName']}"
        new_id(g["GroupId"], "AGPA", w)
        path_arn(g, "group", "GroupName")
        check_ts(g["CreateDate"], f"{where} {w}")
        check(members[g["GroupName"]] > 0, f"{where}: {w} has no members")
        for p in g["GroupPolicyList"]:
            check_doc(p["PolicyDocument"], f"{where} {w} inline {p['PolicyName']}")
        attached(g["AttachedManagedPolicies"], w)
    roles = {r["Arn"]: r for r in export["RoleDetailList"]}
    for r in export["RoleDetailList"]:
        w = f"role {r['RoleName']}"
        new_id(r["RoleId"], "AROA", w)
        path_arn(r, "role", "RoleName")
        check_ts(r["CreateDate"], f"{where} {w}")
        check_doc(r["AssumeRolePolicyDocument"], f"{where} {w} trust", resource_policy=True)
        for p in r["RolePolicyList"]:
            check_doc(p["PolicyDocument"], f"{where} {w} inline {p['PolicyName']}")
        attached(r["AttachedManagedPolicies"], w)
        boundary(r, w)
        if r.get("RoleLastUsed"):
            check_ts(r["RoleLastUsed"]["LastUsedDate"], f"{where} {w} RoleLastUsed")
        for ip in r["InstanceProfileList"]:
            new_id(ip["InstanceProfileId"], "AIPA", f"{w} instance profile")
            check(ip["Arn"] == f"arn:aws:iam::{acct}:instance-profile{ip['Path']}{ip['InstanceProfileName']}",
                  f"{where}: instance profile arn {ip['Arn']}")
            for nested in ip["Roles"]:
                check(nested["Arn"] in roles, f"{where}: instance profile role {nested['Arn']} missing")
                check("InstanceProfileList" not in nested, f"{where}: nested role repeats InstanceProfileList")
                top = roles.get(nested["Arn"], {})
                for k in nested:
                    check(nested[k] == top.get(k), f"{where}: instance profile copy of {k} differs")
        if r["Path"].startswith("/aws-service-role/"):
            check(r["RoleName"].startswith("AWSServiceRoleFor"), f"{where}: {w} service-linked name")
    for p in export["Policies"]:
        w = f"policy {p['PolicyName']}"
        aws = p["Arn"].startswith("arn:aws:iam::aws:policy/")
        new_id(p["PolicyId"], "ANPA", w, global_=not aws)
        if not aws:
            path_arn(p, "policy", "PolicyName")
            check_ts(p["CreateDate"], f"{where} {w}")
            check_ts(p["UpdateDate"], f"{where} {w}")
        else:
            check(p["Arn"] == f"arn:aws:iam::aws:policy{p['Path']}{p['PolicyName']}", f"{where}: {w} arn")
            check(attach_count[p["Arn"]] + boundary_count[p["Arn"]] > 0,
                  f"{where}: AWS-managed {w} listed but not attached (real exports omit those)")
            bundled = s.managed_bundle.get(p["Arn"])
            dv = [v for v in p["PolicyVersionList"] if v["IsDefaultVersion"]][0]
            check(bundled == dv["Document"], f"{where}: {w} document differs from aws-managed-policies.json")
        check(p["AttachmentCount"] == attach_count[p["Arn"]],
              f"{where}: {w} AttachmentCount {p['AttachmentCount']} but {attach_count[p['Arn']]} attachments")
        check(p["PermissionsBoundaryUsageCount"] == boundary_count[p["Arn"]],
              f"{where}: {w} PermissionsBoundaryUsageCount {p['PermissionsBoundaryUsageCount']}")
        defaults = [v for v in p["PolicyVersionList"] if v["IsDefaultVersion"]]
        check(len(defaults) == 1 and defaults[0]["VersionId"] == p["DefaultVersionId"],
              f"{where}: {w} default version mismatch")
        vids = [v["VersionId"] for v in p["PolicyVersionList"]]
        check(len(vids) == len(set(vids)) and len(vids) <= 5, f"{where}: {w} versions {vids}")
        for v in p["PolicyVersionList"]:
            check_doc(v["Document"], f"{where} {w} {v['VersionId']}")
    return roles


CRED_HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
               "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
               "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
               "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
               "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
               "cert_2_active,cert_2_last_rotated")


def check_credential_report(s, acct, rel, export):
    where = rel
    with open(s.path(rel), newline="", encoding="utf-8") as f:
        text = f.read()
    lines = text.splitlines()
    check(lines[0] == CRED_HEADER, f"{where}: header differs from AWS's")
    rows = list(csv.DictReader(lines))
    check(rows[0]["user"] == "<root_account>" and rows[0]["arn"] == f"arn:aws:iam::{acct}:root",
          f"{where}: first row must be <root_account>")
    check(rows[0]["password_enabled"] == "not_supported", f"{where}: root password_enabled")
    users = {u["UserName"]: u for u in export["UserDetailList"]}
    names = [r["user"] for r in rows[1:]]
    check(sorted(names) == sorted(users), f"{where}: rows {names} differ from export users")
    for r in rows:
        w = f"{where} {r['user']}"
        if r["user"] in users:
            check(r["arn"] == users[r["user"]]["Arn"], f"{w}: arn")
            check(r["user_creation_time"] == users[r["user"]]["CreateDate"], f"{w}: creation time")
        for k, v in r.items():
            if k in ("user", "arn") or k.endswith(("_region", "_service")):
                continue
            if k.endswith("_active") or k in ("password_enabled", "mfa_active"):
                check(v in ("true", "false", "not_supported"), f"{w}: {k}={v}")
            else:
                if v not in ("N/A", "no_information", "not_supported"):
                    if k == "password_next_rotation":  # lies in the future by design
                        check(TS_RE.match(v) is not None, f"{w}: {k}={v}")
                    else:
                        check_ts(v, f"{w} {k}")
        if r["password_enabled"] == "false":
            check(r["password_last_used"] == "N/A" and r["password_last_changed"] == "N/A", f"{w}: password")
        for n in (1, 2):
            if r[f"access_key_{n}_last_rotated"] == "N/A":
                check(r[f"access_key_{n}_active"] == "false", f"{w}: key {n}")
    return rows


def check_password_policy(s, rel):
    obj = load_json(s.path(rel))
    pp = obj["PasswordPolicy"]
    for k in ("MinimumPasswordLength", "RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
              "RequireLowercaseCharacters", "AllowUsersToChangePassword", "ExpirePasswords", "HardExpiry"):
        check(k in pp, f"{rel}: {k} missing")
    if pp.get("ExpirePasswords"):
        check("MaxPasswordAge" in pp, f"{rel}: MaxPasswordAge missing")
    else:
        check("MaxPasswordAge" not in pp, f"{rel}: MaxPasswordAge without ExpirePasswords")
    return pp


def parse_resource_policy(resource, obj, where):
    svc = resource.split(":")[2]
    if svc == "s3":
        check(set(obj) == {"Policy"}, f"{where}: S3 get-bucket-policy shape")
        return obj["Policy"]
    if svc in ("sqs", "sns"):
        check("Policy" in obj.get("Attributes", {}), f"{where}: {svc} attributes shape")
        if svc == "sns":
            check(obj["Attributes"].get("TopicArn") == resource, f"{where}: TopicArn")
        return obj["Attributes"]["Policy"]
    if svc == "kms":
        check(obj.get("PolicyName") == "default", f"{where}: kms PolicyName")
        return obj["Policy"]
    if svc == "lambda":
        check(set(obj) == {"Policy", "RevisionId"}, f"{where}: lambda get-policy shape")
        return obj["Policy"]
    if svc == "secretsmanager":
        check(obj.get("ARN") == resource and obj.get("Name") and "ResourcePolicy" in obj,
              f"{where}: secretsmanager get-resource-policy shape")
        return obj["ResourcePolicy"]
    err(f"{where}: unknown service {svc}")
    return None


def check_accounts(s):
    all_ids = set()
    for a in s.ws["accounts"]:
        acct = a["id"]
        if "authorization_details" not in a:
            continue
        export = load_json(s.path(a["authorization_details"]))
        if export is None:
            continue
        s.exports[acct] = export
        check_export(s, acct, export, all_ids)
        check_credential_report(s, acct, a["credential_report"], export)
        check_password_policy(s, a["password_policy"])
        for idp in a.get("identity_providers", []):
            check(idp.startswith(f"arn:aws:iam::{acct}:oidc-provider/") or
                  idp.startswith(f"arn:aws:iam::{acct}:saml-provider/"), f"{acct}: identity provider {idp}")
        for rp in a.get("resource_policies", []):
            where = rp["file"]
            obj = load_json(s.path(rp["file"]))
            if obj is None:
                continue
            text = parse_resource_policy(rp["resource"], obj, where)
            if not check(isinstance(text, str), f"{where}: policy must be a JSON string"):
                continue
            d = json.loads(text)
            check_doc(d, where, resource_policy=True)
            rarn = rp["resource"]
            res_acct = rarn.split(":")[4]
            check(res_acct in ("", acct), f"{where}: resource {rarn} not in account {acct}")
            for st in aslist(d["Statement"]):
                for r in aslist(st.get("Resource")):
                    check(r == "*" or r == rarn or r.startswith(rarn + "/"), f"{where}: Resource {r} vs {rarn}")
            s.resource_policies[rarn] = (f"resource policy {os.path.basename(where)}", d)
        for la in a.get("last_accessed", []):
            where = la["file"]
            obj = load_json(s.path(la["file"]))
            if obj is None:
                continue
            arns = {x["Arn"] for lst in ("UserDetailList", "RoleDetailList") for x in export[lst]}
            check(la["principal"] in arns, f"{where}: principal {la['principal']} is not in the export")
            check(obj.get("JobStatus") == "COMPLETED", f"{where}: JobStatus")
            check(obj.get("JobType") in ("SERVICE_LEVEL", "ACTION_LEVEL"), f"{where}: JobType")
            for sv in obj.get("ServicesLastAccessed", []):
                check("ServiceNamespace" in sv and "ServiceName" in sv, f"{where}: service shape")
                if "LastAuthenticated" in sv:
                    check_ts(sv["LastAuthenticated"], f"{where} {sv['ServiceNamespace']}")
        for sub in ("resource-policies",):
            folder = s.path(os.path.join(os.path.dirname(a["authorization_details"]), sub))
            if os.path.isdir(folder):
                listed = {os.path.basename(rp["file"]) for rp in a.get("resource_policies", [])}
                for fn in os.listdir(folder):
                    check(fn in listed, f"{folder}/{fn} is not listed in workspace.json")


def check_references(s):
    """Principals named in trust and resource policies must exist; federated providers must be declared."""
    org_accounts = {a["id"] for a in s.ws["accounts"]}
    known = {}
    for acct, e in s.exports.items():
        for lst in ("UserDetailList", "RoleDetailList"):
            for x in e[lst]:
                known[x["Arn"]] = acct
    idps = {i for a in s.ws["accounts"] for i in a.get("identity_providers", [])}

    def principals(doc, where):
        for st in aslist(doc.get("Statement")):
            pr = st.get("Principal")
            if not isinstance(pr, dict):
                continue
            for a in aslist(pr.get("AWS")):
                if a == "*" or a.endswith(":root") or ACCT_RE.match(a):
                    acct = a.split(":")[4] if a.startswith("arn:") else a
                    check(a == "*" or acct in org_accounts, f"{where}: principal {a} outside the organisation")
                    continue
                acct = a.split(":")[4]
                if acct in s.exports:
                    check(a in known, f"{where}: principal {a} does not exist in {acct}'s export")
            for f in aslist(pr.get("Federated")):
                check(f in idps, f"{where}: federated principal {f} is not a declared identity provider")

    for acct, e in s.exports.items():
        for r in e["RoleDetailList"]:
            principals(r["AssumeRolePolicyDocument"], f"{acct} trust of {r['RoleName']}")
    for label, d in s.resource_policies.values():
        principals(d, label)
    for rel, obj in s.files.items():
        principals(json.loads(obj["Policy"]["Content"]), rel)
    # SCP/resource-policy aws:PrincipalArn references must resolve
    for rel, obj in list(s.files.items()) + [(l, {"d": d}) for l, d in s.resource_policies.values()]:
        d = json.loads(obj["Policy"]["Content"]) if "Policy" in obj else obj["d"]
        for st in aslist(d.get("Statement")):
            for op, kv in (st.get("Condition") or {}).items():
                for k, vals in kv.items():
                    if k.lower() != "aws:principalarn":
                        continue
                    for v in aslist(vals):
                        hit = [a for a in known if glob(v, a)]
                        check(hit, f"{rel}: aws:PrincipalArn {v} matches no principal in the sample")


def check_identity_center(s):
    """The Identity Center files: shapes, cross-references, and each assignment's provisioned role."""
    spec = s.ws.get("identity_center")
    if spec is None:
        return
    ic = {"sets": {}, "users": {}, "groups": {}, "assignments": []}
    inst = load_json(s.path(spec["list_instances"]))
    if inst:
        check(len(inst.get("Instances", [])) == 1, "list-instances: expected one instance")
    for ps in spec["permission_sets"]:
        d = load_json(s.path(ps["describe_permission_set"]))
        if d is None:
            continue
        p = d.get("PermissionSet", {})
        w = ps["describe_permission_set"]
        check(re.match(r"^[\w+=,.@-]{1,32}$", p.get("Name", "")), f"{w}: Name {p.get('Name')!r}")
        check(re.match(r"^PT\d+H$", p.get("SessionDuration", "")), f"{w}: SessionDuration")
        managed = [m["Arn"] for m in (load_json(s.path(ps["managed_policies"])) or {}).get("AttachedManagedPolicies", [])]
        for a in managed:
            check(a in s.managed_bundle, f"{w}: managed policy {a} is not in the bundled set")
        inline = (load_json(s.path(ps["inline_policy"])) or {}).get("InlinePolicy", "")
        if inline:
            check_doc(json.loads(inline), f"{ps['inline_policy']}")
        ic["sets"][p.get("PermissionSetArn")] = (p.get("Name"), managed, json.loads(inline) if inline else None)
    listed = (load_json(s.path(spec["list_permission_sets"])) or {}).get("PermissionSets", [])
    check(sorted(listed) == sorted(ic["sets"]), "list-permission-sets: the listed and the described sets differ")
    for u in (load_json(s.path(spec["users"])) or {}).get("Users", []):
        check(u["UserId"] not in ic["users"], f"users: duplicate {u['UserId']}")
        ic["users"][u["UserId"]] = u["UserName"]
    for g in (load_json(s.path(spec["groups"])) or {}).get("Groups", []):
        ic["groups"][g["GroupId"]] = g["DisplayName"]
    with_members = set()
    for rel in spec["group_memberships"]:
        for m in (load_json(s.path(rel)) or {}).get("GroupMemberships", []):
            check(m["GroupId"] in ic["groups"], f"{rel}: unknown group {m['GroupId']}")
            check(m["MemberId"]["UserId"] in ic["users"], f"{rel}: unknown user {m['MemberId']['UserId']}")
            with_members.add(m["GroupId"])
    accounts = {a["id"] for a in s.ws["accounts"]}
    provisioned = set()
    for rel in spec["account_assignments"]:
        for a in (load_json(s.path(rel)) or {}).get("AccountAssignments", []):
            w = f"{rel} {a['PrincipalId']}"
            check(a["AccountId"] in accounts, f"{w}: account {a['AccountId']} is not in the workspace")
            check(a["PermissionSetArn"] in ic["sets"], f"{w}: permission set not described")
            if a["PrincipalType"] == "GROUP":
                check(a["PrincipalId"] in ic["groups"], f"{w}: unknown group")
                check(a["PrincipalId"] in with_members, f"{w}: the group has no membership file")
            else:
                check(a["PrincipalType"] == "USER" and a["PrincipalId"] in ic["users"], f"{w}: unknown user")
            name, managed, inline = ic["sets"].get(a["PermissionSetArn"], ("?", [], None))
            export = s.exports.get(a["AccountId"])
            if export is None:
                continue
            roles = [r for r in export["RoleDetailList"] if r["RoleName"].startswith(f"AWSReservedSSO_{name}_")
                     and re.match(r"^[0-9a-f]{16}$", r["RoleName"].rsplit("_", 1)[1])]
            if not check(len(roles) == 1, f"{w}: no role AWSReservedSSO_{name}_<hash> in {a['AccountId']}"):
                continue
            r = roles[0]
            provisioned.add((a["AccountId"], r["RoleName"]))
            check(r["Path"].startswith("/aws-reserved/sso.amazonaws.com/"), f"{w}: role path {r['Path']}")
            check(sorted(x["PolicyArn"] for x in r["AttachedManagedPolicies"]) == sorted(managed),
                  f"{w}: role {r['RoleName']} attaches other policies than permission set {name}")
            check([p["PolicyDocument"] for p in r["RolePolicyList"]] == ([inline] if inline else []),
                  f"{w}: role {r['RoleName']} has another inline policy than permission set {name}")
    for acct, e in s.exports.items():
        for r in e["RoleDetailList"]:
            if r["Path"].startswith("/aws-reserved/sso.amazonaws.com/"):
                check((acct, r["RoleName"]) in provisioned, f"{acct}: role {r['RoleName']} serves no assignment")


def catalog_checks(s, catalog_path):
    cat = load_json(catalog_path)
    if cat is None:
        return
    actions = {}
    svc_keys = {}
    for svc in cat["services"]:
        for a in svc["actions"]:
            actions[f"{svc['prefix']}:{a[0]}".lower()] = True
        svc_keys[svc["prefix"]] = [k for k, _ in svc["condition_keys"]]
    global_keys = [k for k, _ in cat["global_condition_keys"]]
    all_actions = list(actions)

    def key_known(key):
        pats = global_keys + [k for ks in svc_keys.values() for k in ks]
        for p in pats:
            rx = "^" + re.sub(r"\\\$\\\{[^}]*\\\}|<[^>]*>", ".+", re.escape(p)) + "$"
            if re.match(rx, key, re.I):
                return True
        return False

    def doc_checks(d, where):
        for st in aslist(d.get("Statement")):
            for a in aslist(st.get("Action")) + aslist(st.get("NotAction")):
                if a == "*":
                    continue
                if "*" in a or "?" in a:
                    check(any(glob(a, x, ci=True) for x in all_actions), f"{where}: {a} matches no action")
                else:
                    check(a.lower() in actions, f"{where}: unknown action {a}")
            for op, kv in (st.get("Condition") or {}).items():
                for k in kv:
                    # trust-policy keys of identity providers are not in the catalogue
                    if k.startswith(("token.actions.githubusercontent.com:", "gitlab.com:", "SAML:")):
                        continue
                    check(key_known(k), f"{where}: unknown condition key {k}")

    for acct, e in s.exports.items():
        for u in e["UserDetailList"]:
            for p in u["UserPolicyList"]:
                doc_checks(p["PolicyDocument"], f"{acct} user {u['UserName']}")
        for g in e["GroupDetailList"]:
            for p in g["GroupPolicyList"]:
                doc_checks(p["PolicyDocument"], f"{acct} group {g['GroupName']}")
        for r in e["RoleDetailList"]:
            doc_checks(r["AssumeRolePolicyDocument"], f"{acct} trust {r['RoleName']}")
            for p in r["RolePolicyList"]:
                doc_checks(p["PolicyDocument"], f"{acct} role {r['RoleName']}")
        for p in e["Policies"]:
            if not p["Arn"].startswith("arn:aws:iam::aws:policy/"):
                for v in p["PolicyVersionList"]:
                    doc_checks(v["Document"], f"{acct} policy {p['PolicyName']} {v['VersionId']}")
    for label, d in s.resource_policies.values():
        doc_checks(d, label)
    for rel, obj in s.files.items():
        doc_checks(json.loads(obj["Policy"]["Content"]), rel)
    for c in load_json(s.path("teaching-cases.json")) or []:
        check(c["action"].lower() in actions, f"teaching case {c['name']}: unknown action {c['action']}")
        for k in c["context"]:
            check(key_known(k), f"teaching case {c['name']}: unknown context key {k}")


def check_cases(s):
    cases = load_json(s.path("teaching-cases.json"))
    if cases is None:
        return []
    check(len(cases) >= 25, f"teaching-cases.json: only {len(cases)} cases")
    names = [c["name"] for c in cases]
    check(len(names) == len(set(names)), "teaching-cases.json: duplicate names")
    org_accounts = {a["id"] for a in s.ws["accounts"]}
    for c in cases:
        w = f"teaching case {c['name']}"
        check(set(c) == {"name", "principal", "action", "resource", "resource_account", "context", "expected",
                         "why"}, f"{w}: fields {sorted(c)}")
        check(c["expected"] in ("Allow", "ExplicitDeny", "ImplicitDeny"), f"{w}: expected {c['expected']}")
        p_acct = c["principal"].split(":")[4]
        if p_acct in s.exports:
            check(s.principal(c["principal"]) is not None, f"{w}: principal {c['principal']} not in the export")
        else:
            check(p_acct not in org_accounts, f"{w}: principal account has no export")
        r_acct = c["resource"].split(":")[4] if c["resource"].startswith("arn:") else ""
        check(r_acct in ("", c["resource_account"]), f"{w}: resource_account vs {c['resource']}")
        check(c["resource_account"] in org_accounts, f"{w}: resource_account {c['resource_account']}")
        for k, v in c["context"].items():
            check(isinstance(v, list) and all(isinstance(x, str) for x in v), f"{w}: context {k} must be strings")
        for derive in (False, True):
            got, why = s.evaluate(c, derive=derive)
            check(got == c["expected"], f"{w}: reference evaluator says {got} (derive={derive}): {why}")
            if VERBOSE and not derive:
                print(f"  {c['expected']:<12} {c['name']}: {'; '.join(why)}")
    # TEACHING.md lists the same cases
    md = open(s.path("TEACHING.md"), encoding="utf-8").read()
    for c in cases:
        check(f"| {c['name']} |" in md, f"TEACHING.md: case {c['name']} missing from the table")
    return cases


def main():
    global VERBOSE
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="check the bundled sample organisation")
    ap.add_argument("--assets", default=os.path.dirname(here))
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    VERBOSE = args.verbose
    sample = os.path.join(args.assets, "sample")

    # every JSON file parses
    for dirpath, _, files in os.walk(args.assets):
        for fn in files:
            if fn.endswith(".json"):
                load_json(os.path.join(dirpath, fn))
    s = Sample(sample)
    bundle = load_json(os.path.join(args.assets, "aws-managed-policies.json")) or []
    for p in bundle:
        check(set(p) == {"PolicyName", "Arn", "Path", "DefaultVersionId", "Document"}, f"bundle entry {p.get('Arn')}")
        check(p["Arn"].startswith("arn:aws:iam::aws:policy/"), f"bundle: {p['Arn']}")
        check(p["Arn"] not in s.managed_bundle, f"bundle: duplicate {p['Arn']}")
        s.managed_bundle[p["Arn"]] = p["Document"]
    if s.ws is None:
        return report()
    check_org(s)
    check_accounts(s)
    check_references(s)
    check_identity_center(s)
    cases = check_cases(s)
    catalog = os.path.join(args.assets, "catalog", "catalog.json")
    if os.path.exists(catalog):
        catalog_checks(s, catalog)
    else:
        print("note: catalog/catalog.json absent; action-name checks skipped")
    n_users = sum(len(e["UserDetailList"]) for e in s.exports.values())
    n_roles = sum(len(e["RoleDetailList"]) for e in s.exports.values())
    n_groups = sum(len(e["GroupDetailList"]) for e in s.exports.values())
    n_pol = sum(len(e["Policies"]) for e in s.exports.values())
    print(f"accounts {len(s.ws['accounts'])} (exports {len(s.exports)}), users {n_users}, groups {n_groups}, "
          f"roles {n_roles}, managed policies {n_pol}, org policies {len(s.files)}, "
          f"resource policies {len(s.resource_policies)}, teaching cases {len(cases)}, "
          f"bundled AWS-managed {len(bundle)}")
    return report()


def report():
    if ERRORS:
        for e in ERRORS:
            print("ERROR:", e)
        print(f"{len(ERRORS)} error(s)")
        return 1
    print("sample OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
