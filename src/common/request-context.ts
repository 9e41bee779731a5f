import { AsyncLocalStorage } from 'node:async_hooks';
import type { Role } from './auth/roles.js';
import { DEFAULT_LANGUAGE, translate, type I18nKey, type I18nParams, type Language } from './i18n/i18n.js';

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
  /** The caller's language (Accept-Language), for texts built below the edge. */
  language?: Language;
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

/** The language of the request being served (Chinese outside a request, as for jobs and the CLI by default). */
export function currentLanguage(): Language {
  return storage.getStore()?.language ?? DEFAULT_LANGUAGE;
}

/** The text of `key` in the language of the request being served. */
export function callerText(key: I18nKey, params: I18nParams = {}): string {
  return translate(key, params, currentLanguage());
}
