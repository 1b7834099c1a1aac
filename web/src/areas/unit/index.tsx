import { Result } from 'antd';

export default function UnitArea() {
  return <Result status="info" title="本单位申报" />;
}
