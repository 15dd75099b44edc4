export * from "./container";
export * from "./network";
export * from "./image";
