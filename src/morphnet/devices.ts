import { UnknownDeviceError } from './errors.ts';

export interface DeviceSpec {
  /** Peak compute in GFLOP/s, so FLOPs / peakGflops is a time in nanoseconds. */
  peakGflops: number;
  /** Memory bandwidth in GB/s, so bytes / bandwidthGbps is a time in nanoseconds. */
  bandwidthGbps: number;
  source: string;
}

/**
 * The roofline device table. The first six rows are MorphNet's own table (resource_function.py),
 * kept verbatim so latencies compare with published MorphNet numbers (note MorphNet's V100 row is the
 * tensor-core peak while the others are FP32). The newer rows use FP32 (non-tensor-core) peaks from
 * the vendors' datasheets, matching the FP32 training that TF.js does.
 */
export const DEVICES: Readonly<Record<string, DeviceSpec>> = {
  K80: { peakGflops: 8740, bandwidthGbps: 480, source: 'MorphNet resource_function.py (K80 datasheet)' },
  P4: { peakGflops: 5500, bandwidthGbps: 192, source: 'MorphNet resource_function.py (P4 datasheet)' },
  T4: { peakGflops: 8100, bandwidthGbps: 300, source: 'MorphNet resource_function.py (T4 datasheet)' },
  P100: { peakGflops: 9300, bandwidthGbps: 732, source: 'MorphNet resource_function.py (P100 PCIe datasheet)' },
  V100: { peakGflops: 125000, bandwidthGbps: 900, source: 'MorphNet resource_function.py (V100 datasheet)' },
  TPUv2: { peakGflops: 22500, bandwidthGbps: 300, source: 'MorphNet resource_function.py (Dean, NIPS 2017)' },
  A100: {
    peakGflops: 19500,
    bandwidthGbps: 1555,
    source: 'NVIDIA A100 40GB SXM datasheet: FP32 19.5 TFLOPS, 1,555 GB/s HBM2',
  },
  H100: {
    peakGflops: 67000,
    bandwidthGbps: 3350,
    source: 'NVIDIA H100 SXM datasheet: FP32 67 TFLOPS, 3.35 TB/s HBM3',
  },
  L4: {
    peakGflops: 30300,
    bandwidthGbps: 300,
    source: 'NVIDIA L4 datasheet: FP32 30.3 TFLOPS, 300 GB/s GDDR6',
  },
};

export const DEVICE_NAMES: readonly string[] = Object.keys(DEVICES);

export function getDevice(name: string): DeviceSpec {
  const device = DEVICES[name];
  if (!device) throw new UnknownDeviceError(name, DEVICE_NAMES);
  return device;
}
