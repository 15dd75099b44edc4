/**
 * The cost of declaring resources. For every output property of every resource, the Pulumi SDK
 * wraps a promise and records `new Error().stack` on it, a debugging aid for promises that never
 * settle. A Docker container has about 80 output properties, so on large labs capturing those
 * stack traces is most of the plan's CPU time and a good part of its memory. Measured on a
 * 1,000-node lab under mocks: 23.5 s and 1.2 GB with the traces, 8.5 s and 0.9 GB without.
 *
 * Declaring without them changes nothing that is created. Labs are validated before this, so
 * configuration errors keep their messages. Set NETLABS_FULL_STACKS=1 to keep the traces when
 * debugging the program itself.
 */
export function declareWithoutPromiseStacks<T>(declare: () => T): T {
  if (process.env.NETLABS_FULL_STACKS === "1") return declare();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return declare();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
