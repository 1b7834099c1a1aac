// Which areas of the console the caller may use, from GET /v1/auth/me and, for the summary
// board, the level of the offices where the caller is an admin.
import { useQueries } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { scopesWith, useMe, type Me } from '../api/me';
import type { components } from '../api/schema';

export type AreaKey = 'unit' | 'review' | 'office' | 'summary';

export interface Area {
  key: AreaKey;
  label: string;
  path: string;
}

export const AREAS: Record<AreaKey, Area> = {
  unit: { key: 'unit', label: '本单位申报', path: '/unit' },
  review: { key: 'review', label: '测评工作台', path: '/review' },
  office: { key: 'office', label: '办公室管理', path: '/office' },
  summary: { key: 'summary', label: '汇总看板', path: '/summary' },
};

type Office = components['schemas']['v1Office'];

/** areasFor decides the areas from the caller and the offices where they are admins. */
export function areasFor(me: Me | undefined, adminOffices: (Office | undefined)[]): Area[] {
  if (!me) return [];
  const out: Area[] = [];
  const platform = scopesWith(me, 'ROLE_PLATFORM_ADMIN').length > 0;
  if (scopesWith(me, 'ROLE_UNIT_ADMIN', 'ROLE_UNIT_SUBMITTER').some((s) => s.unitId)) out.push(AREAS.unit);
  if (scopesWith(me, 'ROLE_OFFICE_REVIEWER').length > 0) out.push(AREAS.review);
  if (platform || scopesWith(me, 'ROLE_OFFICE_ADMIN').length > 0) out.push(AREAS.office);
  const upper = adminOffices.some(
    (o) => o?.level === 'LEVEL_MUNICIPAL' || o?.level === 'LEVEL_PROVINCIAL' || o?.level === 'LEVEL_NATIONAL',
  );
  if (platform || upper) out.push(AREAS.summary);
  return out;
}

/** useAreas gives the caller's areas; loading until /me and the offices are read. */
export function useAreas(): { areas: Area[]; loading: boolean; me: Me | undefined; error: unknown } {
  const me = useMe();
  const officeIds = [
    ...new Set(
      scopesWith(me.data, 'ROLE_OFFICE_ADMIN')
        .map((s) => s.officeId)
        .filter((id): id is string => !!id),
    ),
  ];
  const offices = useQueries({
    queries: officeIds.map((id) => ({
      queryKey: ['office', id],
      queryFn: async () => unwrap(await api.GET('/v1/offices/{officeId}', { params: { path: { officeId: id } } })),
      staleTime: 5 * 60_000,
    })),
  });
  const loading = me.isPending || offices.some((o) => o.isPending);
  return {
    areas: areasFor(
      me.data,
      offices.map((o) => o.data),
    ),
    loading,
    me: me.data,
    error: me.error,
  };
}
