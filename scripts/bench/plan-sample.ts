/** What one plan-bench process prints (plan-program.ts, plan-floor.ts): one JSON line. */
export interface PlanSample {
  /** Wall-clock time of the measured work. */
  ms: number;
  /** CPU time (user + system, every thread: GC helpers too) of the same: less swayed by other load. */
  cpuMs: number;
  /** Peak resident memory of the process, modules and all. */
  maxRssMb: number;
  /** Resident memory once the modules were loaded, before the measured work. */
  baseRssMb: number;
  resources: number;
  /** Registrations by resource type. */
  byType: Record<string, number>;
}

export function countByType(types: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of types) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Peak resident memory of this process so far, in MiB. */
export const maxRssMb = () => process.resourceUsage().maxRSS / 1024;
/** Resident memory now, in MiB. */
export const rssMb = () => process.memoryUsage.rss() / 2 ** 20;
/** A start of measured work: wall clock and CPU time. */
export interface Clock {
  wall: bigint;
  cpu: NodeJS.CpuUsage;
}
export const startClock = (): Clock => ({ wall: process.hrtime.bigint(), cpu: process.cpuUsage() });
/** Wall-clock and CPU milliseconds since `started`. */
export function elapsed(started: Clock): { ms: number; cpuMs: number } {
  const cpu = process.cpuUsage(started.cpu);
  return { ms: Number(process.hrtime.bigint() - started.wall) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Where a program run's record keeps each resource's dependencies (RegistrationOptions by name), beside its record. */
export const dependenciesFile = (recordFile: string) => recordFile.replace(/\.json$/, "") + ".dependencies.json";
