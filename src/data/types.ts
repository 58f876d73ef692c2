/** One split of a loaded dataset: images row-major as count x H x W x C (NHWC), already normalized. */
export interface Split {
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/** Per-channel statistics of the train split (after scaling to [0,1]) that every split was standardized with. */
export interface Normalization {
  /** What raw pixels are multiplied by before the statistics apply: 1/255 for bytes, 1 for float images. */
  pixelScale: number;
  meanPerChannel: number[];
  stdPerChannel: number[];
}

export interface Dataset {
  /** The spec exactly as the caller gave it. */
  spec: string;
  name: string;
  /** [height, width, channels] */
  inputShape: [number, number, number];
  numClasses: number;
  classNames?: string[];
  normalization: Normalization;
  train: Split;
  validation: Split;
  test: Split;
}

export interface LoadOptions {
  /** Seeds the train/validation split and the test subset; default 0. */
  seed?: number;
  /** Share of the train pool held out as validation, in [0, 1); default 0.1. */
  validationFraction?: number;
  /**
   * Take only the first N examples after the seeded shuffle, so small runs stay representative.
   * `train` caps the pool drawn from the training file; validation is carved from that pool, so
   * train.count + validation.count == min(limit.train, available). `test` caps the test split.
   * A limit above what the files hold takes everything.
   */
  limit?: { train?: number; test?: number };
}

/**
 * A dataset as the file readers produce it: unnormalized bytes (0..255) or, from an .npz, float32
 * values in the user's own scale, NHWC, before shuffling.
 * Kept separate from Dataset so one parsed file serves any seed, limit or validation fraction.
 */
export interface RawSplit {
  pixels: Uint8Array | Float32Array;
  labels: Int32Array;
  count: number;
}

export interface RawDataset {
  name: string;
  inputShape: [number, number, number];
  numClasses: number;
  classNames?: string[];
  train: RawSplit;
  test: RawSplit;
}
