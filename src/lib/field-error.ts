/** One invalid input, named the way the client sent it. */
export interface FieldError {
  /** Dotted path of the field, e.g. `page` or `schedule_config.time`. */
  field: string;
  /** Where the field was sent: path, query, header or body. */
  in: "path" | "query" | "header" | "body";
  message: string;
}
