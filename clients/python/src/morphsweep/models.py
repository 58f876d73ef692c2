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
    network: Network
    regularizer: Regularizer
    thresholds: Annotated[list[Threshold], Field(max_length=100, min_length=1)]
    strengths: Strengths | Strengths1
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
