import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * A minimal WebAssembly assembler for small SIMD loops that work in the wasm backend's own memory
 * (plain JS loops over tensors run ~4x slower than wasm's kernels). A module imports the backend's
 * memory as env.memory; its functions take i32 byte offsets into it and return nothing.
 */

export const I32 = 0x7f;
export const V128 = 0x7b;

/** An instruction's encoding. Loads and stores assume no alignment: tensor buffers are only 8-byte aligned. */
export const op = {
  localGet: (index: number) => [0x20, ...unsignedLeb(index)],
  localSet: (index: number) => [0x21, ...unsignedLeb(index)],
  localTee: (index: number) => [0x22, ...unsignedLeb(index)],
  i32Const: (value: number) => [0x41, ...signedLeb(value)],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32Ne: [0x47],
  i32GtU: [0x4b],
  i32GeU: [0x4f],
  select: [0x1b],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  end: [0x0b],
  /** v128.load from (address on the stack) + byteOffset. */
  v128Load: (byteOffset = 0) => [0xfd, 0x00, 0x00, ...unsignedLeb(byteOffset)],
  v128Store: (byteOffset = 0) => [0xfd, 0x0b, 0x00, ...unsignedLeb(byteOffset)],
  /** i32.load from (address on the stack) + byteOffset. */
  i32Load: (byteOffset = 0) => [0x28, 0x00, ...unsignedLeb(byteOffset)],
  /** f32.load from (address on the stack) + byteOffset. */
  f32Load: (byteOffset = 0) => [0x2a, 0x00, ...unsignedLeb(byteOffset)],
  f32Store: (byteOffset = 0) => [0x38, 0x00, ...unsignedLeb(byteOffset)],
  f32x4Splat: [0xfd, 0x13],
  v128And: [0xfd, 0x4e],
  f32x4Gt: [0xfd, 0x44],
  f32x4Add: [0xfd, 0xe4, 0x01],
  f32x4Sub: [0xfd, 0xe5, 0x01],
  f32x4Mul: [0xfd, 0xe6, 0x01],
};

export function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

const vector = (items: number[][]) => [...unsignedLeb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...unsignedLeb(body.length), ...body];
const name = (text: string) => [...unsignedLeb(text.length), ...new TextEncoder().encode(text)];

/** address = base + offset (both locals). */
export const address = (base: number, offset: number) => [...op.localGet(base), ...op.localGet(offset), ...op.i32Add];

/** One exported function: `params` i32 parameters, then `i32Locals` i32 and `v128Locals` v128 locals. */
export interface SimdFunction {
  name: string;
  params: number;
  i32Locals: number;
  v128Locals: number;
  code: number[];
}

function functionBody(fn: SimdFunction): number[] {
  const locals = [
    ...(fn.i32Locals > 0 ? [[...unsignedLeb(fn.i32Locals), I32]] : []),
    ...(fn.v128Locals > 0 ? [[...unsignedLeb(fn.v128Locals), V128]] : []),
  ];
  const body = [...vector(locals), ...fn.code, ...op.end];
  return [...unsignedLeb(body.length), ...body];
}

function moduleBytes(functions: SimdFunction[], sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  const paramCounts = [...new Set(functions.map((fn) => fn.params))];
  const functionType = (params: number) => [0x60, ...unsignedLeb(params), ...new Array<number>(params).fill(I32), 0x00];
  // Shared memories must declare a maximum; 65536 pages (4 GiB) admits any imported maximum.
  const memoryLimits = sharedMemory ? [0x03, 0x01, ...unsignedLeb(65536)] : [0x00, 0x01];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(paramCounts.map(functionType))),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, ...memoryLimits]])),
    ...section(3, vector(functions.map((fn) => unsignedLeb(paramCounts.indexOf(fn.params))))),
    ...section(7, vector(functions.map((fn, index) => [...name(fn.name), 0x00, ...unsignedLeb(index)]))),
    ...section(10, vector(functions.map(functionBody))),
  ]);
}

/** Instances per backend memory and module key (a backend re-created after a reload has a new memory). */
const instances = new WeakMap<WebAssembly.Memory, Map<string, WebAssembly.Exports>>();

/**
 * The module of `functions` instantiated on the backend's memory, once per memory and key; its
 * exports are the functions by name.
 */
export function simdFunctions<Exports>(backend: BackendWasm, key: string, functions: () => SimdFunction[]): Exports {
  const module = backend.wasm as unknown as { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (memory === undefined) throw new Error('The wasm backend exposes no WebAssembly.Memory; is @tensorflow/tfjs-backend-wasm 4.22 installed?');
  let byKey = instances.get(memory);
  if (byKey === undefined) instances.set(memory, (byKey = new Map()));
  let exports = byKey.get(key);
  if (exports === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    exports = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(functions(), shared)), { env: { memory } }).exports;
    byKey.set(key, exports);
  }
  return exports as Exports;
}

/** A tensor's byte offset in the backend's memory. */
export function byteOffsetOf(backend: BackendWasm, dataId: object): number {
  return (backend.dataIdMap.get(dataId) as { memoryOffset: number }).memoryOffset;
}
