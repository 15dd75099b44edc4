/**
 * The entry point of the docker-netlabs Pulumi package (package.json's `main`, which Pulumi runs
 * for PulumiPlugin.yaml): serves the component provider. Pulumi's analyzer starts here and reads
 * the components' faces first (package/faces.ts). The stacks' program is index.ts (Pulumi.yaml's
 * `main`). ARCHITECTURE.md, The package.
 */
export type * from "./faces";
import { servePackage } from "./provider";

void servePackage();
