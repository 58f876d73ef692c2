# Generated from the MorphSweep OpenAPI document (/api/openapi.json) by
# clients/python/scripts/regenerate_models.py with datamodel-code-generator; do not edit by hand.

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from typing_extensions import TypeAliasType


class Network(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    name: Literal['reference-cnn', 'resnet', 'mobilenet']
    width_multiplier: Annotated[
        float | None, Field(alias='widthMultiplier', gt=0.0, le=8.0)
    ] = 1


class Network1(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    model: Annotated[str, Field(pattern='^sha256:[0-9a-f]{64}$')]
    initial_weights: Annotated[
        Literal['stored', 'fresh'] | None, Field(alias='initialWeights')
    ] = None


class Regularizer(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    algorithm: Literal['gamma', 'group-lasso', 'logistic-sigmoid']
    cost: Literal['flops', 'model-size', 'latency']
    hardware: str | None = None


Threshold = TypeAliasType("Threshold", Annotated[float, Field(gt=0.0)])


Value = TypeAliasType("Value", Annotated[float, Field(gt=0.0)])


class Strengths(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    values: Annotated[list[Value], Field(max_length=1000, min_length=1)]


class Grid(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    decades: Annotated[float | None, Field(ge=0.0, le=8.0)] = 1
    per_decade: Annotated[int | None, Field(alias='perDecade', ge=1, le=20)] = 2
    center: Annotated[float | None, Field(gt=0.0)] = None


class Strengths1(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    grid: Grid


class Target(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    cost: Annotated[float | None, Field(gt=0.0)] = None
    fraction_of_seed: Annotated[
        float | None, Field(alias='fractionOfSeed', gt=0.0, lt=1.0)
    ] = None
    tolerance: Annotated[float | None, Field(gt=0.0, le=0.5)] = 0.05
    max_rounds: Annotated[int | None, Field(alias='maxRounds', ge=1, le=30)] = 8


class Strengths2(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    target: Target


class Training(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    steps: Annotated[int | None, Field(ge=1, le=1000000)] = None
    epochs: Annotated[float | None, Field(gt=0.0, le=1000.0)] = None
    batch_size: Annotated[int | None, Field(alias='batchSize', ge=1, le=4096)] = 64
    learning_rate: Annotated[
        float | None, Field(alias='learningRate', gt=0.0, le=10.0)
    ] = 0.05
    optimizer: Literal['adam', 'sgd', 'momentum', 'rmsprop'] | None = 'momentum'
    weight_decay: Annotated[
        float | None, Field(alias='weightDecay', ge=0.0, le=1.0)
    ] = 0.0005
    eval_every: Annotated[
        int | None, Field(alias='evalEvery', ge=1, le=9007199254740991)
    ] = 50
    checkpoint_every: Annotated[
        int | None, Field(alias='checkpointEvery', ge=1, le=9007199254740991)
    ] = 50


Seed = TypeAliasType("Seed", Annotated[int, Field(ge=0, le=2147483647)])


class SweepConfig(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    name: Annotated[str, Field(max_length=200, min_length=1)]
    tags: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] | None,
        Field(max_length=32),
    ] = []
    dataset: Annotated[str, Field(max_length=500, min_length=1)]
    data_limit: Annotated[
        int | None, Field(alias='dataLimit', ge=1, le=9007199254740991)
    ] = None
    validation_fraction: Annotated[
        float | None, Field(alias='validationFraction', gt=0.0, le=0.5)
    ] = 0.1
    network: Network | Network1
    regularizer: Regularizer
    thresholds: Annotated[list[Threshold], Field(max_length=100, min_length=1)]
    strengths: Strengths | Strengths1 | Strengths2
    training: Training
    seeds: Annotated[list[Seed] | None, Field(max_length=100, min_length=1)] = [0]
    concurrency: Annotated[int | None, Field(ge=1, le=1024)] = 4


class Error(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    code: str
    """
    stable machine-readable code, e.g. validation_failed
    """
    message: str
    """
    what was wrong and what to do
    """
    details: Any | None = None


class ErrorEnvelope(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    error: Error


class FieldProblem(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    path: str
    message: str
    value: Any | None = None


class Costs(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    flops: float | None
    model_size: Annotated[float | None, Field(alias='modelSize')]
    latency_ns: Annotated[float | None, Field(alias='latencyNs')]


class RunCounts(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    total: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    pending: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    running: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    completed: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    failed: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    cancelled: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]


class BestPoint(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    run_id: Annotated[str, Field(alias='runId')]
    accuracy: float
    """
    validation accuracy
    """
    cost: float | None
    """
    hard cost on the sweep's target axis
    """


class SweepSummary(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    id: str
    name: str
    status: Literal['queued', 'running', 'completed', 'failed', 'cancelled']
    tags: list[str]
    cost_axis: Annotated[
        Literal['flops', 'model-size', 'latency'], Field(alias='costAxis')
    ]
    runs: RunCounts
    best: BestPoint | None
    """
    the completed run with the highest validation accuracy
    """
    created_at: Annotated[str, Field(alias='createdAt')]
    """
    ISO 8601 timestamp (UTC)
    """
    started_at: Annotated[str | None, Field(alias='startedAt')]
    finished_at: Annotated[str | None, Field(alias='finishedAt')]


class SweepPage(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    items: list[SweepSummary]
    next_cursor: Annotated[str | None, Field(alias='nextCursor')]
    """
    pass as ?cursor= for the next page; null on the last page
    """


class LiveRun(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    run_id: Annotated[str, Field(alias='runId')]
    strength: float
    threshold: float
    seed: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    step: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    total_steps: Annotated[
        int, Field(alias='totalSteps', ge=-9007199254740991, le=9007199254740991)
    ]
    loss: float
    reg_loss: Annotated[float, Field(alias='regLoss')]
    cost: float
    """
    hard cost on the sweep's target axis at this step
    """
    accuracy: float | None
    attempt: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]


class Counts(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    pending: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    running: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    completed: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    failed: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    cancelled: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]


class LiveProgress(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    state: Literal[
        'measuring', 'running', 'cancelling', 'completed', 'failed', 'cancelled'
    ]
    initial_cost: Annotated[float | None, Field(alias='initialCost')]
    """
    the seed network's cost on the target axis
    """
    total_runs: Annotated[
        int, Field(alias='totalRuns', ge=-9007199254740991, le=9007199254740991)
    ]
    counts: Counts
    running: list[LiveRun]
    """
    runs training right now, with their latest heartbeat
    """


class CreateSweepResponse(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    sweep_id: Annotated[str, Field(alias='sweepId')]
    created: bool
    """
    false when an earlier request with the same Idempotency-Key made it
    """
    warnings: list[str] | None = None
    """
    what the sweep of a user's model will not learn (e.g. layers without batch norm under gamma)
    """


class CancelSweepResponse(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    sweep_id: Annotated[str, Field(alias='sweepId')]
    status: Literal['queued', 'running', 'completed', 'failed', 'cancelled']


class FrontPoint(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    run_id: Annotated[str, Field(alias='runId')]
    strength: float
    threshold: float
    seed: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    cost: float
    accuracy: float
    """
    validation accuracy
    """


class ReferencePoint(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    cost: float
    accuracy: float | None


class RetrainedPoint(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    retrain_id: Annotated[str, Field(alias='retrainId')]
    run_id: Annotated[str, Field(alias='runId')]
    width_multiplier: Annotated[float | None, Field(alias='widthMultiplier')]
    target_cost: Annotated[float | None, Field(alias='targetCost')]
    cost: float
    accuracy: float


class Front(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    sweep_id: Annotated[str, Field(alias='sweepId')]
    cost: Literal['flops', 'model-size', 'latency']
    seed_network: Annotated[ReferencePoint | None, Field(alias='seedNetwork')]
    """
    the full-width seed network
    """
    pareto: list[FrontPoint]
    """
    non-dominated completed runs, by ascending cost
    """
    dominated: list[FrontPoint]
    retrained: list[RetrainedPoint]
    """
    finished retrains of any run of this sweep
    """


class CurvePoint(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    step: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    task_loss: Annotated[float, Field(alias='taskLoss')]
    reg_loss: Annotated[float, Field(alias='regLoss')]
    cost: float
    val_accuracy: Annotated[float | None, Field(alias='valAccuracy')]


class LayerWidth(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    name: str
    kind: Literal['conv', 'depthwise', 'dense']
    alive: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    """
    output channels the learned structure keeps
    """
    seed: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    """
    output channels of the seed network's layer
    """
    fixed: bool
    """
    width fixed by the task (e.g. the logits); never pruned
    """


class Retrain(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    id: str
    run_id: Annotated[str, Field(alias='runId')]
    sweep_id: Annotated[str, Field(alias='sweepId')]
    status: Literal['pending', 'running', 'completed', 'failed', 'cancelled']
    width_multiplier: Annotated[float | None, Field(alias='widthMultiplier')]
    target_cost: Annotated[float | None, Field(alias='targetCost')]
    cost_axis: Annotated[
        Literal['flops', 'model-size', 'latency'], Field(alias='costAxis')
    ]
    step: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    total_steps: Annotated[
        int, Field(alias='totalSteps', ge=-9007199254740991, le=9007199254740991)
    ]
    costs: Costs
    val_accuracy: Annotated[float | None, Field(alias='valAccuracy')]
    test_accuracy: Annotated[float | None, Field(alias='testAccuracy')]
    error: str | None
    engine: str | None
    """
    the TF.js engine that trained it: backend, versions, devices, threads; null until it starts (and for rows from before engines were recorded)
    """
    created_at: Annotated[str, Field(alias='createdAt')]
    """
    ISO 8601 timestamp (UTC)
    """
    finished_at: Annotated[str | None, Field(alias='finishedAt')]


class RunDetail(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    id: str
    sweep_id: Annotated[str, Field(alias='sweepId')]
    strength: float
    threshold: float
    seed: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    status: Literal['pending', 'running', 'completed', 'failed', 'cancelled']
    attempt: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    step: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    total_steps: Annotated[
        int, Field(alias='totalSteps', ge=-9007199254740991, le=9007199254740991)
    ]
    costs: Costs
    val_accuracy: Annotated[float | None, Field(alias='valAccuracy')]
    test_accuracy: Annotated[float | None, Field(alias='testAccuracy')]
    error: str | None
    engine: str | None
    """
    the TF.js engine that trained it: backend, versions, devices, threads; null until it starts (and for rows from before engines were recorded)
    """
    created_at: Annotated[str, Field(alias='createdAt')]
    """
    ISO 8601 timestamp (UTC)
    """
    started_at: Annotated[str | None, Field(alias='startedAt')]
    finished_at: Annotated[str | None, Field(alias='finishedAt')]
    curve: list[CurvePoint]
    """
    by ascending step
    """
    narrowest_cost: Annotated[Costs | None, Field(alias='narrowestCost')]
    """
    costs of the structure rebuilt with every layer at about one channel: the lowest target cost a retrain can meet
    """
    layers: list[LayerWidth] | None
    """
    alive output channels per regularized layer beside the seed width; null until the run finishes
    """
    retrains: list[Retrain]


class RetrainRequest(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    width_multiplier: Annotated[
        float | None, Field(alias='widthMultiplier', gt=0.0, le=8.0)
    ] = None
    target_cost: Annotated[float | None, Field(alias='targetCost', gt=0.0)] = None


class RetrainCreated(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    retrain_id: Annotated[str, Field(alias='retrainId')]


ExpandTo = TypeAliasType("ExpandTo", Annotated[float, Field(gt=0.0)])
"""
also retrain both arms widened to this cost ('seed': the seed network's cost), MorphNet's expand step
"""


class EvidenceRequest(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    seeds: Annotated[int | None, Field(ge=2, le=10)] = None
    """
    retrained seeds per arm; default 3
    """
    expand_to: Annotated[ExpandTo | Literal['seed'] | None, Field(alias='expandTo')] = (
        None
    )
    """
    also retrain both arms widened to this cost ('seed': the seed network's cost), MorphNet's expand step
    """


class EvidenceCreated(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    evidence_id: Annotated[str, Field(alias='evidenceId')]


class TestAccuracy(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    mean: float
    sd: float


class ValAccuracy(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    mean: float
    sd: float


class Arm(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    arm: Literal['structure', 'uniform', 'structure-expanded', 'uniform-expanded']
    count: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    cost: float
    """
    cost on the sweep's axis of the network this arm trained
    """
    width_multiplier: Annotated[float, Field(alias='widthMultiplier')]
    test_accuracy: Annotated[TestAccuracy, Field(alias='testAccuracy')]
    val_accuracy: Annotated[ValAccuracy, Field(alias='valAccuracy')]


class Interval(BaseModel):
    """
    test accuracy of the structure minus the uniform baseline, Welch t interval
    """

    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    difference: float
    low: float
    high: float
    degrees_of_freedom: Annotated[float | None, Field(alias='degreesOfFreedom')]
    level: float


class Comparison(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    structure_arm: Annotated[
        Literal['structure', 'structure-expanded'], Field(alias='structureArm')
    ]
    baseline_arm: Annotated[
        Literal['uniform', 'uniform-expanded'], Field(alias='baselineArm')
    ]
    interval: Interval
    """
    test accuracy of the structure minus the uniform baseline, Welch t interval
    """
    winner: Literal['structure', 'uniform', 'undecided']


class EvidenceSummary(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    arms: list[Arm]
    comparisons: list[Comparison]


class Arm1(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    retrain_id: Annotated[str, Field(alias='retrainId')]
    arm: Literal['structure', 'uniform', 'structure-expanded', 'uniform-expanded']
    seed: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    status: Literal['pending', 'running', 'completed', 'failed', 'cancelled']
    width_multiplier: Annotated[float | None, Field(alias='widthMultiplier')]
    step: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    total_steps: Annotated[
        int, Field(alias='totalSteps', ge=-9007199254740991, le=9007199254740991)
    ]
    costs: Costs
    val_accuracy: Annotated[float | None, Field(alias='valAccuracy')]
    test_accuracy: Annotated[float | None, Field(alias='testAccuracy')]
    error: str | None


class Evidence(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    id: str
    run_id: Annotated[str, Field(alias='runId')]
    sweep_id: Annotated[str, Field(alias='sweepId')]
    status: Literal['pending', 'running', 'completed', 'failed', 'cancelled']
    seeds: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    expand_to: Annotated[float | None, Field(alias='expandTo')]
    cost_axis: Annotated[
        Literal['flops', 'model-size', 'latency'], Field(alias='costAxis')
    ]
    summary: EvidenceSummary | None
    """
    set once every arm finished
    """
    arms: list[Arm1]
    error: str | None
    created_at: Annotated[str, Field(alias='createdAt')]
    """
    ISO 8601 timestamp (UTC)
    """
    finished_at: Annotated[str | None, Field(alias='finishedAt')]


class EvidenceList(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    evidence: list[Evidence]


Steps = TypeAliasType(
    "Steps", Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
)
"""
fewer than configured when the probe stopped early, settled off target
"""


class Probe(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    run_id: Annotated[str, Field(alias='runId')]
    strength: float
    state: Literal['running', 'completed', 'failed', 'cancelled']
    cost: float | None
    val_accuracy: Annotated[float | None, Field(alias='valAccuracy')]
    steps: Steps | None
    """
    fewer than configured when the probe stopped early, settled off target
    """


class Round(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    round: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    probes: list[Probe]


class Outcome(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    kind: Literal['hit']
    run_id: Annotated[str, Field(alias='runId')]
    cost: float
    message: str


class Above(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    run_id: Annotated[str, Field(alias='runId')]
    strength: float
    cost: float


class Below(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    run_id: Annotated[str, Field(alias='runId')]
    strength: float
    cost: float


class Outcome1(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    kind: Literal['jump']
    above: Above
    below: Below
    suggested_width_multiplier: Annotated[
        float | None, Field(alias='suggestedWidthMultiplier')
    ]
    message: str


class Outcome2(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    kind: Literal['exhausted']
    above: Above | None
    below: Below | None
    message: str


class TargetSearch(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    target_cost: Annotated[float, Field(alias='targetCost')]
    tolerance: float
    rounds: list[Round]
    outcome: Outcome | Outcome1 | Outcome2 | None


class ProgressEvent(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    sweep_id: Annotated[str, Field(alias='sweepId')]
    status: Literal['queued', 'running', 'completed', 'failed', 'cancelled']
    runs: RunCounts


class RunEvent(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    run_id: Annotated[str, Field(alias='runId')]
    status: Literal['pending', 'running', 'completed', 'failed', 'cancelled']
    step: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    total_steps: Annotated[
        int, Field(alias='totalSteps', ge=-9007199254740991, le=9007199254740991)
    ]
    strength: float
    threshold: float
    costs: Costs
    val_accuracy: Annotated[float | None, Field(alias='valAccuracy')]


class SessionRequest(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    token: Annotated[str, Field(max_length=200, min_length=1)]


class Health(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    ok: Literal[True]
    auth_required: Annotated[bool, Field(alias='authRequired')]


class UploadModelRequest(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    model_json: Annotated[dict[str, Any], Field(alias='modelJson')]
    """
    the model.json object as TF.js model.save() or tensorflowjs_converter wrote it (modelTopology, weightsManifest?)
    """
    weights: Annotated[str | None, Field(pattern='^[A-Za-z0-9+/]*={0,2}$')] = None
    """
    base64 of the manifest's weight files concatenated in manifest order; leave out to send the topology alone (runs then start from fresh weights)
    """


class ModelProblem(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    layer: str | None = None
    """
    the layer at fault, when there is one
    """
    class_name: Annotated[str | None, Field(alias='className')] = None
    message: str
    """
    what is wrong and what to do
    """


class UserModelSummary(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    name: str
    layers: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    params: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    input_shape: Annotated[list[float | None], Field(alias='inputShape')]
    output_width: Annotated[float | None, Field(alias='outputWidth')]
    output_softmax: Annotated[bool, Field(alias='outputSoftmax')]
    """
    the output ends in a softmax: training takes it off (logits), exports put it back
    """
    has_weights: Annotated[bool, Field(alias='hasWeights')]
    prunable_layers: Annotated[list[str], Field(alias='prunableLayers')]
    """
    conv, depthwise and dense layers whose widths MorphNet learns
    """


class UserModel(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    model_id: Annotated[str, Field(alias='modelId')]
    """
    "sha256:<hex>" of the topology, weight specs and weights: put it in a sweep config as network.model
    """
    created: bool | None = None
    """
    false when the same content was stored before
    """
    summary: UserModelSummary
    warnings: list[str] | None = None
    size_bytes: Annotated[
        int | None, Field(alias='sizeBytes', ge=-9007199254740991, le=9007199254740991)
    ] = None
    created_at: Annotated[str | None, Field(alias='createdAt')] = None


class Poller(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    identity: str
    last_polled_at: Annotated[str | None, Field(alias='lastPolledAt')]


class Queue(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    task_queue: Annotated[str, Field(alias='taskQueue')]
    role: Literal['workflows', 'bookkeeping', 'training']
    pollers: list[Poller]
    listening: bool


class WorkerStatus(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    ready: bool
    """
    every task queue has a worker that polled in the last 2 minutes: queued work will be picked up
    """
    queues: list[Queue]


class SweepDetail(BaseModel):
    model_config = ConfigDict(
        extra='ignore',
        populate_by_name=True,
    )
    id: str
    name: str
    status: Literal['queued', 'running', 'completed', 'failed', 'cancelled']
    tags: list[str]
    cost_axis: Annotated[
        Literal['flops', 'model-size', 'latency'], Field(alias='costAxis')
    ]
    runs: RunCounts
    best: BestPoint | None
    """
    the completed run with the highest validation accuracy
    """
    created_at: Annotated[str, Field(alias='createdAt')]
    """
    ISO 8601 timestamp (UTC)
    """
    started_at: Annotated[str | None, Field(alias='startedAt')]
    finished_at: Annotated[str | None, Field(alias='finishedAt')]
    config: dict[str, Any]
    """
    the validated sweep config, defaults filled in
    """
    seed_cost: Annotated[Costs | None, Field(alias='seedCost')]
    seed_accuracy: Annotated[float | None, Field(alias='seedAccuracy')]
    error: str | None
    live: LiveProgress | None
    """
    the workflow's own answer while the sweep runs; null when finished or unreachable
    """
    target_search: Annotated[TargetSearch | None, Field(alias='targetSearch')] = None
    """
    a target-cost sweep: every round of probes (stored after each round) and the outcome; null for grid sweeps
    """
