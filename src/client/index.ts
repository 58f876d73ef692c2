import type { CostKind, SweepConfigInput } from '../sweep/config.ts';
import type {
  CancelSweepResponse,
  CreateSweepResponse,
  ErrorEnvelope,
  Front,
  ProgressEvent,
  Retrain,
  WorkerStatus,
  Evidence,
  EvidenceList,
  EvidenceRequest,
  RetrainRequest,
  RunDetail,
  RunEvent,
  StructureFormat,
  SweepDetail,
  SweepPage,
  SweepListQuery,
} from './wire.ts';
import type { UserModel } from './wire-models.ts';

// Types only: the dashboard bundles this client for the browser, and re-exporting the schemas' values
// would make every page load and run zod and the whole wire schema set (a fifth of the sweep page's JS).
export type * from './wire.ts';
export type * from './wire-models.ts';

/**
 * The typed client of the MorphSweep HTTP API, for notebooks, scripts and the dashboard. Runs
 * wherever `fetch` exists (Node 20, browsers). Every non-2xx answer becomes a MorphSweepApiError that
 * carries the envelope's code, message and details.
 */

export interface MorphSweepClientOptions {
  /** e.g. http://127.0.0.1:3000; empty for same-origin requests from the dashboard. */
  baseUrl?: string;
  /** Bearer token from `morphsweep token create`; browsers signed in through /api/session need none. */
  token?: string;
  fetch?: typeof fetch;
}

export class MorphSweepApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(`${message} (HTTP ${status} ${code})`);
    this.name = 'MorphSweepApiError';
  }
}

export type SweepStreamEvent =
  | { event: 'progress'; data: ProgressEvent }
  | { event: 'run'; data: RunEvent }
  | { event: 'end'; data: ProgressEvent };

/** Base64 in Node (Buffer) and in browsers (btoa over byte chunks: a spread of megabytes overflows the stack). */
function base64Of(bytes: Uint8Array): string {
  if (typeof Buffer !== 'undefined') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function errorFrom(response: Response): Promise<MorphSweepApiError> {
  const text = await response.text();
  try {
    const { error } = JSON.parse(text) as ErrorEnvelope;
    return new MorphSweepApiError(response.status, error.code, error.message, error.details);
  } catch {
    return new MorphSweepApiError(response.status, 'http_error', text.slice(0, 500) || response.statusText);
  }
}

/** Parses a text/event-stream body into events; comments and unknown fields are skipped. */
async function* parseEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let boundary: number;
      while ((boundary = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, '');
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split(/\r?\n/)) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length > 0) yield { event, data: data.join('\n') };
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

export class MorphSweepClient {
  private readonly baseUrl: string;
  private readonly token?: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: MorphSweepClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.token = options.token;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  private async request<T>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<T> {
    const response = await this.send(method, path, options);
    return (await response.json()) as T;
  }

  private async send(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetchImpl(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  /** Start a sweep. With an idempotencyKey, retrying after a timeout returns the same sweep. */
  createSweep(config: SweepConfigInput, options: { idempotencyKey?: string } = {}): Promise<CreateSweepResponse> {
    const headers: Record<string, string> = options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {};
    return this.request('POST', '/api/sweeps', { body: config, headers });
  }

  listSweeps(query: { status?: string | string[]; tag?: string; limit?: number; cursor?: string } = {}): Promise<SweepPage> {
    const status = Array.isArray(query.status) ? query.status.join(',') : query.status;
    const params: SweepListQuery = { ...query, status };
    return this.request('GET', `/api/sweeps${queryString(params as Record<string, string | number | undefined>)}`);
  }

  /** Every sweep matching the filters, following the cursor across pages. */
  async *allSweeps(query: { status?: string | string[]; tag?: string } = {}): AsyncGenerator<SweepPage['items'][number]> {
    let cursor: string | undefined;
    do {
      const page = await this.listSweeps({ ...query, limit: 100, cursor });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  getSweep(sweepId: string): Promise<SweepDetail> {
    return this.request('GET', `/api/sweeps/${encodeURIComponent(sweepId)}`);
  }

  cancelSweep(sweepId: string): Promise<CancelSweepResponse> {
    return this.request('POST', `/api/sweeps/${encodeURIComponent(sweepId)}/cancel`);
  }

  getFront(sweepId: string, options: { cost?: CostKind } = {}): Promise<Front> {
    return this.request('GET', `/api/sweeps/${encodeURIComponent(sweepId)}/front${queryString({ cost: options.cost })}`);
  }

  getRun(runId: string): Promise<RunDetail> {
    return this.request('GET', `/api/runs/${encodeURIComponent(runId)}`);
  }

  /** The learned structure: MorphSweep's JSON, or `morphnet` for the flat per-layer view. */
  getStructure(runId: string, options: { format?: StructureFormat } = {}): Promise<Record<string, unknown>> {
    return this.request('GET', `/api/runs/${encodeURIComponent(runId)}/structure${queryString({ format: options.format })}`);
  }

  /** Retrain a run's structure. With an idempotencyKey, retrying (or a double click) returns the same retrain. */
  retrain(runId: string, options: RetrainRequest = {}, request: { idempotencyKey?: string } = {}): Promise<{ retrainId: string }> {
    const headers: Record<string, string> = request.idempotencyKey ? { 'idempotency-key': request.idempotencyKey } : {};
    return this.request('POST', `/api/runs/${encodeURIComponent(runId)}/retrain`, { body: options, headers });
  }

  /** Retrain N seeds of the run's structure beside the uniform-width seed network at the same cost. */
  startEvidence(runId: string, options: EvidenceRequest = {}): Promise<{ evidenceId: string }> {
    return this.request('POST', `/api/runs/${encodeURIComponent(runId)}/evidence`, { body: options });
  }

  getEvidence(evidenceId: string): Promise<Evidence> {
    return this.request('GET', `/api/evidence/${encodeURIComponent(evidenceId)}`);
  }

  listSweepEvidence(sweepId: string): Promise<EvidenceList> {
    return this.request('GET', `/api/sweeps/${encodeURIComponent(sweepId)}/evidence`);
  }

  /** Poll until every arm of an evidence run finished and its summary is stored. */
  async waitForEvidence(evidenceId: string, options: { pollMs?: number; timeoutMs?: number } = {}): Promise<Evidence> {
    return this.pollUntil(() => this.getEvidence(evidenceId), (evidence) => evidence.status !== 'pending' && evidence.status !== 'running', options);
  }

  getRetrain(retrainId: string): Promise<Retrain> {
    return this.request('GET', `/api/retrains/${encodeURIComponent(retrainId)}`);
  }

  /**
   * Store a TF.js Layers model.json (and its weight files, concatenated in manifest order) for sweeps
   * to name as {network: {model: modelId}}; every problem comes back at once as a 422 invalid_model.
   */
  uploadModel(modelJson: Record<string, unknown>, weights?: Uint8Array): Promise<UserModel> {
    return this.request('POST', '/api/models', { body: { modelJson, ...(weights ? { weights: base64Of(weights) } : {}) } });
  }

  getModel(modelId: string): Promise<UserModel> {
    return this.request('GET', `/api/models/${encodeURIComponent(modelId)}`);
  }

  /** Where the retrained model.json is served: tf.loadLayersModel(url, {requestInit}) loads it with its weights. */
  retrainedModelUrl(retrainId: string): string {
    return `${this.baseUrl}/api/retrains/${encodeURIComponent(retrainId)}/model.json`;
  }

  /** The retrained network's two files, to write to disk as model.json and weights.bin. */
  async downloadRetrainedModel(retrainId: string): Promise<{ modelJson: Record<string, unknown>; weights: Uint8Array }> {
    const base = `/api/retrains/${encodeURIComponent(retrainId)}`;
    const modelJson = await this.request<Record<string, unknown>>('GET', `${base}/model.json`);
    const response = await this.send('GET', `${base}/weights.bin`, { headers: { accept: 'application/octet-stream' } });
    return { modelJson, weights: new Uint8Array(await response.arrayBuffer()) };
  }

  /** Which workers poll the deployment's task queues; `ready` false means queued work waits for a worker. */
  describeWorkers(): Promise<WorkerStatus> {
    return this.request('GET', '/api/workers');
  }

  /** Progress events of a sweep until it finishes (the `end` event) or `signal` aborts. */
  async *sweepEvents(sweepId: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<SweepStreamEvent> {
    const response = await this.send('GET', `/api/sweeps/${encodeURIComponent(sweepId)}/events`, {
      headers: { accept: 'text/event-stream' },
      signal: options.signal,
    });
    if (!response.body) return;
    for await (const { event, data } of parseEventStream(response.body)) {
      if (event === 'progress' || event === 'run' || event === 'end') {
        yield { event, data: JSON.parse(data) } as SweepStreamEvent;
        if (event === 'end') return;
      }
    }
  }

  /** Poll until a sweep is no longer queued or running. */
  async waitForSweep(sweepId: string, options: { pollMs?: number; timeoutMs?: number } = {}): Promise<SweepDetail> {
    return this.pollUntil(() => this.getSweep(sweepId), (sweep) => sweep.status !== 'queued' && sweep.status !== 'running', options);
  }

  /** Poll until a retrain is no longer pending or running. */
  async waitForRetrain(retrainId: string, options: { pollMs?: number; timeoutMs?: number } = {}): Promise<Retrain> {
    return this.pollUntil(() => this.getRetrain(retrainId), (retrain) => retrain.status !== 'pending' && retrain.status !== 'running', options);
  }

  private async pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, options: { pollMs?: number; timeoutMs?: number }): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`gave up waiting after ${(options.timeoutMs ?? 3_600_000) / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2_000));
    }
  }
}

export function createMorphSweepClient(options: MorphSweepClientOptions = {}): MorphSweepClient {
  return new MorphSweepClient(options);
}
