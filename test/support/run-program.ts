/**
 * Runs a Pulumi program in-process under mocks and waits until every resource it registered has
 * been handled by the mocks. Shared by the unit tier (recording mocks) and the e2e tier (mocks
 * that apply each resource to a real Docker engine).
 */
import * as pulumi from "@pulumi/pulumi";

export interface ProgramOptions {
  /** Stack config, keys without namespace are put in `docker-netlabs`. */
  config?: Record<string, unknown>;
  secretKeys?: string[];
  stack?: string;
  preview?: boolean;
}

export const PROJECT = "docker-netlabs";

export async function runProgram<T>(mocks: pulumi.runtime.Mocks, program: () => T, options: ProgramOptions = {}): Promise<T> {
  await pulumi.runtime.setMocks(mocks, PROJECT, options.stack ?? "dev", options.preview ?? false);
  // Resource options reach the engine in the registration request, which mocks do not see:
  // mocks that want them (deleteBeforeReplace, property dependencies) observe the request.
  const observer = (mocks as { observeRegistration?: (request: any) => void }).observeRegistration;
  if (observer) {
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request: any, callback: any) => {
      observer.call(mocks, request);
      return register(request, callback);
    };
  }
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${PROJECT}:${key}`;
    config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(
    config,
    (options.secretKeys ?? []).map((key) => (key.includes(":") ? key : `${PROJECT}:${key}`)),
  );
  const result = program();
  // Drains the queue of registrations (the mocks' newResource calls) before returning.
  await pulumi.runtime.disconnect();
  return result;
}

/** Resolves a Pulumi output (or plain value) to its value, for assertions. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((value) => resolve(value as T)));
}
