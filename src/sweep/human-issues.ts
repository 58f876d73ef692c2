import type { z } from 'zod';

/**
 * zod's default messages are written for developers ("Too small: expected string to have >=1
 * characters", "expected number, received NaN"). This error map says the same in words a person
 * fixing a form reads, from the issue the schema itself raised, so the API, the CLI and the form all
 * show one message per rule. Messages a schema states itself (`error:` on a rule) take precedence.
 */

type Issue = z.core.$ZodRawIssue;

const ORIGIN_UNITS: Record<string, [string, string]> = {
  string: ['character', 'characters'],
  array: ['value', 'values'],
  set: ['value', 'values'],
};

function count(amount: number | bigint, origin: string): string {
  const [one, many] = ORIGIN_UNITS[origin] ?? ['item', 'items'];
  return `${amount} ${Number(amount) === 1 ? one : many}`;
}

function received(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (typeof input === 'number' && Number.isNaN(input)) return 'something that is not a number';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  return typeof input === 'string' ? `"${input}"` : typeof input;
}

export function humanIssueMessage(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'too_small': {
      const { minimum, inclusive, origin } = issue as Issue & { minimum: number | bigint; inclusive?: boolean; origin: string };
      if (origin === 'string' && Number(minimum) === 1) return 'required: this cannot be empty';
      if (origin === 'array' && Number(minimum) === 1) return 'give at least one value';
      if (origin === 'number' || origin === 'bigint') return inclusive === false ? `must be more than ${minimum}` : `must be at least ${minimum}`;
      return `needs at least ${count(minimum, origin)}`;
    }
    case 'too_big': {
      const { maximum, inclusive, origin } = issue as Issue & { maximum: number | bigint; inclusive?: boolean; origin: string };
      if (origin === 'number' || origin === 'bigint') return inclusive === false ? `must be less than ${maximum}` : `must be at most ${maximum}`;
      return `can have at most ${count(maximum, origin)}`;
    }
    case 'invalid_type': {
      const { expected, input } = issue as Issue & { expected: string; input?: unknown };
      if (expected === 'number' || expected === 'int') {
        if (input === undefined) return 'required: enter a number';
        if (typeof input === 'number' && Number.isNaN(input)) return expected === 'int' ? 'enter a whole number' : 'enter a number';
        if (typeof input === 'number') return 'enter a whole number';
        return `enter a number (got ${received(input)})`;
      }
      if (expected === 'string') return input === undefined ? 'required: this cannot be empty' : `enter text (got ${received(input)})`;
      if (expected === 'array') return `give a list of values (got ${received(input)})`;
      if (expected === 'object') return `give an object with fields (got ${received(input)})`;
      return `expected ${expected}, got ${received(input)}`;
    }
    case 'invalid_format':
      return issue.format === 'safeint' ? 'enter a whole number' : undefined;
    case 'not_multiple_of':
      return `must be a multiple of ${(issue as Issue & { divisor: number }).divisor}`;
    case 'invalid_value': {
      const { values } = issue as Issue & { values: unknown[] };
      return `choose one of: ${values.map(String).join(', ')}`;
    }
    case 'unrecognized_keys': {
      const { keys } = issue as Issue & { keys: string[] };
      return `unknown field${keys.length === 1 ? '' : 's'} ${keys.map((key) => `"${key}"`).join(', ')}: remove ${keys.length === 1 ? 'it' : 'them'} or check the spelling`;
    }
    default:
      return undefined;
  }
}
