// 本单位申报: a unit's campaigns, applications, evidence, returns and results.
import { Route, Routes } from 'react-router';
import { UnitHome } from './UnitHome';
import { ApplicationPage } from './ApplicationPage';
import { EvidencePage } from './EvidencePage';

export default function UnitArea() {
  return (
    <Routes>
      <Route index element={<UnitHome />} />
      <Route path="applications/:applicationId" element={<ApplicationPage />} />
      <Route path="applications/:applicationId/evidence/:code/:period" element={<EvidencePage />} />
    </Routes>
  );
}
