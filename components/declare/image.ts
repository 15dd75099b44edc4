/** An image the host pulls when it does not have it (a user's image, the upstream OOR image), kept on removal. */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

/** Declares the pull; resolves to the image's id, which containers run. */
export function declarePulledImage(resourceName: string, ref: string, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
  return new docker.RemoteImage(resourceName, { name: ref, keepLocally: true }, opts).imageId;
}
