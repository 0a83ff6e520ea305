// Minimal typings for @npmcli/agent (it ships none): the agent factory make-fetch-happen uses (lib/remote.js).
declare module '@npmcli/agent' {
  import type { Agent } from 'node:http';
  export function getAgent(url: string | URL, options: Record<string, unknown>): Agent;
  // CommonJS: bundled by esbuild, a dynamic import sees only `default` (module.exports).
  const exports: { getAgent: typeof getAgent };
  export default exports;
}
