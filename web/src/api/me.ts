import { useQuery } from '@tanstack/react-query';
import type { components } from './schema';
import { api, unwrap } from './client';

export type Me = components['schemas']['v1Me'];
export type Role = components['schemas']['v1Role'];
export type Scope = components['schemas']['v1Scope'];

export const meKey = ['auth', 'me'] as const;

export async function fetchMe(): Promise<Me> {
  return unwrap(await api.GET('/v1/auth/me'));
}

/** useMe describes the caller; it is cached for the session and cleared on sign-out. */
export function useMe(enabled = true) {
  return useQuery({ queryKey: meKey, queryFn: fetchMe, staleTime: 5 * 60_000, enabled });
}

/** The scopes in which the caller holds any of roles. */
export function scopesWith(me: Me | undefined, ...roles: Role[]): Scope[] {
  return (me?.scopes ?? []).filter((s) => (s.roles ?? []).some((r) => roles.includes(r)));
}
