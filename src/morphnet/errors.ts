/**
 * Errors the MorphNet library raises for problems the caller can fix. Each message says what was
 * wrong and what to do, because an opaque crawler failure is MorphNet's most common complaint.
 */

export class UnsupportedLayerError extends Error {
  constructor(
    readonly layerName: string,
    readonly layerType: string,
    readonly fix: string,
  ) {
    super(`MorphNet cannot crawl layer "${layerName}" (type ${layerType}): ${fix}`);
    this.name = 'UnsupportedLayerError';
  }
}

export class UnknownDeviceError extends Error {
  constructor(
    readonly device: string,
    readonly knownDevices: readonly string[],
  ) {
    super(`unknown hardware "${device}" for the latency cost; known devices: ${knownDevices.join(', ')}`);
    this.name = 'UnknownDeviceError';
  }
}

/** The regularizer cannot work on this model as configured (no BN for gamma, no gates, ...). */
export class RegularizerSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegularizerSetupError';
  }
}

/** A structure cannot be applied to the given seed model. */
export class StructureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StructureError';
  }
}
