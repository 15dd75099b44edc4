/** The test double of the e2e tier, split by provider resource type in ./double (its index.ts says what each module follows). */
export { AppliedResource, RealDockerMocks, ResourceTiming, StepKind } from "./double";
