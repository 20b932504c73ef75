"""The embedded AWS account: moto, extended where it falls short, with scenarios.

``Lab`` runs it; ``chaincut.lab.scenario`` builds the vulnerable account in
the lab or in a real one.
"""

from chaincut.lab.account import LAB_REGION, Lab
from chaincut.lab.auth import LabRequest, set_access_decider
from chaincut.lab.scenario import ScenarioState

__all__ = ["LAB_REGION", "Lab", "LabRequest", "ScenarioState", "set_access_decider"]
