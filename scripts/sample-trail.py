#!/usr/bin/env python3
"""Write the bundled sample's CloudTrail file (assets/sample/cloudtrail/larkspur-prod-2026-11.json).

A month of calls in the Larkspur prod account, as CloudTrail delivers them ({"Records": [...]}): the everyday
work of its roles and people, the calls AWS denied (an SCP, a Deny in a group policy, a permissions boundary),
calls the snapshot disagrees with, and records replay cannot compare. Deterministic (a fixed seed): re-running
it writes the same file. The teaching guide (assets/sample/TEACHING.md, "Replaying CloudTrail") and
tests/it/replay.rs use it.
"""
import json
import zlib
import os
import random

PROD = "412345678901"
R = random.Random(20261130)
OUT = os.path.join(os.path.dirname(__file__), "..", "assets", "sample", "cloudtrail", "larkspur-prod-2026-11.json")


def session(role, path, name, mfa=False):
    return {
        "type": "AssumedRole",
        "principalId": f"AROA{zlib.crc32(role.encode()) % 10**12:012d}:{name}",
        "arn": f"arn:aws:sts::{PROD}:assumed-role/{role}/{name}",
        "accountId": PROD,
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{PROD}:role{path}{role}",
                              "accountId": PROD, "userName": role},
            "attributes": {"creationDate": "2026-11-01T08:00:00Z", "mfaAuthenticated": "true" if mfa else "false"},
        },
    }


def user(name, path="/"):
    return {"type": "IAMUser", "principalId": "AIDA" + name.upper().replace(".", "")[:12],
            "arn": f"arn:aws:iam::{PROD}:user{path}{name}", "accountId": PROD,
            "accessKeyId": "AKIA" + name.upper().replace(".", "").replace("-", "")[:12], "userName": name}


n = 0


def record(day, source, name, identity, params, error=None, region="eu-west-1", resources=None, ip="203.0.113.9"):
    global n
    n += 1
    hour, minute, sec = R.randrange(6, 22), R.randrange(60), R.randrange(60)
    r = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:{sec:02d}Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.15.30",
        "requestParameters": params,
        "responseElements": None,
        "requestID": f"{n:08x}-0000-4000-8000-{R.randrange(16**12):012x}",
        "eventID": f"larkspur-{n:04d}",
        "readOnly": name.startswith(("Get", "List", "Describe")),
        "eventType": "AwsApiCall",
        "managementEvent": source not in ("s3.amazonaws.com",) or name in ("CreateBucket", "DeleteBucket"),
        "recipientAccountId": PROD,
        "tlsDetails": {"tlsVersion": "TLSv1.3"},
    }
    if not resources and source == "s3.amazonaws.com" and params and "bucketName" in params:
        # S3 data events list the object and its bucket, with the bucket owner's account: an S3 ARN names none.
        bucket = f"arn:aws:s3:::{params['bucketName']}"
        resources = ([{"type": "AWS::S3::Object", "ARN": f"{bucket}/{params['key']}"}] if "key" in params else []) + [
            {"accountId": PROD, "type": "AWS::S3::Bucket", "ARN": bucket}]
    if resources:
        r["resources"] = resources
    if error:
        r["errorCode"] = error
        r["errorMessage"] = "User is not authorized to perform this operation"
    return r


records = []
etl = lambda: session("etl-batch", "/data/", "glue-nightly")
orders = lambda: session("order-processor-lambda", "/app/", "webshop-process-orders")
web = lambda: session("webshop-app-ec2", "/app/", "i-0a1b2c3d4e5f60718")
deploy = lambda: session("github-actions-webshop", "/", "GitHubActions")
admin = lambda: session("admin-mfa", "/", "maria.silva", mfa=True)

for day in range(1, 31):
    # The nightly ETL: reads the day's orders, writes the curated copy, runs its Glue job.
    records.append(record(day, "glue.amazonaws.com", "StartJobRun", etl(), {"jobName": "nightly-orders"}))
    records.append(record(day, "s3.amazonaws.com", "GetObject", etl(),
                          {"bucketName": "larkspur-prod-data", "key": f"orders/2026-11-{day:02d}.json"}))
    records.append(record(day, "s3.amazonaws.com", "PutObject", etl(),
                          {"bucketName": "larkspur-prod-data", "key": f"curated/2026-11-{day:02d}.parquet"}))
    # The order processor: takes orders off the queue and writes them to the table.
    for _ in range(2):
        records.append(record(day, "dynamodb.amazonaws.com", "PutItem", orders(), {"tableName": "webshop-orders"}))
    records.append(record(day, "sqs.amazonaws.com", "DeleteMessage", orders(),
                          {"queueUrl": f"https://sqs.eu-west-1.amazonaws.com/{PROD}/webshop-orders"}))
    # The web servers read their database password and enqueue orders.
    records.append(record(day, "secretsmanager.amazonaws.com", "GetSecretValue", web(),
                          {"secretId": f"arn:aws:secretsmanager:eu-west-1:{PROD}:secret:prod/webshop/db-credentials-AbCdEf"}))
    records.append(record(day, "sqs.amazonaws.com", "SendMessage", web(),
                          {"queueUrl": f"https://sqs.eu-west-1.amazonaws.com/{PROD}/webshop-orders"}))

for day in range(2, 31, 3):
    # Deployments from GitHub Actions and from the legacy pipeline user.
    records.append(record(day, "s3.amazonaws.com", "PutObject", deploy(),
                          {"bucketName": "larkspur-prod-artifacts", "key": f"webshop/build-{day}.zip"}))
    records.append(record(day, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", deploy(),
                          {"functionName": f"arn:aws:lambda:eu-west-1:{PROD}:function:webshop-api"}))
    records.append(record(day, "s3.amazonaws.com", "PutObject", user("ci-deploy", "/service/"),
                          {"bucketName": "larkspur-prod-artifacts", "key": f"legacy/build-{day}.zip"}))

for day in range(3, 31, 2):
    # Developers at work: Lambda logs and the data bucket.
    dev = R.choice(["james.okafor", "li.wei", "sofia.rossi"])
    records.append(record(day, "logs.amazonaws.com", "FilterLogEvents", user(dev),
                          {"logGroupName": "/aws/lambda/webshop-api"}))
    records.append(record(day, "s3.amazonaws.com", "GetObject", user(dev),
                          {"bucketName": "larkspur-prod-data", "key": "orders/sample.json"}))
    records.append(record(day, "ec2.amazonaws.com", "DescribeInstances", user(dev), {"instancesSet": {}}))

# Billing looks at the month's costs (Cost Explorer runs in us-east-1).
for day in (5, 12, 19, 26):
    records.append(record(day, "ce.amazonaws.com", "GetCostAndUsage", user("nina.patel"),
                          {"granularity": "DAILY"}, region="us-east-1"))

# The administrator (MFA session) reads IAM and, once, tries to stop the organisation's trail: the SCP
# ProtectProduction denies it.
for day in (4, 11, 18, 25):
    records.append(record(day, "iam.amazonaws.com", "ListUsers", admin(), None, region="us-east-1"))
records.append(record(17, "cloudtrail.amazonaws.com", "StopLogging", admin(),
                      {"name": f"arn:aws:cloudtrail:eu-west-1:{PROD}:trail/larkspur-org-trail"}, error="AccessDenied"))
# The same administrator deletes the data bucket: ProtectProduction denies that too (only BreakGlassAdmin may).
records.append(record(17, "s3.amazonaws.com", "DeleteBucket", admin(), {"bucketName": "larkspur-prod-data"},
                      error="AccessDenied"))

# Developers are denied what their access does not include: IAM writes (no policy of theirs grants them; raj.mehta's
# permissions boundary would cap them too), and deleting production data (a Deny in LarkspurDeveloperAccess).
records.append(record(9, "iam.amazonaws.com", "CreateUser", user("james.okafor"), {"userName": "james-test"},
                      error="AccessDenied", region="us-east-1"))
records.append(record(14, "s3.amazonaws.com", "DeleteObject", user("li.wei"),
                      {"bucketName": "larkspur-prod-data", "key": "orders/2026-11-13.json"}, error="AccessDenied"))
records.append(record(21, "iam.amazonaws.com", "CreateRole", user("raj.mehta"), {"roleName": "raj-experiment"},
                      error="AccessDenied", region="us-east-1"))
# The auditors' group denies data-plane reads.
records.append(record(8, "s3.amazonaws.com", "GetObject", user("tom.becker"),
                      {"bucketName": "larkspur-prod-data", "key": "orders/2026-11-07.json"}, error="AccessDenied"))

# What the snapshot disagrees with. The auditor wrote to the data bucket and it succeeded: the snapshot denies
# it (was a policy changed after the calls?).
records.append(record(22, "s3.amazonaws.com", "PutObject", user("tom.becker"),
                      {"bucketName": "larkspur-prod-data", "key": "audit/findings.csv"}))
# The order processor was denied reads the snapshot allows it (a policy changed since, or a layer the snapshot
# lacks).
for day in (6, 7):
    records.append(record(day, "dynamodb.amazonaws.com", "GetItem", orders(), {"tableName": "webshop-orders"},
                          error="AccessDeniedException"))

# Records replay cannot compare: a bulk delete whose keys the record leaves out (resource unknown), sign-ins,
# and calls that failed for another reason.
records.append(record(28, "s3.amazonaws.com", "DeleteObjects", etl(), {"bucketName": "larkspur-prod-data"}))
for name in ("tom.becker", "nina.patel", "james.okafor"):
    records.append(record(R.randrange(1, 31), "signin.amazonaws.com", "ConsoleLogin", user(name), None,
                          region="us-east-1"))
records.append(record(15, "s3.amazonaws.com", "GetObject", etl(),
                      {"bucketName": "larkspur-prod-data", "key": "orders/2026-11-31.json"}, error="NoSuchKey"))

records.sort(key=lambda r: (r["eventTime"], r["eventID"]))
os.makedirs(os.path.dirname(OUT), exist_ok=True)
tmp = OUT + ".tmp"
with open(tmp, "w") as f:
    json.dump({"Records": records}, f, indent=1)
    f.write("\n")
os.replace(tmp, OUT)
print(f"{len(records)} events -> {os.path.normpath(OUT)}")
