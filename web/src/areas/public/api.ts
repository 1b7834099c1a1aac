import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';

export type Publicity = components['schemas']['v1Publicity'];
export type PublicityLine = components['schemas']['v1PublicityLine'];
export type ObjectionReceipt = components['schemas']['v1ObjectionReceipt'];
export type PublicObjection = components['schemas']['v1PublicObjection'];

/** The list, or null when there is none to show (not in publicity, ended, unknown: all 404). */
export function usePublicity(campaignId: string) {
  return useQuery({
    queryKey: ['public', 'publicity', campaignId],
    enabled: !!campaignId,
    retry: false,
    queryFn: async (): Promise<Publicity | null> => {
      const r = await api.GET('/v1/public/campaigns/{campaignId}/publicity', {
        params: { path: { campaignId } },
      });
      if (r.response.status === 404) return null;
      return unwrap(r);
    },
  });
}

export async function fileObjection(campaignId: string, o: PublicObjection): Promise<ObjectionReceipt> {
  return unwrap(
    await api.POST('/v1/public/campaigns/{campaignId}/objections', {
      params: { path: { campaignId } },
      body: o,
    }),
  );
}

/**
 * campaignIdFrom takes what a person pastes: a campaign id, or a link to its publicity
 * page (…/public/campaigns/<id>), and gives the id, or '' when it is neither.
 */
export function campaignIdFrom(input: string): string {
  const s = input.trim();
  const m = /\/public\/campaigns\/([^/?#\s]+)/.exec(s);
  const id = m ? decodeURIComponent(m[1]) : s;
  return /^[A-Za-z0-9-]{1,64}$/.test(id) ? id : '';
}
