const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its stored (lower-case) form; anything else as given. */
export function canonicalId(id: string): string {
  return UUID.test(id) ? id.toLowerCase() : id;
}
