import { AsyncLocalStorage } from 'node:async_hooks';
import type { Role } from './auth/roles.js';

export interface Actor {
  id: string;
  username: string;
  role: Role;
  regionCode: string;
}

export interface RequestContext {
  requestId: string;
  address?: string;
  actor?: Actor;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Who is acting, from where, under which request id: read by the audit writer and the logger. */
export const requestContext = {
  run<T>(context: RequestContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  current(): RequestContext | undefined {
    return storage.getStore();
  },
};
