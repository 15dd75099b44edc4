/**
 * The OpenOverlayRouter image of the OOR labs (oor-2xtrs-1msmr, lisp-site, lisp-msmr) under each
 * `labImages`: preloaded runs the own image (images/oor) under its digest tag, builds nothing and
 * makes the host's needed images include it; `build` (the default) builds it as before; an
 * `oorImage` other than the own one is pulled either way.
 */
import { describe, expect, it } from "vitest";
import { checkHostFacts } from "../../components/host/host-facts";
import { labImageTag } from "../../components/images/lab-image";
import { buildStack } from "../../stacks";
import { readStackConfig } from "../../stacks/config";
import { RecordingMocks } from "../support/recording-mocks";
import { runProgram } from "../support/run-program";
import { stackFileConfig } from "../support/stack-files";
import { withStandInDocker } from "../support/stand-in-docker";

const IMAGE = "docker:index/image:Image";
const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const CONTAINER = "docker:index/container:Container";
const HOST_CHECK = "pulumi-nodejs:dynamic/netlabs:HostCheck";
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx4bXBsZUhvc3RLZXlGb3JUZXN0c09ubHkxMjM0NTY3";
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";
/** An ssh:// host without a key: no HostCheck and no check of this machine, so the stack is declared whatever this machine holds. */
const REMOTE = { dockerHost: "ssh://lab@192.0.2.7" };
const OOR_TAG = labImageTag("oor");

/** A stack file's config (Pulumi.<stack>.yaml), keys without namespace, with the shared key set. */
function stackFile(stack: string): Record<string, unknown> {
  return { ...stackFileConfig(stack), oorMapServerKey: "shared-site-key" };
}

const LABS: Record<string, { config: Record<string, unknown>; routers: string[] }> = {
  "oor-2xtrs-1msmr": {
    config: { labs: ["oor-2xtrs-1msmr"], oorMapServerKey: "shared-site-key" },
    routers: ["oor-2xtrs-1msmr-msmr", "oor-2xtrs-1msmr-site-a-xtr", "oor-2xtrs-1msmr-site-b-xtr"],
  },
  "lisp-site": { config: stackFile("site-a"), routers: ["lisp-site-xtr"] },
  "lisp-msmr": { config: stackFile("msmr"), routers: ["lisp-msmr"] },
};

async function stack(config: Record<string, unknown>) {
  const mocks = new RecordingMocks();
  await runProgram(mocks, () => buildStack(readStackConfig()), { config, secretKeys: ["oorMapServerKey", "sshPrivateKey"] });
  return mocks;
}

/** The URNs a container's `image` input takes its value from (a build's output, or none for a plain tag). */
function imageSources(mocks: RecordingMocks, container: string): string[] {
  return mocks.options.get(container)?.propertyDependencies.image ?? [];
}

describe("the own OOR image with labImages: preloaded", () => {
  it("is tagged by its content digest, as the image build tags it", () => {
    expect(OOR_TAG).toMatch(/^docker-netlabs\/oor:[0-9a-f]{16}$/);
  });

  it.each(Object.keys(LABS))("%s: builds no image, pulls none, and runs its routers on the own OOR image's digest tag", async (lab) => {
    const { config, routers } = LABS[lab];
    const mocks = await stack({ ...config, ...REMOTE, labImages: "preloaded" });
    expect(mocks.ofType(IMAGE)).toEqual([]);
    expect(mocks.ofType(REMOTE_IMAGE)).toEqual([]);
    for (const router of routers) {
      expect(mocks.named(router).inputs.image, router).toBe(OOR_TAG);
      expect(imageSources(mocks, router), router).toEqual([]);
    }
    // The other containers run the node images, preloaded too.
    const others = mocks.ofType(CONTAINER).filter((c) => !routers.includes(c.name));
    for (const container of others)
      expect(container.inputs.image, container.name).toMatch(/^docker-netlabs\/(client|router):[0-9a-f]{16}$/);
  });

  it.each(Object.keys(LABS))(
    "%s on an ssh:// host: its preview check needs the OOR image and names it, with how to load it, when missing",
    async (lab) => {
      const mocks = await stack({
        ...LABS[lab].config,
        dockerHost: "ssh://lab@192.0.2.7",
        sshPrivateKey: KEY,
        sshHostKey: HOST_KEY,
        labImages: "preloaded",
      });
      const [check] = mocks.ofType(HOST_CHECK);
      expect(check.inputs.needs.images).toContain(OOR_TAG);
      // The host has every other image the lab needs: HostCheck's check (the same function) names the OOR image alone.
      const others = (check.inputs.needs.images as string[]).filter((image) => image !== OOR_TAG);
      const issues = checkHostFacts(
        "lab@192.0.2.7:22",
        { dockerVersion: "26.1.5", interfaces: ["lo", "eth1"], images: others },
        check.inputs.needs,
      );
      expect(issues).toEqual([
        {
          path: "labImages",
          message: expect.stringMatching(
            new RegExp(
              `^host lab@192\\.0\\.2\\.7:22 has no image ${literal(OOR_TAG)}: .*docker save ${literal(OOR_TAG)} \\| ssh <host> docker load`,
            ),
          ),
        },
      ]);
    },
  );

  it.each(["oor-2xtrs-1msmr", "lisp-site"])(
    "%s on a local engine without it: preview names the OOR image and how to load it, creating nothing",
    async (lab) => {
      const { parent: _parent, ...rloc } = (LABS[lab].config.oorRloc ?? {}) as Record<string, unknown>;
      const config = { ...LABS[lab].config, ...(lab === "lisp-site" ? { oorRloc: rloc } : {}) };
      const mocks = new RecordingMocks();
      // The engine (a stand-in docker) answers and holds no image.
      await withStandInDocker({ images: [] }, () =>
        expect(
          runProgram(mocks, () => buildStack(readStackConfig()), {
            config: { ...config, labImages: "preloaded", dockerHost: "unix:///nonexistent/docker.sock" },
          }),
        ).rejects.toThrow(
          new RegExp(`docker-netlabs:labImages: host unix:///nonexistent/docker\\.sock has no image ${literal(OOR_TAG)}: .*docker load`),
        ),
      );
      expect(mocks.resources).toEqual([]);
    },
  );

  it("an explicit oorImage is still pulled, and not among the images the host must hold", async () => {
    const mocks = await stack({
      ...LABS["lisp-site"].config,
      sshPrivateKey: KEY,
      sshHostKey: HOST_KEY,
      labImages: "preloaded",
      oorImage: "openoverlayrouter/oor",
    });
    expect(mocks.ofType(IMAGE)).toEqual([]);
    expect(mocks.ofType(REMOTE_IMAGE).map((image) => image.inputs.name)).toEqual(["openoverlayrouter/oor"]);
    expect(mocks.ofType(REMOTE_IMAGE).map((image) => image.name)).toEqual(["lisp-site-xtr-image"]);
    expect(mocks.named("lisp-site-xtr").inputs.image).not.toBe(OOR_TAG);
    expect(mocks.ofType(HOST_CHECK)[0].inputs.needs.images.sort()).toEqual([labImageTag("client"), labImageTag("router")].sort());
  });
});

describe("the own OOR image with labImages: build (the default), as before", () => {
  it.each([
    ["oor-2xtrs-1msmr", ["lab-image-client", "lab-image-router", "oor-2xtrs-1msmr-oor-image"]],
    ["lisp-site", ["lab-image-client", "lab-image-router", "lisp-site-xtr-image"]],
    ["lisp-msmr", ["lisp-msmr-image"]],
  ])("%s: the lab builds the own OOR image itself, its routers run that build, the stack builds only node images", async (lab, builds) => {
    const { config, routers } = LABS[lab];
    const mocks = await stack({ ...config, ...REMOTE });
    expect(
      mocks
        .ofType(IMAGE)
        .map((image) => image.name)
        .sort(),
    ).toEqual(builds);
    const oorBuild = builds.find((name) => !name.startsWith("lab-image-"))!;
    expect(mocks.named(oorBuild).inputs.imageName).toBe(OOR_TAG);
    expect(mocks.ofType(REMOTE_IMAGE)).toEqual([]);
    for (const router of routers) {
      expect(imageSources(mocks, router), router).toEqual([expect.stringMatching(new RegExp(`docker:index/image:Image::${oorBuild}$`))]);
    }
  });

  it("an ssh:// host's preview check needs no image: everything is built there", async () => {
    const mocks = await stack({ ...LABS["lisp-site"].config, sshPrivateKey: KEY, sshHostKey: HOST_KEY });
    expect(mocks.ofType(HOST_CHECK)[0].inputs.needs.images).toBeUndefined();
  });
});

function literal(text: string): string {
  return text.replace(/[/.|]/g, "\\$&");
}
