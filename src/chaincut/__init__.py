"""chaincut: find, break and watch AWS attack chains."""

from chaincut.errors import (
    AwsError,
    ChaincutError,
    InputError,
    LabError,
    PolicyError,
    SnapshotError,
)

__version__ = "0.1.0"

__all__ = [
    "AwsError",
    "ChaincutError",
    "InputError",
    "LabError",
    "PolicyError",
    "SnapshotError",
    "__version__",
]
