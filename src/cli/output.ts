/** Where commands print: results on stdout (JSON when asked), progress and errors on stderr. */
export interface CliOutput {
  json: boolean;
  result(value: unknown, human: () => string): void;
  info(line: string): void;
}

export function createOutput(json: boolean): CliOutput {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    info(line) {
      process.stderr.write(`${line}\n`);
    },
  };
}

/** A plain fixed-width table; numbers are right-aligned. */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  return cells
    .map((row, rowIndex) =>
      row
        .map((cell, column) => (rowIndex > 0 && typeof rows[rowIndex - 1]![column] === 'number' ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '-';
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3)) return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toString();
}
