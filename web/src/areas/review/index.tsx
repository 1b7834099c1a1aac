import { Result } from 'antd';

// Placeholder so routing compiles until the review area lands.
export default function Area() {
  return <Result status="info" title="建设中" />;
}
