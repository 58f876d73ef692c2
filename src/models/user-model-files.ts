import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidUserModelError, MAX_USER_MODEL_BYTES, type ModelProblem } from './user-model-json.ts';

/**
 * A model.json on disk with the weight files its manifest names (paths relative to the model.json,
 * as model.save('file://...') and tensorflowjs_converter write them), concatenated in manifest order.
 */
export async function readModelFiles(modelJsonPath: string): Promise<{ modelJson: unknown; weightData?: Uint8Array }> {
  let text: string;
  try {
    text = await readFile(modelJsonPath, 'utf8');
  } catch (error) {
    throw new InvalidUserModelError([{ message: `cannot read the model ${modelJsonPath}: ${(error as Error).message}` }]);
  }
  let modelJson: unknown;
  try {
    modelJson = JSON.parse(text);
  } catch (error) {
    throw new InvalidUserModelError([{ message: `the model ${modelJsonPath} is not valid JSON (${(error as Error).message})` }]);
  }
  const manifest = (modelJson as { weightsManifest?: { paths?: unknown }[] } | null)?.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) return { modelJson };
  const paths = manifest.flatMap((group) => (Array.isArray(group.paths) ? group.paths.map(String) : []));
  const problems: ModelProblem[] = [];
  const chunks: Buffer[] = [];
  let total = 0;
  for (const path of paths) {
    const file = resolve(dirname(modelJsonPath), path);
    try {
      const chunk = await readFile(file);
      total += chunk.length;
      if (total > MAX_USER_MODEL_BYTES) {
        problems.push({ message: `the weight files are over ${MAX_USER_MODEL_BYTES} bytes; sweep a smaller network` });
        break;
      }
      chunks.push(chunk);
    } catch (error) {
      problems.push({
        message: `weights file ${file} named in the weightsManifest cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); put it beside the model.json, or drop weightsManifest to send the topology alone`,
      });
    }
  }
  if (problems.length > 0) throw new InvalidUserModelError(problems);
  return { modelJson, weightData: new Uint8Array(Buffer.concat(chunks)) };
}
