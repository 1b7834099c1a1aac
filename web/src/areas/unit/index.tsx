// 本单位申报: a unit's campaigns, applications, evidence, returns and results. Each page is
// a chunk of its own, so the first page a unit's staff see loads only what it shows.
import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { PageLoading } from '../../app/PageLoading';

const UnitHome = lazy(() => import('./UnitHome').then((m) => ({ default: m.UnitHome })));
const ApplicationPage = lazy(() => import('./ApplicationPage').then((m) => ({ default: m.ApplicationPage })));
const EvidencePage = lazy(() => import('./EvidencePage').then((m) => ({ default: m.EvidencePage })));

export default function UnitArea() {
  return (
    <Suspense fallback={<PageLoading />}>
      <Routes>
        <Route index element={<UnitHome />} />
        <Route path="applications/:applicationId" element={<ApplicationPage />} />
        <Route path="applications/:applicationId/evidence/:code/:period" element={<EvidencePage />} />
      </Routes>
    </Suspense>
  );
}
