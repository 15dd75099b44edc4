/** Zod pieces the protocols' schemas share. */
import { z } from "zod";
import { isIpv4Address } from "../net/addressing";

export const ipv4 = z.string().refine(isIpv4Address, "must be an IPv4 address");

/** A whole number in a range, with the message naming the range (and its unit). */
export const wholeIn = (min: number, max: number, unit = "") =>
  z
    .number()
    .int(`must be a whole number from ${min} to ${max}${unit}`)
    .min(min, `must be from ${min} to ${max}${unit}`)
    .max(max, `must be from ${min} to ${max}${unit}`);
