import type { Normalization, RawSplit, Split } from './types.ts';

const BYTE_VALUES = 256;

/**
 * Per-channel mean and standard deviation of the chosen examples after scaling to [0, 1].
 * A histogram of byte values per channel gives exact sums in one cheap pass, with no float
 * accumulation error over tens of millions of pixels.
 */
export function channelStatistics(split: RawSplit, indices: Uint32Array, pixelsPerImage: number, channels: number): Normalization {
  if (split.pixels instanceof Float32Array) return floatChannelStatistics(split.pixels, indices, pixelsPerImage, channels);
  // Uint32 counts overflow only past 4e9 pixels per channel, far beyond what fits in memory as floats.
  const histogram = new Uint32Array(channels * BYTE_VALUES);
  const pixels = split.pixels;
  for (let position = 0; position < indices.length; position++) {
    const start = indices[position] * pixelsPerImage;
    const end = start + pixelsPerImage;
    if (channels === 1) {
      for (let i = start; i < end; i++) histogram[pixels[i]]++;
    } else {
      for (let i = start, channel = 0; i < end; i++) {
        histogram[channel * BYTE_VALUES + pixels[i]]++;
        if (++channel === channels) channel = 0;
      }
    }
  }
  const meanPerChannel: number[] = [];
  const stdPerChannel: number[] = [];
  for (let channel = 0; channel < channels; channel++) {
    let total = 0;
    let sum = 0;
    let sumOfSquares = 0;
    for (let value = 0; value < BYTE_VALUES; value++) {
      const occurrences = histogram[channel * BYTE_VALUES + value];
      const scaled = value / 255;
      total += occurrences;
      sum += occurrences * scaled;
      sumOfSquares += occurrences * scaled * scaled;
    }
    const mean = total > 0 ? sum / total : 0;
    const std = total > 0 ? Math.sqrt(Math.max(0, sumOfSquares / total - mean * mean)) : 0;
    meanPerChannel.push(mean);
    // A constant channel carries no information; dividing by 1 keeps it finite (all zeros).
    stdPerChannel.push(std > 1e-6 ? std : 1);
  }
  return { pixelScale: 1 / 255, meanPerChannel, stdPerChannel };
}

/** Copies the chosen examples, in order, into a normalized float split through a per-channel lookup table. */
export function materializeSplit(
  split: RawSplit,
  indices: Uint32Array,
  pixelsPerImage: number,
  channels: number,
  normalization: Normalization,
): Split {
  const lookup = new Float32Array(channels * BYTE_VALUES);
  for (let channel = 0; channel < channels; channel++) {
    for (let value = 0; value < BYTE_VALUES; value++) {
      lookup[channel * BYTE_VALUES + value] =
        (value / 255 - normalization.meanPerChannel[channel]) / normalization.stdPerChannel[channel];
    }
  }
  if (split.pixels instanceof Float32Array) return materializeFloatSplit(split, split.pixels, indices, pixelsPerImage, channels, normalization);
  const images = new Float32Array(indices.length * pixelsPerImage);
  const labels = new Int32Array(indices.length);
  const pixels = split.pixels;
  let offset = 0;
  for (let position = 0; position < indices.length; position++) {
    const example = indices[position];
    labels[position] = split.labels[example];
    const start = example * pixelsPerImage;
    const end = start + pixelsPerImage;
    if (channels === 1) {
      for (let i = start; i < end; i++) images[offset++] = lookup[pixels[i]];
    } else {
      for (let i = start, channel = 0; i < end; i++) {
        images[offset++] = lookup[channel * BYTE_VALUES + pixels[i]];
        if (++channel === channels) channel = 0;
      }
    }
  }
  return { images, labels, count: indices.length };
}

/**
 * Float images (an .npz) are standardized as they are, without the /255: per-channel standardization
 * does not depend on the scale, and a user's floats need not lie in [0, 1]. Sums in float64.
 */
function floatChannelStatistics(pixels: Float32Array, indices: Uint32Array, pixelsPerImage: number, channels: number): Normalization {
  const sum = new Float64Array(channels);
  const sumOfSquares = new Float64Array(channels);
  for (let position = 0; position < indices.length; position++) {
    const start = indices[position] * pixelsPerImage;
    for (let i = 0; i < pixelsPerImage; i++) {
      const value = pixels[start + i];
      sum[i % channels] += value;
      sumOfSquares[i % channels] += value * value;
    }
  }
  const perChannel = (indices.length * pixelsPerImage) / channels;
  const meanPerChannel: number[] = [];
  const stdPerChannel: number[] = [];
  for (let channel = 0; channel < channels; channel++) {
    const mean = perChannel > 0 ? sum[channel] / perChannel : 0;
    const std = perChannel > 0 ? Math.sqrt(Math.max(0, sumOfSquares[channel] / perChannel - mean * mean)) : 0;
    meanPerChannel.push(mean);
    stdPerChannel.push(std > 1e-6 ? std : 1);
  }
  return { pixelScale: 1, meanPerChannel, stdPerChannel };
}

function materializeFloatSplit(
  split: RawSplit,
  pixels: Float32Array,
  indices: Uint32Array,
  pixelsPerImage: number,
  channels: number,
  normalization: Normalization,
): Split {
  const images = new Float32Array(indices.length * pixelsPerImage);
  const labels = new Int32Array(indices.length);
  let offset = 0;
  for (let position = 0; position < indices.length; position++) {
    const example = indices[position];
    labels[position] = split.labels[example];
    const start = example * pixelsPerImage;
    for (let i = 0; i < pixelsPerImage; i++) {
      const channel = i % channels;
      images[offset++] = (pixels[start + i] - normalization.meanPerChannel[channel]) / normalization.stdPerChannel[channel];
    }
  }
  return { images, labels, count: indices.length };
}
