import { Tile } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo, TileAttrs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runOriginal } from './toolkit.ts';

/**
 * Tile as block copies. wasm's Tile computes an index per element (tiling a [1,1,1,32] batch-norm
 * scale to [128,28,28,32] in the BN gradient took over a second); copying whole runs and doubling
 * them with copyWithin runs at memcpy speed.
 */
function tile(args: { inputs: { x?: TensorInfo }; backend: BackendWasm; attrs: TileAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x!;
  if (x.dtype === 'string') return runOriginal(backend, Tile, { x }, attrs as never);
  const reps = attrs.reps;
  const outShape = x.shape.map((size, axis) => size * reps[axis]!);
  const out = backend.makeOutput(outShape, x.dtype);
  if (outShape.includes(0)) return out;
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  writeTiled(source, x.shape, reps, target);
  return out;
}

/**
 * Writes `source` (shape `shape`) tiled by `reps` into `target`. Works from the innermost axis
 * out: each input block of the axes from `axis` inward becomes `reps[axis]` copies of itself.
 */
function writeTiled(
  source: ArrayLike<number> & { subarray(begin: number, end: number): ArrayLike<number> },
  shape: number[],
  reps: number[],
  target: { set(values: ArrayLike<number>, offset: number): void; copyWithin(to: number, from: number, end: number): unknown },
): void {
  const rank = shape.length;
  if (rank === 0) {
    target.set(source.subarray(0, 1), 0);
    return;
  }
  // Tiled size of the axes inside `axis` (the contiguous block one element of `axis` expands to).
  const tiledInner = new Array<number>(rank + 1).fill(1);
  for (let axis = rank - 1; axis >= 0; axis--) tiledInner[axis] = tiledInner[axis + 1]! * shape[axis]! * reps[axis]!;
  const innerLength = shape[rank - 1]!;
  // Lay the source rows out at their tiled positions, then fill the repeats axis by axis.
  const outerRows = shapeSize(shape) / innerLength;
  const rowIndex = new Array<number>(rank - 1).fill(0);
  for (let row = 0; row < outerRows; row++) {
    let offset = 0;
    for (let axis = 0; axis < rank - 1; axis++) offset += rowIndex[axis]! * tiledInner[axis + 1]!;
    target.set(source.subarray(row * innerLength, (row + 1) * innerLength), offset);
    for (let axis = rank - 2; axis >= 0; axis--) {
      if (++rowIndex[axis]! < shape[axis]!) break;
      rowIndex[axis] = 0;
    }
  }
  for (let axis = rank - 1; axis >= 0; axis--) {
    if (reps[axis] === 1) continue;
    const block = shape[axis]! * tiledInner[axis + 1]!;
    const outerBlocks = shapeSize(shape.slice(0, axis));
    for (let outer = 0; outer < outerBlocks; outer++) {
      let offset = 0;
      let rest = outer;
      for (let a = axis - 1; a >= 0; a--) {
        offset += (rest % shape[a]!) * tiledInner[a + 1]!;
        rest = Math.floor(rest / shape[a]!);
      }
      for (let filled = block; filled < block * reps[axis]!; filled *= 2) {
        const length = Math.min(filled, block * reps[axis]! - filled);
        target.copyWithin(offset + filled, offset, offset + length);
      }
    }
  }
}

function shapeSize(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'wasm',
  kernelFunc: tile as unknown as KernelConfig['kernelFunc'],
};
