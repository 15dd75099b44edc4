/**
 * The Containernet BGP lab (seed 004) as a composition: the triangle with the seed's defaults,
 * its segments internal as every dev lab's.
 */
import { BgpTriangleOptions } from "../components/bgp";
import { StackConfig } from "./config";

export function bgpTriangleOptions(config: StackConfig): BgpTriangleOptions {
  return { internal: config.internal };
}
