import { useSyncExternalStore } from 'react';
import type { Role } from '../api/types';

export interface SessionUser {
  id: string;
  username: string;
  role: Role;
  regionCode: string;
}

interface Stored {
  token: string;
  user: SessionUser;
  /** Epoch milliseconds at which the server's token expires. */
  expiresAt: number;
}

export type SessionState =
  { status: 'signed-in'; user: SessionUser } | { status: 'signed-out' } | { status: 'expired' };

const KEY = 'yikatong.session';
const listeners = new Set<() => void>();
let expired = false;
let cached: { raw: string | null; state: SessionState } | undefined;

function read(): Stored | undefined {
  const raw = localStorage.getItem(KEY);
  if (!raw) return undefined;
  try {
    const stored = JSON.parse(raw) as Stored;
    return stored.expiresAt > Date.now() ? stored : undefined;
  } catch {
    return undefined;
  }
}

function notify() {
  cached = undefined;
  listeners.forEach((listener) => listener());
}

/** The signed-in user's token, kept in localStorage so that a reload keeps the session. */
export const session = {
  token: (): string | undefined => read()?.token,
  start(token: string, user: SessionUser, expiresInSeconds: number) {
    localStorage.setItem(KEY, JSON.stringify({ token, user, expiresAt: Date.now() + expiresInSeconds * 1000 }));
    expired = false;
    notify();
  },
  end() {
    localStorage.removeItem(KEY);
    expired = false;
    notify();
  },
  /** The server refused the token (it expired, or the user was disabled). */
  expire() {
    if (!localStorage.getItem(KEY)) return;
    localStorage.removeItem(KEY);
    expired = true;
    notify();
  },
  state(): SessionState {
    const raw = localStorage.getItem(KEY);
    if (cached && cached.raw === raw) return cached.state;
    const stored = read();
    const state: SessionState = stored
      ? { status: 'signed-in', user: stored.user }
      : expired || raw
        ? { status: 'expired' }
        : { status: 'signed-out' };
    cached = { raw, state };
    return state;
  },
  subscribe(listener: () => void) {
    listeners.add(listener);
    const onStorage = (event: StorageEvent) => event.key === KEY && notify();
    window.addEventListener('storage', onStorage);
    return () => {
      listeners.delete(listener);
      window.removeEventListener('storage', onStorage);
    };
  },
};

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.state);
}

/** The signed-in user; only for components under the signed-in shell. */
export function useUser(): SessionUser {
  const state = useSession();
  if (state.status !== 'signed-in') throw new Error('useUser outside the signed-in shell');
  return state.user;
}
