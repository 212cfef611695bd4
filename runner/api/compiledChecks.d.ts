// The module esbuild.mjs generates for the CLI bundle from compileChecks.ts.
declare module 'devrig:compiled-checks' {
  /** An ajv standalone check: true when `data` passes; `errors` says where it did not. */
  export type CompiledCheck = ((data: unknown) => boolean) & {
    errors?: { instancePath: string; keyword: string }[] | null;
  };
  const checks: Record<string, CompiledCheck | undefined>;
  export default checks;
}
