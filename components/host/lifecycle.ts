/**
 * How a lab's Docker objects live through changes and restarts, the same for every component:
 *
 * - Networks are replaced delete-first. Every input of @pulumi/docker's Network forces a
 *   replacement, and by default Pulumi creates the replacement before deleting the old one: under
 *   the same name, which Docker refuses. Delete-first also makes the engine delete (and later
 *   re-create) the containers whose inputs name the network, since Docker will not remove a
 *   network that still has endpoints.
 * - Containers carry a restart policy, so that a lab comes back by itself after a Docker daemon
 *   restart or a host reboot ("unless-stopped" unless the user says otherwise).
 * - A container that signals readiness with a file gets a Docker healthcheck on it, and the lab
 *   waits for "healthy" (NodesReady): a node whose init fails or never finishes fails `pulumi up`.
 */
import * as docker from "@pulumi/docker";
import { plainEnum } from "../net/plain-enum";

export const RESTART_POLICIES = ["unless-stopped", "always", "no"] as const;
/** Docker's restart policy for lab containers; "no" keeps a lab down after a daemon restart. */
export type RestartPolicy = (typeof RESTART_POLICIES)[number];
export const DEFAULT_RESTART_POLICY: RestartPolicy = "unless-stopped";
/** A restart policy as a component or the stack's config takes it (a string), checked. */
export const restartPolicySchema = plainEnum(RESTART_POLICIES, { message: `must be one of ${RESTART_POLICIES.join(", ")}` });

/** How long a node may take to become ready before `pulumi up` fails on it (see readiness.ts). */
export const READY_WAIT_SECONDS = 90;

/**
 * The readiness healthcheck of a container that passes `test` (a shell command) once it is set up,
 * e.g. a file it creates then and removes when it starts again. Checked every second from the
 * start, with no start period: during a start period Docker 25+ checks at the start interval, 5 s
 * unless set (measured: nodes became healthy 5 s after ready on 28.5, 1 s on 20.10), and a start
 * interval is refused by engines older than 25 (API 1.44). So a node still setting up may show
 * "unhealthy" for a moment; the lab's readiness gate (readiness.ts) waits for "healthy" and judges
 * by exit and restart, not by that.
 */
export function readinessHealthcheck(test: string): docker.types.input.ContainerHealthcheck {
  return { tests: ["CMD-SHELL", test], interval: "1s", timeout: "3s", retries: 3 };
}

/** The readiness test of a container that creates `readyPath` once it is set up. */
export function readyFileTest(readyPath: string): string {
  return `test -f ${readyPath}`;
}
