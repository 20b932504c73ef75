"""The lab account's enabled regions: those a new AWS account has by default.

moto answers ``DescribeRegions`` with every region it knows, including opt-in
regions where some of its own backends do not exist (a call there fails with
an HTML error page). A new real account has the opt-in regions disabled, so
the lab reports the regions enabled by default and nothing else.
"""

from __future__ import annotations

from typing import Any

from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

from chaincut.lab._patch import once

DEFAULT_ENABLED_REGIONS = frozenset(
    {
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "eu-central-1",
        "eu-north-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)


@once
def install() -> None:
    original = RegionsAndZonesBackend.describe_regions

    def describe_regions(self: Any, region_names: list[str] | None = None) -> Any:
        regions = original(self, region_names)
        return [r for r in regions if r.name in DEFAULT_ENABLED_REGIONS]

    setattr(RegionsAndZonesBackend, "describe_regions", describe_regions)  # noqa: B010
