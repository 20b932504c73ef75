"""Imports every built-in rule family, which registers its rules.

One module per family; a new family is added here and nowhere else.
"""

from __future__ import annotations

from chaincut.rules import (  # noqa: F401 - imported to register
    beanstalk_platform,
    beanstalk_settings,
    cloudtrail,
    iam_credentials,
    iam_privilege,
    monitoring,
    secrets,
    workload_settings,
)
