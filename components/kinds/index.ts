export * from "./kind";
export * from "./lab-node";
export * from "./registry";
