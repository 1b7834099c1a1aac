import { Spin } from 'antd';

export function PageLoading({ tip = '加载中…' }: { tip?: string }) {
  return (
    <div style={{ display: 'flex', justifyContent: 'center', alignItems: 'center', minHeight: 240 }}>
      <Spin description={tip} />
    </div>
  );
}
