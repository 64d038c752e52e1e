/** One invalid input, named the way the client sent it. */
export interface FieldError {
  /** Dotted path of the field, e.g. `page` or `schedule_config.time`. */
  field: string;
  /** Where the field was sent: path, query, header or body. */
  in: "path" | "query" | "header" | "body";
  message: string;
}

/** Domain code's refusal of its input; the http layer answers it as the 400 problem naming each field. */
export class FieldErrors extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join("; "));
  }
}

/** Throws FieldErrors for the checks that found something; returns when none did. */
export function refuseFields(found: Array<FieldError | null>): void {
  const errors = found.filter((e) => e !== null);
  if (errors.length > 0) throw new FieldErrors(errors);
}
