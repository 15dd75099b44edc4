/**
 * OOR's `2xtrs-1msmr` example on one host (components/oor/oor-lab.ts) as a composition: the key
 * from the stack's secret, the image from oorImage.
 */
import * as pulumi from "@pulumi/pulumi";
import { OOR_LAB, OorLab, planOorLab } from "../components/oor";
import { defineComposition, fromConfig } from "./composition";
import { configPath } from "./keys";
import { oorLabImages } from "./oor-sites";

/** The lab's fixed addresses and names, for the checks across the stack's labs. */
function oorLabFootprint(lab: string, namePrefix: string) {
  const name = `${namePrefix}${lab}`;
  const fixed = configPath("labs");
  return {
    subnets: [
      { path: fixed, cidr: OOR_LAB.rlocSubnet, what: `lab ${lab}'s RLOC network` },
      ...OOR_LAB.sites.map((site) => ({ path: fixed, cidr: site.eidSubnet, what: `lab ${lab}'s ${site.name} EID network` })),
    ],
    ports: [],
    names: [
      { path: fixed, name: `${name}-rloc`, kind: "network" as const },
      { path: fixed, name: `${name}-msmr`, kind: "container" as const },
      ...OOR_LAB.sites.flatMap((site) => [
        { path: fixed, name: `${name}-${site.name}-eid-eid`, kind: "network" as const },
        { path: fixed, name: `${name}-${site.name}-xtr`, kind: "container" as const },
        { path: fixed, name: `${name}-${site.name}-eid-guard`, kind: "container" as const },
        { path: fixed, name: `${name}-${site.name}-eid-sandbox-1`, kind: "container" as const },
      ]),
    ],
  };
}

export const oorLab = defineComposition({
  reads: ["oorMapServerKey", "oorImage", "internal"],
  requires: ["oorMapServerKey"],
  plan(lab, config, { namePrefix }) {
    // The key is checked by its config schema; from here on it is a secret.
    const args = { key: pulumi.secret(config.oorMapServerKey), image: config.oorImage, internal: config.internal };
    const plan = fromConfig(
      lab,
      () => planOorLab(lab, { ...args, namePrefix }),
      (path) => (path === "image" ? "oorImage" : undefined),
    );
    return {
      args: { ...args, plan },
      needs: { images: ["client", "router", ...oorLabImages(config.oorImage)], interfaces: [], addresses: [] },
      footprint: oorLabFootprint(lab, namePrefix),
    };
  },
  create: (lab, { plan, ...args }, common, opts) => new OorLab(lab, { ...args, ...common }, opts, plan),
});
