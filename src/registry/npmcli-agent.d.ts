// Minimal typings for @npmcli/agent (it ships none): the agent factory make-fetch-happen uses (lib/remote.js).
declare module '@npmcli/agent' {
  import type { Agent } from 'node:http';
  export function getAgent(url: string | URL, options: Record<string, unknown>): Agent;
}
