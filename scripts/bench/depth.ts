/**
 * Dependency depth of a program: the longest chain of resources that must be created one after
 * another. Read from the dependencies the Pulumi SDK sends with each registration (explicit and
 * per-property), captured by wrapping the mock monitor.
 */
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { RecordingMocks } from "../../test/support/recording-mocks";
import { runProgram } from "../../test/support/run-program";

export interface DepthResult {
  resources: number;
  /** Resources on the longest creation chain (providers and components not counted). */
  depth: number;
  chain: string[];
}

export async function dependencyDepth(program: () => unknown, config: Record<string, unknown> = {}): Promise<DepthResult> {
  const edges = new Map<string, { name: string; custom: boolean; deps: Set<string> }>();
  const original = MockMonitor.prototype.registerResource;
  MockMonitor.prototype.registerResource = function (req: any, callback: any) {
    const deps = new Set<string>(req.getDependenciesList());
    req.getPropertydependenciesMap().forEach((value: any) => value.getUrnsList().forEach((urn: string) => deps.add(urn)));
    const custom = req.getCustom() && !req.getType().startsWith("pulumi:providers:");
    return original.call(this, req, (error: any, response: any) => {
      if (response) edges.set(response.getUrn(), { name: req.getName(), custom, deps });
      callback(error, response);
    });
  };
  try {
    await runProgram(new RecordingMocks(), program, { config });
  } finally {
    MockMonitor.prototype.registerResource = original;
  }
  const memo = new Map<string, string[]>();
  const longest = (urn: string): string[] => {
    const known = memo.get(urn);
    if (known) return known;
    const node = edges.get(urn);
    if (!node) return [];
    let best: string[] = [];
    for (const dep of node.deps) {
      const chain = longest(dep);
      if (chain.length > best.length) best = chain;
    }
    const result = node.custom ? [...best, node.name] : best;
    memo.set(urn, result);
    return result;
  };
  let chain: string[] = [];
  for (const urn of edges.keys()) {
    const candidate = longest(urn);
    if (candidate.length > chain.length) chain = candidate;
  }
  return { resources: [...edges.values()].filter((e) => e.custom).length, depth: chain.length, chain };
}
