import type { Agent, ClientRequest } from 'node:http';

/**
 * make-fetch-happen follows redirects itself (lib/fetch.js `getRedirect`) and drops `Authorization` only when the
 * host *name* changes, as the old `request` module did: a registry that redirects to another port or scheme of the
 * same host gets the token sent there too. npm-registry-fetch passes no redirect option through, so the redirect
 * cannot be refused above it; the agent is where every hop's request is seen before its headers are written
 * (`ClientRequest` hands itself to `agent.addRequest` from its constructor). A request for another origin (scheme,
 * host, port) than the one the credentials were attached for goes out without them.
 */
export type AgentFactory = (url: URL) => Agent;

export function originBoundAgent(origin: string, agentFor: AgentFactory): AgentFactory {
  return (hop) => {
    const agent = agentFor(hop);
    return hop.origin === origin ? agent : withoutCredentials(agent);
  };
}

const stripping = new WeakMap<Agent, Agent>();

/** `agent`, except that a request it is given loses `Authorization` and `Cookie` before anything is sent. */
function withoutCredentials(agent: Agent): Agent {
  let wrapped = stripping.get(agent);
  if (wrapped === undefined) {
    const inner = agent as Agent & { addRequest(req: ClientRequest, options: unknown): void };
    const outer = Object.create(agent) as typeof inner;
    outer.addRequest = (req, options) => {
      req.removeHeader('authorization');
      req.removeHeader('cookie');
      inner.addRequest(req, options);
    };
    stripping.set(agent, (wrapped = outer));
  }
  return wrapped;
}
