import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The Python of the test tools (scripts/setup.sh installs numpy with pandas there). */
export const TEST_PYTHON = resolve(import.meta.dirname, '../../.morphsweep/py-venv/bin/python');

/**
 * Runs a Python snippet with numpy imported as np (real NumPy writes the test's .npz files, so the
 * reader is checked against the format as NumPy writes it, not as we think it does).
 */
export function runNumpy(script: string): string {
  if (!existsSync(TEST_PYTHON)) throw new Error(`${TEST_PYTHON} is missing: run bash scripts/setup.sh`);
  return execFileSync(TEST_PYTHON, ['-c', `import numpy as np\n${script}`], { encoding: 'utf8' });
}
