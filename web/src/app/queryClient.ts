import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/errors';

/** Reads retry twice on faults of the platform (network, 503, 504), never on a refusal. */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, err) => count < 2 && err instanceof ApiError && (err.status === 0 || err.status >= 502),
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
      mutations: { retry: false },
    },
  });
}
