// 测评工作台: a district reviewer's queue and score sheets.
import { Route, Routes } from 'react-router';
import QueuePage from './QueuePage';
import SheetPage from './SheetPage';

export default function ReviewArea() {
  return (
    <Routes>
      <Route index element={<QueuePage />} />
      <Route path=":assignmentId" element={<SheetPage />} />
    </Routes>
  );
}
