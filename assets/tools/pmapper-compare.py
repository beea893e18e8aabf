#!/usr/bin/env python3
"""PMapper's escalation edges for one `get-account-authorization-details` export, offline.

Usage: pmapper-compare.py EXPORT.json [SCP.json ...]   (SCP files: one organisation level each, root first)

PMapper (pip install principalmapper) builds its graph from a boto session; its edge checkers run offline when
the session is None, and its node builder only needs a client whose `get_account_authorization_details`
paginator yields the export. Prints JSON: {"admins": [...], "edges": [[from, to, reason], ...]}.
"""
import collections
import collections.abc
import json
import logging
import sys

# PMapper 1.1.5 (its last release) imports `collections.Mapping`, removed in Python 3.10.
collections.Mapping = collections.abc.Mapping
collections.MutableMapping = collections.abc.MutableMapping

from principalmapper.graphing import gathering
from principalmapper.graphing.edge_identification import checker_map, obtain_edges

logging.disable(logging.CRITICAL)


class _Paginator:
    def __init__(self, page):
        self.page = page

    def paginate(self, **_):
        yield self.page


class _OfflineIam:
    """What PMapper asks IAM, answered from the export: no access keys, no console password, no MFA device
    (an export does not say; IAM Atlas reads them from the credential report when there is one)."""

    def __init__(self, page):
        self.page = page

    def get_paginator(self, name):
        if name == "get_account_authorization_details":
            return _Paginator(self.page)
        return _Paginator({"VirtualMFADevices": [], "MFADevices": []})

    def list_access_keys(self, **_):
        return {"AccessKeyMetadata": []}

    def get_login_profile(self, **_):
        raise Exception("NoSuchEntity")

    def list_mfa_devices(self, **_):
        return {"MFADevices": []}


def main():
    export = json.load(open(sys.argv[1]))
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        export.setdefault(key, [])
    scps = None
    if len(sys.argv) > 2:
        scps = []
        for level in sys.argv[2:]:
            docs = []
            for f in level.split(","):
                p = json.load(open(f))
                docs.append(json.loads(p["Policy"]["Content"]))
            scps.append(docs)
    found = gathering.get_nodes_groups_and_policies(_OfflineIam(export))
    nodes = found["nodes"]
    gathering.update_admin_status(nodes, scps)
    edges = obtain_edges(None, list(checker_map.keys()), nodes, scps=scps)
    print(json.dumps({
        "admins": sorted(n.arn for n in nodes if n.is_admin),
        "edges": sorted([e.source.arn, e.destination.arn, e.short_reason] for e in edges),
    }, indent=1))


if __name__ == "__main__":
    main()
