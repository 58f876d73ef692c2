"""Handles of one structure-learning run and of one retrain."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from . import models
from ._transport import Transport
from .evidence import Evidence, ExpandTo
from .frames import curve_frame, layers_frame
from .progress import step_display

if TYPE_CHECKING:
    import pandas

StructureFormat = Literal["morphsweep", "morphnet"]
TERMINAL_RETRAIN_STATUSES = frozenset({"completed", "failed", "cancelled"})
#: The names the server's model.json gives its weights file, and what download_model writes.
MODEL_JSON_FILE = "model.json"
WEIGHTS_FILE = "weights.bin"


class Retrain:
    """A retrain of a learned structure from scratch; `wait()` follows it to the end."""

    def __init__(self, transport: Transport, retrain_id: str, *, created: bool | None = None) -> None:
        self._transport = transport
        self.id = retrain_id
        #: From Run.retrain: False when an earlier request with the same idempotency key started it.
        self.created = created

    def __repr__(self) -> str:
        return f"Retrain({self.id!r})"

    def _path(self, suffix: str = "") -> str:
        return f"/api/retrains/{quote(self.id, safe='')}{suffix}"

    def get(self) -> models.Retrain:
        """Status, step, and once finished the costs and accuracies of the retrained network."""
        return models.Retrain.model_validate_json(self._transport.request("GET", self._path()).content)

    def download_model(self, directory: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Writes the retrained network into `directory` (made if missing) as a TF.js Layers model:
        model.json, whose weightsManifest names weights.bin (float32, in manifest order), and
        weights.bin. Returns the model.json path: `tf.loadLayersModel("file://<path>")` in
        tfjs-node, or `tensorflowjs_converter --input_format tfjs_layers_model --output_format
        keras <path> model.h5` for Keras. Its `userDefinedMetadata` states the input normalization
        the network was trained with.

        409 `model_not_ready` until the retrain completed. Both files are downloaded before either
        is written, and FileExistsError keeps an earlier download unless `overwrite`.
        """
        target = Path(directory)
        paths = (target / MODEL_JSON_FILE, target / WEIGHTS_FILE)
        if not overwrite:
            existing = [str(path) for path in paths if path.exists()]
            if existing:
                raise FileExistsError(f"{', '.join(existing)} already exist(s); pass overwrite=True to replace")
        model_json = self._transport.request("GET", self._path("/model.json")).content
        weights = self._transport.request("GET", self._path("/weights.bin"), headers={"accept": "application/octet-stream"}).content
        json.loads(model_json)  # an answer that is not JSON raises here, before anything is written
        target.mkdir(parents=True, exist_ok=True)
        for path, data in zip(paths, (model_json, weights)):
            _write_atomically(path, data)
        return paths[0]

    def wait(self, *, progress: bool = True, timeout: float | None = None, poll_interval: float = 1.0) -> models.Retrain:
        """Polls until the retrain completed, failed or was cancelled, and returns its final state.

        A failed retrain is returned, not raised: its `error` says why. TimeoutError after `timeout`
        seconds (the retrain goes on).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        display = step_display(progress, f"retrain {self.id}")
        try:
            while True:
                retrain = self.get()
                accuracy = "" if retrain.val_accuracy is None else f"val accuracy {retrain.val_accuracy:.3f}"
                display.update(retrain.status, retrain.step, retrain.total_steps, retrain.error or accuracy)
                if retrain.status in TERMINAL_RETRAIN_STATUSES:
                    return retrain
                if deadline is not None and time.monotonic() + poll_interval > deadline:
                    raise TimeoutError(f"retrain {self.id} did not finish within {timeout} s (it goes on running)")
                time.sleep(poll_interval)
        finally:
            display.close()


class Run:
    """One structure-learning run of a sweep (one strength, threshold and seed)."""

    def __init__(self, transport: Transport, run_id: str) -> None:
        self._transport = transport
        self.id = run_id

    def __repr__(self) -> str:
        return f"Run({self.id!r})"

    def _path(self, suffix: str = "") -> str:
        return f"/api/runs/{quote(self.id, safe='')}{suffix}"

    def get(self) -> models.RunDetail:
        """The run with its curve, per-layer widths (once finished) and retrains."""
        return models.RunDetail.model_validate_json(self._transport.request("GET", self._path()).content)

    def structure(self, format: StructureFormat = "morphsweep") -> dict[str, Any]:
        """The learned structure: MorphSweep's rebuildable JSON, or `morphnet` for MorphNet's flat
        {layer: alive output channels} view. 409 `structure_not_ready` until the run completes."""
        response = self._transport.request("GET", self._path("/structure"), params={"format": format})
        structure: dict[str, Any] = response.json()
        return structure

    def retrain(
        self,
        *,
        width_multiplier: float | None = None,
        target_cost: float | None = None,
        idempotency_key: str | None = None,
    ) -> Retrain:
        """Retrains the learned structure from scratch without the regularizer: as learned, every
        layer scaled by `width_multiplier`, or scaled to `target_cost` on the sweep's cost axis (at
        most one of the two). 409 `retrain_rejected` for a target below the structure's narrowest
        cost (`get().narrowest_cost`).

        The request carries an Idempotency-Key (a fresh UUID unless given), so the retry of a call
        whose answer was lost returns the retrain it started (`created` False) instead of starting
        a second one; the same key with other options is 409 `idempotency_key_reused`.
        """
        body: dict[str, float] = {}
        if width_multiplier is not None:
            body["widthMultiplier"] = width_multiplier
        if target_cost is not None:
            body["targetCost"] = target_cost
        key = idempotency_key if idempotency_key is not None else str(uuid.uuid4())
        response = self._transport.request("POST", self._path("/retrain"), json=body, headers={"idempotency-key": key})
        created = models.RetrainCreated.model_validate_json(response.content)
        return Retrain(self._transport, created.retrain_id, created=response.status_code == 202)

    def evidence(self, *, seeds: int = 3, expand_to: ExpandTo | None = None) -> Evidence:
        """Is the learned structure better than making every layer thinner? Retrains `seeds` seeds
        (2..10) of the structure and as many of the seed network scaled by the largest uniform width
        multiplier whose cost is not above the structure's; `expand_to` (a cost, or "seed" for the
        seed network's) also retrains both widened to that cost, MorphNet's expand step. Returns the
        handle at once; `wait()` follows the arms, then `frame()` and `comparisons()` hold the
        answer: mean test accuracies and a 95 % Welch interval of their difference.

        409 `run_not_completed` unless the run completed, `retrain_rejected` when `expand_to` is not
        above the structure's cost. Not retried after a lost answer: the server keeps no idempotency
        key for it, so a repeat would start a second evidence run (`Sweep.evidence()` lists them).
        """
        body: dict[str, Any] = {"seeds": seeds}
        if expand_to is not None:
            body["expandTo"] = expand_to
        response = self._transport.request("POST", self._path("/evidence"), json=body)
        return Evidence(self._transport, models.EvidenceCreated.model_validate_json(response.content).evidence_id)

    def curve(self) -> pandas.DataFrame:
        return curve_frame(self.get().curve)

    def layers(self) -> pandas.DataFrame:
        """Alive output channels per regularized layer beside the seed width (empty until finished)."""
        return layers_frame(self.get().layers or [])


def _write_atomically(path: Path, data: bytes) -> None:
    """A reader never sees half a file, and a failed write leaves the old one."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
