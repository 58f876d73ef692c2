/**
 * The one error type the dataset registry throws for bad input: a missing or corrupt file, an unknown
 * spec, bad load options. The message always names the file or spec and says what to do, so callers
 * (CLI, activities) can show it as is.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}
