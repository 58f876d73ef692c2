"""Python client of the MorphSweep HTTP API.

    import morphsweep
    client = morphsweep.Client()                 # MORPHSWEEP_URL, MORPHSWEEP_TOKEN
    sweep = client.create_sweep(config)
    sweep.wait()                                 # live progress per run
    front = sweep.front(cost="flops")            # pandas DataFrame
    retrain = client.run(front.run_id[0]).retrain(width_multiplier=1.5)
    retrain.wait()
    evidence = client.run(front.run_id[0]).evidence(seeds=3)
    evidence.wait()                              # vs the seed network made uniformly thinner
    evidence.comparisons()                       # difference, 95 % interval, winner

Request and answer models (pydantic, generated from /api/openapi.json) are in morphsweep.models.
"""

from . import models
from ._events import ReconnectPolicy, SweepEvent
from ._transport import RetryPolicy
from ._version import __version__
from .client import Client
from .errors import MorphSweepError
from .evidence import Evidence
from .run import Retrain, Run
from .sweep import SeedNetwork, Sweep

__all__ = [
    "Client",
    "Evidence",
    "MorphSweepError",
    "ReconnectPolicy",
    "Retrain",
    "RetryPolicy",
    "Run",
    "SeedNetwork",
    "Sweep",
    "SweepEvent",
    "__version__",
    "models",
]
