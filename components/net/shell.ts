/** Quotes a string as one POSIX sh word. */
export function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A POSIX sh function printing the interface that holds an IPv4 address (`iface_with 10.0.0.1`):
 * how lab scripts find interfaces, since Docker picks the ethN order itself.
 */
export const IFACE_WITH_FUNCTION =
  'iface_with() { ip -o -4 addr show | awk -v want="$1" \'{ split($4, a, "/"); if (a[1] == want) { print $2; exit } }\'; }';

/** The variable a node's init exports with the interface it found on `segment` (`NETLABS_IF_LAN_1`). */
export function interfaceEnvName(segment: string): string {
  return `NETLABS_IF_${segment.toUpperCase().replace(/-/g, "_")}`;
}
