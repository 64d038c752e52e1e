// Values test/setup/target-server.ts provides to the executor tests (read with vitest's inject()).
export {};

declare module "vitest" {
  export interface ProvidedContext {
    /** Port of the loopback HTTP server the http executor is tested against. */
    targetPort: number;
    /** Port of a second such server: another origin, for cross-origin redirects. */
    otherTargetPort: number;
    /** A loopback port nothing listens on. */
    closedPort: number;
  }
}
