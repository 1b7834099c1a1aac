import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { Providers } from '../../app/Providers';
import { makeQueryClient } from '../../app/queryClient';

/** renderWith renders ui inside the app's providers and a router at path. */
export function renderWith(ui: ReactElement, { path = '/', route }: { path?: string; route?: string } = {}) {
  const client = makeQueryClient();
  return render(
    <Providers client={client}>
      <MemoryRouter initialEntries={[path]}>
        {route ? (
          <Routes>
            <Route path={route} element={ui} />
          </Routes>
        ) : (
          ui
        )}
      </MemoryRouter>
    </Providers>,
  );
}
