/** Every provider resource type the test double implements, by Pulumi type token. */
import { localCommandEmulator, remoteCommandEmulator } from "./command";
import { containerEmulator } from "./container";
import { dynamicEmulator } from "./dynamic";
import { ResourceEmulator } from "./emulator";
import { imageEmulator } from "./image";
import { networkEmulator } from "./network";
import { remoteImageEmulator } from "./remote-image";

const EMULATORS: ResourceEmulator[] = [
  networkEmulator,
  containerEmulator,
  imageEmulator,
  remoteImageEmulator,
  localCommandEmulator,
  remoteCommandEmulator,
];

/** The emulator of a type token (dynamic resources by prefix); any other type is refused. */
export function emulatorFor(type: string): ResourceEmulator {
  const found =
    EMULATORS.find((emulator) => emulator.type === type) ?? (type.startsWith(dynamicEmulator.type) ? dynamicEmulator : undefined);
  if (!found) throw new Error(`real-Docker mocks: resource type ${type} is not implemented in this tier`);
  return found;
}
