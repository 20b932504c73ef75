"""S3 buckets with their policies, and SSM parameters' metadata.

Buckets are global: listed once, then each one's region, policy and public
access block. A ``String`` parameter's value is read only to ask the secret
detectors about it, then dropped; ``SecureString`` values are never read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Executor

from chaincut.aws import AwsConnection
from chaincut.collect.calls import CallRecorder
from chaincut.collect.detect import detect
from chaincut.secrets import MaskedValue
from chaincut.snapshot import Bucket, DetectedValue, Parameter

# GetParameters takes at most ten names.
_PARAMETER_BATCH = 10


def collect_buckets(
    aws: AwsConnection,
    calls: CallRecorder,
    executor: Executor,
    tick: Callable[[], None] = lambda: None,
) -> list[Bucket]:
    s3 = aws.client("s3")
    listed = calls.call(s3, "list_buckets")
    names = sorted(b["Name"] for b in (listed or {}).get("Buckets", []))

    def one(name: str) -> Bucket:
        located = calls.call(s3, "get_bucket_location", resource=name, Bucket=name)
        policy = calls.call(
            s3, "get_bucket_policy", resource=name, absent=("NoSuchBucketPolicy",),
            Bucket=name,
        )  # fmt: skip
        block = calls.call(
            s3,
            "get_public_access_block",
            resource=name,
            absent=("NoSuchPublicAccessBlockConfiguration",),
            Bucket=name,
        )
        tick()
        return Bucket(
            name=name,
            # An empty LocationConstraint means us-east-1.
            region=(located or {}).get("LocationConstraint") or "us-east-1",
            policy=json.loads(policy["Policy"]) if policy else None,
            public_access_block=(block or {}).get("PublicAccessBlockConfiguration"),
        )

    return list(executor.map(one, names))


def collect_parameters(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> list[Parameter]:
    client = aws.client("ssm", region)
    described = calls.pages(client, "describe_parameters", "Parameters") or []
    plain = [p["Name"] for p in described if p.get("Type") != "SecureString"]
    detections: dict[str, DetectedValue] = {}
    for start in range(0, len(plain), _PARAMETER_BATCH):
        answer = calls.call(
            client,
            "get_parameters",
            Names=plain[start : start + _PARAMETER_BATCH],
            WithDecryption=False,
        )
        for item in (answer or {}).get("Parameters", []):
            found = detect(item["Name"].rsplit("/", 1)[-1], str(item.get("Value", "")))
            if found is not None and found.is_secret:
                detections[item["Name"]] = DetectedValue(
                    found.detector, MaskedValue.of(str(item["Value"]))
                )
    return [
        Parameter(
            name=p["Name"],
            arn=p.get("ARN") or _parameter_arn(aws, region, p["Name"]),
            region=region,
            type=p.get("Type", "String"),
            key_id=p.get("KeyId"),
            detected=detections.get(p["Name"]),
        )
        for p in described
    ]


def _parameter_arn(aws: AwsConnection, region: str, name: str) -> str:
    return f"arn:aws:ssm:{region}:{aws.account_id}:parameter/{name.lstrip('/')}"
