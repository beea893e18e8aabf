"""Run the DuckDB who-can query of docs/export.md, exactly as written there, on an export directory.

Usage: python export_who_can.py DOC DIR < pairs (one JSON array [action, resource] per line)
Prints one JSON object per pair: {"action": ..., "resource": ..., "answers": {principal: answer}}.
"""
import json
import os
import re
import sys

import duckdb

doc, directory = sys.argv[1], sys.argv[2]
text = open(doc, encoding="utf-8").read()
block = re.search(r"<!-- duckdb-who-can[^>]*-->\s*```sql\n(.*?)```", text, re.S)
if block is None:
    sys.exit(f"no duckdb-who-can block in {doc}")
# The two SET VARIABLE lines set the request; the rest is the query.
query = "\n".join(l for l in block.group(1).splitlines() if not l.startswith("SET VARIABLE ")).strip()
query = query.rstrip(";")
os.chdir(directory)
con = duckdb.connect()
for line in sys.stdin:
    if not line.strip():
        continue
    action, resource = json.loads(line)
    con.execute("SET VARIABLE action = $1", [action])
    con.execute("SET VARIABLE resource = $1", [resource])
    rows = con.execute(query).fetchall()
    answers = {principal: answer for principal, _kind, _account, answer in rows}
    print(json.dumps({"action": action, "resource": resource, "answers": answers}), flush=True)
