/**
 * An image build as the native Image of @pulumi/docker 5.2.0 asks the engine for it
 * (pulumi/pulumi-docker provider/image.go, runImageBuild): POST /build with version=2 (BuildKit),
 * the context as a tar body, the Dockerfile relative to the context, the platform and build args
 * given, no cache it was not given. Its BuildKit session carries only registry auth, which no build
 * here needs. Over the unix socket only: builds on other engines are refused in this tier.
 */
import { execFileSync } from "node:child_process";
import * as http from "node:http";
import * as path from "node:path";
import { DockerTarget } from "../docker-cli";

export interface BuildRequest {
  tag: string;
  context: string;
  dockerfile?: string;
  target?: string;
  platform?: string;
  args: Record<string, string>;
}

/** What the engine's build stream said: the image id, an error, the build's own lines. */
interface BuildStream {
  imageId?: string;
  failure?: string;
  lines: string[];
}

/** Builds and returns the image id the engine reports; errors carry the build's last lines. */
export async function buildKitBuild(target: DockerTarget, request: BuildRequest): Promise<string> {
  if (!target.host.startsWith("unix://")) throw new Error(`real-Docker mocks: builds on ${target.host} are not implemented in this tier`);
  const context = path.resolve(request.context);
  // The provider takes the Dockerfile path relative to the program and sends it relative to the context.
  const dockerfile = request.dockerfile ? path.relative(context, path.resolve(request.dockerfile)) : "Dockerfile";
  const tarred = execFileSync("tar", ["-C", context, "-cf", "-", "."], { maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  const query = new URLSearchParams({ version: "2", t: request.tag, dockerfile, buildargs: JSON.stringify(request.args) });
  if (request.target) query.set("target", request.target);
  if (request.platform) query.set("platform", request.platform);
  const stream = await postBuild(target.host.slice("unix://".length), `/build?${query}`, tarred, request.tag);
  if (stream.failure || !stream.imageId) {
    throw new Error(`build ${request.tag} failed: ${stream.failure ?? "no image id"}\n${stream.lines.slice(-10).join("\n")}`);
  }
  return stream.imageId;
}

/** POSTs the context and reads the engine's JSON-lines answer, bounded at 15 minutes. */
function postBuild(socketPath: string, requestPath: string, body: Buffer, tag: string): Promise<BuildStream> {
  const stream: BuildStream = { lines: [] };
  return new Promise((resolve, reject) => {
    const headers = { "Content-Type": "application/x-tar" };
    const req = http.request({ socketPath, method: "POST", path: requestPath, headers, timeout: 15 * 60_000 }, (res) => {
      let buffered = "";
      res.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split("\n");
        buffered = parts.pop()!;
        for (const part of parts.filter(Boolean)) readBuildMessage(JSON.parse(part), stream);
      });
      res.on("end", () =>
        res.statusCode === 200 ? resolve(stream) : reject(new Error(`build ${tag}: HTTP ${res.statusCode} ${buffered}`)),
      );
    });
    req.on("timeout", () => req.destroy(new Error(`build ${tag}: no answer within 15 min`)));
    req.on("error", reject);
    req.end(body);
  });
}

function readBuildMessage(message: any, stream: BuildStream): void {
  if (message.error) stream.failure = message.error;
  if (message.stream) stream.lines.push(...String(message.stream).split("\n").filter(Boolean));
  if (message.id === "moby.image.id") stream.imageId = message.aux?.ID;
}
