import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { login } from '../api/session';
import { ApiError, errorMessage } from '../api/errors';
import { useSignedIn } from './useSession';

/** Only same-site paths are followed after login (no open redirect through ?next=). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/login')) return '/';
  return next;
}

function loginErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.reason === 'RATE_LIMITED' && err.retryAfterSeconds) {
      return `${err.message}（请在 ${Math.ceil(err.retryAfterSeconds / 60)} 分钟后重试）`;
    }
    if (err.status === 401 && !err.reason) return '用户名或密码错误';
  }
  return errorMessage(err);
}

export function LoginPage() {
  const signedIn = useSignedIn();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));

  if (signedIn && !busy) return <Navigate to={next} replace />;

  const onFinish = async (v: { login: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await login(v.login.trim(), v.password);
      qc.clear();
      navigate(next, { replace: true });
    } catch (e) {
      setError(loginErrorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: '#f5f5f5',
      }}
    >
      <Card style={{ width: 380 }}>
        <Typography.Title level={3} style={{ textAlign: 'center', marginTop: 0 }}>
          文明单位测评平台
        </Typography.Title>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" />}
        <Form layout="vertical" onFinish={onFinish} requiredMark={false} disabled={busy}>
          <Form.Item
            label="用户名"
            name="login"
            rules={[{ required: true, whitespace: true, message: '请输入用户名' }]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus maxLength={64} />
          </Form.Item>
          <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" maxLength={200} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            登录
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0, fontSize: 12 }}>
          公众查看公示请访问 <a href="/public">公示信息</a>。
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
