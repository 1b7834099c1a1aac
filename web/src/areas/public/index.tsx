import { Result } from 'antd';

export default function PublicArea() {
  return <Result status="info" title="公示信息" />;
}
