/**
 * What the routers did around a failover, kept for when one is slow: each router's route and link
 * changes as its kernel saw them (`ip -ts monitor`, µs stamps) and FRR's log since the trace began
 * (`docker logs`, ms stamps). Shared by test/e2e and the benchmark.
 */
import { spawn } from "node:child_process";
import { run } from "./docker-cli";

export interface RouterTrace {
  /** Ends the trace and renders it, one section per router. */
  stop(): Promise<string>;
}

/** Starts tracing `containers` for at most `seconds` (the monitors end by themselves then). */
export function traceRouters(containers: string[], seconds: number): RouterTrace {
  const since = new Date().toISOString();
  const kernel = containers.map(() => [] as string[]);
  const monitors = containers.map((container, i) => {
    const monitor = spawn("docker", ["exec", container, "timeout", String(seconds), "ip", "-ts", "monitor", "route", "link"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    monitor.stdout.on("data", (chunk) => kernel[i].push(String(chunk)));
    return monitor;
  });
  return {
    async stop() {
      for (const monitor of monitors) monitor.kill();
      const logs = await Promise.all(containers.map((c) => run("docker", ["logs", "--since", since, c], { timeoutMs: 30_000 })));
      return containers
        .map((container, i) =>
          [
            `== ${container}: kernel`,
            kernel[i].join("").trimEnd(),
            `== ${container}: log`,
            `${logs[i].stdout}${logs[i].stderr}`.trimEnd(),
          ].join("\n"),
        )
        .join("\n");
    },
  };
}
