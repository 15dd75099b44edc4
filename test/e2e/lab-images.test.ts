/**
 * The lab images' provenance on a real engine (hardening, point 15): the base an image is built
 * from is part of its tag and of its label, so a changed base gives a new tag and a rebuild; a
 * preloaded image that carries the right tag but not the label that tag stands for is refused,
 * naming it. Nothing is pulled: the other base is the seeded debian:bookworm-slim under a tag of
 * this run's own, and every image this test makes is removed afterwards.
 */
import { afterAll, describe, expect, it } from "vitest";
import { buildLabImages, labImageSource, labImageTag } from "../../components/images/lab-image";
import { checkEngineAt } from "../../components/host/engine-check";
import { SOURCE_LABEL } from "../../components/host/engine-facts";
import { run } from "../support/docker-cli";
import { deployProgram, newTestRun } from "../support/lab-harness";
import { DOCKER, skipUnless } from "../support/requirements";
import { valueOf } from "../support/run-program";

const skipReason = skipUnless([DOCKER]);
if (skipReason) console.warn(`[skipped] e2e tier: ${skipReason}`);
const testRun = newTestRun();
const ENGINE = "unix:///var/run/docker.sock";

async function docker(...args: string[]): Promise<string> {
  const result = await run("docker", args, { timeoutMs: 600_000 });
  if (result.code !== 0) throw new Error(`docker ${args.join(" ")}: exit ${result.code}: ${result.stderr}`);
  return result.stdout.trim();
}

/** The image's label saying what it is built from ("" when it has none). */
const sourceLabel = (image: string) => docker("image", "inspect", "--format", `{{index .Config.Labels "${SOURCE_LABEL}"}}`, image);

describe.skipIf(skipReason)(
  `lab images: base in tag and label, preloaded images checked${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  () => {
    const otherBase = `netlabs-e2e-base-${testRun.id}:1`;
    const made: string[] = [];

    afterAll(async () => {
      for (const image of [...made, otherBase]) await run("docker", ["rmi", "-f", image], { timeoutMs: 60_000 });
    });

    it("builds the same image again, under another tag and label, when its base changes", async () => {
      await docker("tag", "debian:bookworm-slim", otherBase);
      const [usual, other] = [labImageTag("client"), labImageTag("client", otherBase)];
      expect(other).not.toBe(usual);
      made.push(other);
      const deployed = await deployProgram(() => ({
        usual: buildLabImages(`${testRun.prefix}usual`, undefined, ["client"]),
        other: buildLabImages(`${testRun.prefix}other`, undefined, ["client"], undefined, otherBase),
      }));
      expect(await valueOf(deployed.outputs.other.client!)).toBe(other);
      expect(await sourceLabel(usual)).toBe(labImageSource("client"));
      expect(await sourceLabel(other)).toBe(labImageSource("client", otherBase));
      expect(await deployed.mocks.destroyAll()).toEqual([]);
    }, 900_000);

    it("refuses a preloaded image with the right tag but not the content it stands for, naming it", async () => {
      const wrongBase = `netlabs-e2e-never-built-${testRun.id}:1`;
      const tag = labImageTag("client", wrongBase);
      // An image under the tag that base would give, but built from something else: the bare base, no label.
      await docker("tag", "debian:bookworm-slim", tag);
      made.push(tag);
      const needs = { images: [tag], imageSources: { [tag]: labImageSource("client", wrongBase) }, baseImage: wrongBase };
      const check = checkEngineAt(ENGINE, needs);
      expect(check.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^labImages: host ${ENGINE} has an image ${tag.replace(/[./]/g, "\\$&")} that is not built from what its tag says \\(label io\\.docker-netlabs\\.source missing`,
          ),
        ),
      ]);
      // The same check passes an image built as its tag says (the one the first test built).
      const built = labImageTag("client");
      expect(checkEngineAt(ENGINE, { images: [built], imageSources: { [built]: labImageSource("client") } }).issues).toEqual([]);
    }, 120_000);
  },
);
