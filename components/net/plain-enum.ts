/**
 * One of a few strings, for a field that public component arguments give as a plain `string`
 * (Pulumi's component analyzer reads no literal types): z.enum's check and message, with its input
 * typed `string`, so that each public Args interface is a type its schema takes (a unit test checks
 * them at compile time) and the schema is what rules a value out, naming the field and the value.
 */
import { z } from "zod";

export function plainEnum<const Values extends readonly [string, ...string[]]>(
  values: Values,
  params?: { message: string },
): z.ZodType<Values[number], string> {
  return z.enum(values, params) as unknown as z.ZodType<Values[number], string>;
}
