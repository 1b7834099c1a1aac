// 汇总看板: municipal and provincial offices' view across their subtree.
import Dashboard from './Dashboard';

export default function SummaryArea() {
  return <Dashboard />;
}
