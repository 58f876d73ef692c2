/**
 * How test files find the services that test/support/with-services.ts started for the whole run.
 * Running a file without them is a mistake to report, not a reason to skip.
 */

export const TEST_PG_URL_VARIABLE = 'MORPHSWEEP_TEST_PG_URL';

const HOW_TO_RUN = 'Run the tests through `npm test`, or one file with `node --import tsx test/support/with-services.ts -- node --import tsx --test <file>`.';

export function requireServiceVariable(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`${name} is not set, so this test has no service to use. ${HOW_TO_RUN}`);
  return value;
}
