"""The attack graph: who can become whom, and who can reach what.

Nodes are IAM users and roles (a group counts through what it grants its
members), credential holders (configuration holding a user's access key,
see ``_holders``) and targets (``admin`` and each secret, bucket and SSM
parameter, see ``_targets``). Edges are escalation methods (see
``methods``), each decided by the policy engine resource by resource, and
each carrying the calls an attacker makes with the statements that allow
them, and the fix that removes it.

    graph = build_graph(snapshot)
    graph.paths(source=user_arn, target="admin")
    graph.cut("secret:app/db")          # the cheapest fixes, cheapest first
    graph.minimal_cut("secret:app/db")  # the edges those fixes remove

The request context every question assumes is ``AttackContext`` (see
``_evaluator``): an outside attacker with stolen keys, no MFA.

Limits (each module's docstring says more): no SCPs, session policies,
KMS key policies or resource policies beyond role trust, secrets and
buckets; permission changes are modelled only as reaching ``admin`` (a
change granting less than administrator opens no edge); the graph is
static, so a fix is assumed not to open another path.
"""

from chaincut.graph._cut import minimum_cut
from chaincut.graph._evaluator import AttackContext
from chaincut.graph._graph import (
    ADMINISTRATOR,
    USE_LEAKED_KEY,
    AttackGraph,
    build_graph,
)
from chaincut.graph._holders import SOURCES as HOLDER_SOURCES
from chaincut.graph._holders import HolderSource, holder_source
from chaincut.graph._model import (
    ADMIN,
    AllowedBy,
    Call,
    CredentialHolder,
    Cut,
    Edge,
    Fix,
    FixKind,
    Node,
    NodeKind,
    Path,
    Target,
    TargetKind,
)
from chaincut.graph.methods import METHODS, Method

__all__ = [
    "ADMIN",
    "ADMINISTRATOR",
    "HOLDER_SOURCES",
    "METHODS",
    "USE_LEAKED_KEY",
    "AllowedBy",
    "AttackContext",
    "AttackGraph",
    "Call",
    "CredentialHolder",
    "Cut",
    "Edge",
    "Fix",
    "FixKind",
    "HolderSource",
    "Method",
    "Node",
    "NodeKind",
    "Path",
    "Target",
    "TargetKind",
    "build_graph",
    "holder_source",
    "minimum_cut",
]
