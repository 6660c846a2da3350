/** An error the CLI reports as one line (no stack) with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Prints rows as an aligned plain-text table. */
export function printTable(rows: Array<Record<string, string>>, out: NodeJS.WritableStream = process.stdout): void {
  if (rows.length === 0) {
    out.write('(none)\n');
    return;
  }
  const columns = Object.keys(rows[0] as object);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd() + '\n';
  out.write(line(columns.map((c) => c.toUpperCase())));
  for (const row of rows) out.write(line(columns.map((c) => row[c] ?? '')));
}
