// Reads and writes of the unit area, as TanStack Query hooks. Every answer is defaulted:
// the gateway omits zero values and empty lists.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, idempotencyKey, unwrap, withIdempotency } from '../../api/client';
import type { components } from '../../api/schema';

type S = components['schemas'];
export type Campaign = S['v1Campaign'];
export type Application = S['v1Application'];
export type Requirement = S['v1Requirement'];
export type Evidence = S['v1Evidence'];
export type EvidenceFile = S['v1File'];
export type Standard = S['v1Standard'];
export type Indicator = S['v1Indicator'];
export type Result = S['v1Result'];
export type ExplanationNode = S['v1ExplanationNode'];
export type SelfAssessment = S['v1SelfAssessment'];
export type EvidenceContent = S['v1EvidenceContent'];

export const keys = {
  campaigns: (officeId: string) => ['unit', 'campaigns', officeId] as const,
  campaign: (id: string) => ['campaign', id] as const,
  unitApps: (unitId: string) => ['unit', 'applications', unitId] as const,
  app: (id: string) => ['application', id] as const,
  checklist: (id: string) => ['application', id, 'checklist'] as const,
  evidenceList: (id: string) => ['application', id, 'evidence'] as const,
  evidence: (id: string, code: string, period: string) => ['application', id, 'evidence', code, period] as const,
  files: (id: string) => ['application', id, 'files'] as const,
  result: (id: string) => ['application', id, 'result'] as const,
  standard: (id: string) => ['standard', id] as const,
};

/** Campaigns of the unit's own office: the ones it may apply to. */
export function useOfficeCampaigns(officeId: string | undefined) {
  return useQuery({
    queryKey: keys.campaigns(officeId ?? ''),
    enabled: !!officeId,
    queryFn: async () => {
      const out: Campaign[] = [];
      let pageToken: string | undefined;
      do {
        const r = unwrap(
          await api.GET('/v1/offices/{officeId}/campaigns', {
            params: { path: { officeId: officeId! }, query: { pageSize: 100, pageToken } },
          }),
        );
        out.push(...(r.campaigns ?? []));
        pageToken = r.nextPageToken || undefined;
      } while (pageToken);
      return out;
    },
  });
}

export function useCampaign(id: string | undefined) {
  return useQuery({
    queryKey: keys.campaign(id ?? ''),
    enabled: !!id,
    staleTime: 60_000,
    queryFn: async () => unwrap(await api.GET('/v1/campaigns/{campaignId}', { params: { path: { campaignId: id! } } })),
  });
}

export function useUnitApplications(unitId: string | undefined) {
  return useQuery({
    queryKey: keys.unitApps(unitId ?? ''),
    enabled: !!unitId,
    queryFn: async () => {
      const out: Application[] = [];
      let pageToken: string | undefined;
      do {
        const r = unwrap(
          await api.GET('/v1/units/{unitId}/applications', {
            params: { path: { unitId: unitId! }, query: { pageSize: 100, pageToken } },
          }),
        );
        out.push(...(r.applications ?? []));
        pageToken = r.nextPageToken || undefined;
      } while (pageToken);
      return out;
    },
  });
}

export function useApplication(id: string) {
  return useQuery({
    queryKey: keys.app(id),
    queryFn: async () =>
      unwrap(await api.GET('/v1/applications/{applicationId}', { params: { path: { applicationId: id } } })),
  });
}

export function useChecklist(id: string) {
  return useQuery({
    queryKey: keys.checklist(id),
    queryFn: async () => {
      const r = unwrap(
        await api.GET('/v1/applications/{applicationId}/checklist', { params: { path: { applicationId: id } } }),
      );
      return { requirements: r.requirements ?? [], timeZone: r.timeZone || 'Asia/Shanghai' };
    },
  });
}

export function useEvidenceList(id: string) {
  return useQuery({
    queryKey: keys.evidenceList(id),
    queryFn: async () => {
      const out: Evidence[] = [];
      let pageToken: string | undefined;
      do {
        const r = unwrap(
          await api.GET('/v1/applications/{applicationId}/evidence', {
            params: { path: { applicationId: id }, query: { pageSize: 500, pageToken } },
          }),
        );
        out.push(...(r.evidence ?? []));
        pageToken = r.nextPageToken || undefined;
      } while (pageToken);
      return out;
    },
  });
}

/** One item with its whole history; undefined while nothing was saved (404). */
export function useEvidence(id: string, code: string, period: string) {
  return useQuery({
    queryKey: keys.evidence(id, code, period),
    queryFn: async (): Promise<Evidence | null> => {
      const r = await api.GET('/v1/applications/{applicationId}/evidence/{indicatorCode}/{period}', {
        params: { path: { applicationId: id, indicatorCode: code, period } },
      });
      if (r.response.status === 404) return null;
      return unwrap(r);
    },
  });
}

export function useFiles(id: string) {
  return useQuery({
    queryKey: keys.files(id),
    queryFn: async () => {
      const out: EvidenceFile[] = [];
      let pageToken: string | undefined;
      do {
        const r = unwrap(
          await api.GET('/v1/applications/{applicationId}/files', {
            params: { path: { applicationId: id }, query: { pageSize: 500, pageToken } },
          }),
        );
        out.push(...(r.files ?? []));
        pageToken = r.nextPageToken || undefined;
      } while (pageToken);
      return out;
    },
  });
}

export function useStandard(id: string | undefined) {
  return useQuery({
    queryKey: keys.standard(id ?? ''),
    enabled: !!id,
    staleTime: 10 * 60_000,
    queryFn: async () => unwrap(await api.GET('/v1/standards/{standardId}', { params: { path: { standardId: id! } } })),
  });
}

/** The campaign phases from which a unit may read its result (docs/review.md). */
export const RESULT_PHASES = ['CAMPAIGN_STATE_RANKED', 'CAMPAIGN_STATE_PUBLICITY', 'CAMPAIGN_STATE_CLOSED'];

export function useResult(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.result(id),
    enabled,
    queryFn: async (): Promise<Result | null> => {
      const r = await api.GET('/v1/applications/{applicationId}/result', { params: { path: { applicationId: id } } });
      if (r.response.status === 404) return null;
      return unwrap(r);
    },
  });
}

export function useApply(unitId: string | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (campaignId: string) =>
      unwrap(
        await api.POST('/v1/campaigns/{campaignId}/applications', {
          params: { path: { campaignId } },
          body: {},
          ...withIdempotency(idempotencyKey()),
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.unitApps(unitId ?? '') }),
  });
}

/** Refreshes everything the application page shows after a write. */
export function useInvalidateApplication(id: string) {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: ['application', id] });
}
