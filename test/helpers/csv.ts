/** A strict RFC 4180 reader for the export tests: CRLF records, quoted fields, "" escapes. */
export interface CsvCell {
  value: string;
  quoted: boolean;
}

export function parseCsv(text: string): CsvCell[][] {
  const records: CsvCell[][] = [];
  let record: CsvCell[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let value = "";
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (i >= n) throw new Error("unterminated quoted field");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
    } else {
      while (i < n && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
        if (text[i] === '"') throw new Error(`bare quote at ${i}`);
        value += text[i];
        i++;
      }
    }
    record.push({ value, quoted });
    if (text[i] === ",") {
      i++;
      continue;
    }
    if (text.startsWith("\r\n", i)) {
      records.push(record);
      record = [];
      i += 2;
      continue;
    }
    throw new Error(`expected , or CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 5))}`);
  }
  if (record.length > 0) throw new Error("last record not terminated by CRLF");
  return records;
}

const NUMERIC = new Set(["response_code", "response_time_ms", "retry_attempt"]);
/** Columns whose CSV text is the JSON of an object. */
const JSON_COLUMNS = new Set(["response_headers"]);

/** CSV export → the JSON log objects: an unquoted empty field is null, numeric columns are numbers. */
export function csvToLogs(text: string): Record<string, unknown>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new Error("no header row");
  const names = header.map((c) => c.value);
  return rows.map((row) => {
    if (row.length !== names.length) throw new Error(`record has ${row.length} fields, header ${names.length}`);
    return Object.fromEntries(
      row.map((cell, i) => {
        const name = names[i] as string;
        if (cell.value === "" && !cell.quoted) return [name, null];
        if (JSON_COLUMNS.has(name)) return [name, JSON.parse(cell.value)];
        return [name, NUMERIC.has(name) ? Number(cell.value) : cell.value];
      }),
    );
  });
}
