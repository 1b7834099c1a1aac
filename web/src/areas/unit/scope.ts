import { scopesWith, useMe } from '../../api/me';

/** The unit the caller works for, and whether they may apply and submit (unit admin). */
export function useUnitScope(): { unitId?: string; officeId?: string; isAdmin: boolean; loading: boolean } {
  const me = useMe();
  const scope = scopesWith(me.data, 'ROLE_UNIT_ADMIN', 'ROLE_UNIT_SUBMITTER').find((s) => s.unitId);
  return {
    unitId: scope?.unitId,
    officeId: scope?.officeId,
    isAdmin: (scope?.roles ?? []).includes('ROLE_UNIT_ADMIN'),
    loading: me.isPending,
  };
}
