/** BFD (FRR's bfdd) as a routing protocol module: the lab's `bfd` field runs it on every router. */
import { VtyshCountCheck } from "../../probe/lab-probe";
import { RoutingProtocol } from "../protocol";
import { BFD_PROFILE, bfdSections } from "./frr";
import { BfdFields, planBfd, prepareBfd } from "./plan";
import { BfdSettings, bfdSchema } from "./schema";

export { BFD_MULTIHOP_PROFILE, BFD_PROFILE } from "./frr";
export { MULTIHOP_BFD_FACTOR, multihopBfdTimers } from "./plan";
export type { BfdDeclaredPeer, BfdFields, BfdTimers } from "./plan";
export { BFD_INTERVAL_MS, DEFAULT_BFD, bfdSchema } from "./schema";
export type { BfdMultihopSpec, BfdSettings, BfdSpec, BfdSpecInput } from "./schema";

/** BFD sessions up, single-hop and multihop. */
export function bfdSessionsCheck(name: string, router: string, up: number): VtyshCountCheck {
  return {
    kind: "vtysh-count",
    name,
    router,
    command: "show bfd peers json",
    path: [],
    stateFields: ["status"],
    upPattern: "^up$",
    want: up,
    counted: "BFD sessions up",
  };
}

export const bfd = {
  name: "bfd" as const,
  title: "BFD",
  labSchema: bfdSchema,
  prepare: prepareBfd,
  plan: planBfd,
  runs: (router) => router.bfd !== undefined,
  frr: {
    daemons: [{ name: "bfdd", options: "-A 127.0.0.1", listedWhenOff: true }],
    running: (router) => (router.bfd ? [{ daemon: "bfdd", readyLine: ` *profile ${BFD_PROFILE}` }] : []),
    sections: (router) => (router.bfd ? bfdSections(router.bfd, router) : {}),
  },
  checks: (router, { node, container }) =>
    router.bfdPeers.length > 0
      ? [bfdSessionsCheck(`${node} BFD sessions up (${router.bfdPeers.length})`, container, router.bfdPeers.length)]
      : [],
  outputs: (router): { bfd: boolean } => ({ bfd: router.bfd !== undefined }),
  diagram: () => "BFD",
} satisfies RoutingProtocol<never, BfdSettings, BfdFields, { bfd: boolean }>;
