// 公示: the public's pages. No login: nothing here needs a token, and the app shell's
// login redirect does not apply under /public.
import { useState } from 'react';
import { Button, Card, Form, Input, Layout, Typography } from 'antd';
import { Route, Routes, useNavigate } from 'react-router';
import { PublicityPage } from './PublicityPage';
import { campaignIdFrom } from './api';

function FindPublicity() {
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  return (
    <Card title="查看公示" style={{ maxWidth: 640, margin: '0 auto' }}>
      <Typography.Paragraph>
        文明单位测评的拟推荐名单在公示期内向社会公开。请打开文明办发布的公示链接，或在下面粘贴链接或公示编号。
      </Typography.Paragraph>
      <Form
        layout="vertical"
        onFinish={(v: { id: string }) => {
          const id = campaignIdFrom(v.id ?? '');
          if (!id) {
            setError('请输入有效的公示链接或编号');
            return;
          }
          navigate(`/public/campaigns/${encodeURIComponent(id)}`);
        }}
      >
        <Form.Item
          name="id"
          label="公示链接或编号"
          validateStatus={error ? 'error' : undefined}
          help={error ?? undefined}
        >
          <Input onChange={() => setError(null)} />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          查看
        </Button>
      </Form>
    </Card>
  );
}

export default function PublicArea() {
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ background: '#b4232a', display: 'flex', alignItems: 'center' }}>
        <Typography.Text style={{ color: '#fff', fontSize: 18, fontWeight: 600 }}>
          文明单位测评 · 公示信息
        </Typography.Text>
      </Layout.Header>
      <Layout.Content style={{ padding: 24, maxWidth: 1200, width: '100%', margin: '0 auto' }}>
        <Routes>
          <Route index element={<FindPublicity />} />
          <Route path="campaigns/:campaignId" element={<PublicityPage />} />
        </Routes>
      </Layout.Content>
    </Layout>
  );
}
