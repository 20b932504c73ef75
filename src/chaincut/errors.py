"""The one exception hierarchy of chaincut.

    ChaincutError
     +-- InputError           bad input from the user: file, document, flag
     |    +-- PolicyError     a policy document that cannot be parsed
     |    +-- SnapshotError   a snapshot that cannot be read back
     +-- LabError             the embedded lab could not start or be used
     +-- AwsError             an AWS call failed where chaincut cannot go on

Every message names the input it concerns and says what to do instead. No
message ever carries a secret value: callers pass fingerprints or masked
previews (see ``chaincut.secrets``).
"""

from __future__ import annotations


class ChaincutError(Exception):
    """Base of every error chaincut raises on purpose."""


class InputError(ChaincutError):
    """A file, document or option given to chaincut is not usable."""


class PolicyError(InputError):
    """A policy document is malformed.

    ``policy`` names the document (a file, a policy name or ARN) and
    ``statement`` the statement (its Sid or index) when one is at fault.
    """

    def __init__(
        self, message: str, *, policy: str = "", statement: str | None = None
    ) -> None:
        where = policy or "policy"
        if statement is not None:
            where = f"{where}, statement {statement}"
        super().__init__(f"{where}: {message}")
        self.policy = policy
        self.statement = statement


class SnapshotError(InputError):
    """A snapshot file is missing, truncated or of another schema version."""


class LabError(ChaincutError):
    """The embedded lab account could not be started or reached."""


class AwsError(ChaincutError):
    """An AWS call failed in a way that stops the whole command."""
