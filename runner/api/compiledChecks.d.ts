// The module esbuild.mjs generates for the CLI bundle from compileChecks.ts.
type CompiledCheck = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; keyword: string }[] | null;
};

declare module 'devrig:compiled-checks' {
  const checks: Record<string, CompiledCheck | undefined>;
  export default checks;
}
