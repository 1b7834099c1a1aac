import { lazy, Suspense, useEffect, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { restoreSession } from '../api/session';
import { Providers } from './Providers';
import { useSignedIn } from './useSession';
import { LoginPage } from './LoginPage';
import { ConsoleLayout, HomeRedirect, AreaGuard } from './Layout';
import { PageLoading } from './PageLoading';

// One chunk per area: a unit's staff never download the reviewers' charts or PDF viewer.
const UnitArea = lazy(() => import('../areas/unit'));
const ReviewArea = lazy(() => import('../areas/review'));
const OfficeArea = lazy(() => import('../areas/office'));
const SummaryArea = lazy(() => import('../areas/summary'));
const PublicArea = lazy(() => import('../areas/public'));

function RequireAuth({ children }: { children: React.ReactNode }) {
  const signedIn = useSignedIn();
  const location = useLocation();
  if (!signedIn) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

/** Forgets every cached answer when the caller signs out, so the next one sees none. */
function ClearOnSignOut() {
  const signedIn = useSignedIn();
  const qc = useQueryClient();
  useEffect(() => {
    if (!signedIn) qc.clear();
  }, [signedIn, qc]);
  return null;
}

export function AppRoutes() {
  return (
    <Suspense fallback={<PageLoading />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/public/*" element={<PublicArea />} />
        <Route
          element={
            <RequireAuth>
              <ConsoleLayout />
            </RequireAuth>
          }
        >
          <Route index element={<HomeRedirect />} />
          <Route
            path="unit/*"
            element={
              <AreaGuard area="unit">
                <UnitArea />
              </AreaGuard>
            }
          />
          <Route
            path="review/*"
            element={
              <AreaGuard area="review">
                <ReviewArea />
              </AreaGuard>
            }
          />
          <Route
            path="office/*"
            element={
              <AreaGuard area="office">
                <OfficeArea />
              </AreaGuard>
            }
          />
          <Route
            path="summary/*"
            element={
              <AreaGuard area="summary">
                <SummaryArea />
              </AreaGuard>
            }
          />
          <Route path="*" element={<HomeRedirect notFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export function App() {
  // The silent refresh on page load: the refresh cookie, when present, restores the
  // session before any route decides whether to show the login page.
  const [ready, setReady] = useState(false);
  useEffect(() => {
    void restoreSession().finally(() => setReady(true));
  }, []);
  return (
    <Providers>
      <BrowserRouter>
        <ClearOnSignOut />
        {ready ? <AppRoutes /> : <PageLoading />}
      </BrowserRouter>
    </Providers>
  );
}
