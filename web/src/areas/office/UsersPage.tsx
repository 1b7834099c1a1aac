// UsersPage: the office's users (admins, reviewers, viewers) and its service accounts
// (machine clients, e.g. a province's nightly summary pull; the secret is shown once).
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { api, unwrap, withIdempotency } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { formatDateTime } from '../../lib/format';
import { roleLabel } from '../../lib/labels';
import { listAll, useOfficeCtx, type S } from './common';
import { message, confirm } from '../../lib/feedback';
import { useSubmitDialog } from '../../lib/submit';

type User = S['v1User'];
type Role = S['v1Role'];

const officeRoles: { value: Role; label: string }[] = [
  { value: 'ROLE_OFFICE_ADMIN', label: '文明办管理员' },
  { value: 'ROLE_OFFICE_REVIEWER', label: '测评员' },
  { value: 'ROLE_OFFICE_VIEWER', label: '文明办查阅' },
];

/** UserForm is the "new user" button and dialog, for office and unit users alike. */
export function UserForm({ roles, create, onDone }: {
  roles: { value: Role; label: string }[];
  create: (body: User, key: string) => Promise<User>;
  onDone: () => void;
}) {
  const [form] = Form.useForm();
  const dialog = useSubmitDialog(
    form,
    (v, key) => create({ login: v.login, displayName: v.displayName, roles: v.roles, password: v.password }, key),
    { strip: ['user'], success: '已创建用户', then: onDone },
  );
  return (
    <>
      <Button type="primary" onClick={dialog.show} style={{ marginBottom: 8 }}>
        新建用户
      </Button>
      <Modal {...dialog.modal} title="新建用户">
        <Form form={form} layout="vertical">
          <Form.Item
            name="login"
            label="登录名"
            rules={[{ required: true }, { pattern: /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/, message: '2–64 位字母、数字或 . _ @ -，以字母或数字开头' }]}
          >
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="displayName" label="姓名" rules={[{ required: true, whitespace: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="roles" label="角色" rules={[{ required: true, message: '至少一个角色' }]}>
            <Select mode="multiple" aria-label="角色" options={roles} />
          </Form.Item>
          <Form.Item name="password" label="初始密码" rules={[{ required: true }, { min: 10, message: '至少 10 个字符' }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function ResetPassword({ user }: { user: User }) {
  const [form] = Form.useForm();
  const dialog = useSubmitDialog(
    form,
    async (v) => unwrap(await api.POST('/v1/users/{userId}:resetPassword', { params: { path: { userId: user.id ?? '' } }, body: { newPassword: v.newPassword } })),
    { success: '密码已重置，该用户的所有会话已结束' },
  );
  return (
    <>
      <Button size="small" onClick={dialog.show}>
        重置密码
      </Button>
      <Modal {...dialog.modal} title={`重置 ${user.login ?? ''} 的密码`}>
        <Form form={form} layout="vertical">
          <Form.Item name="newPassword" label="新密码" rules={[{ required: true }, { min: 10, message: '至少 10 个字符' }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function ServiceAccounts({ officeId, canWrite }: { officeId: string; canWrite: boolean }) {
  const qc = useQueryClient();
  const accounts = useQuery({
    queryKey: ['office', 'service-accounts', officeId],
    queryFn: () =>
      listAll<S['v1ServiceAccount']>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/offices/{officeId}/service-accounts', { params: { path: { officeId }, query: { pageSize: 500, pageToken } } }));
        return { items: r.serviceAccounts ?? [], next: r.nextPageToken };
      }),
  });
  const [secret, setSecret] = useState<{ clientId: string; clientSecret: string } | null>(null);
  const [form] = Form.useForm();
  const refresh = () => void qc.invalidateQueries({ queryKey: ['office', 'service-accounts', officeId] });
  const dialog = useSubmitDialog(
    form,
    async (v, key) =>
      unwrap(await api.POST('/v1/offices/{officeId}/service-accounts', {
        params: { path: { officeId } },
        body: { displayName: v.displayName, roles: v.roles },
        ...withIdempotency(key),
      })),
    {
      strip: ['serviceAccount', 'service_account'],
      then: (r) => {
        setSecret({ clientId: r.clientId ?? '', clientSecret: r.clientSecret ?? '' });
        refresh();
      },
    },
  );
  const disable = (id: string) =>
    confirm({
      title: '停用此服务账号？',
      content: '停用后不能再获取令牌，且不能恢复。',
      okButtonProps: { danger: true },
      onOk: async () => {
        try {
          unwrap(await api.POST('/v1/service-accounts/{serviceAccountId}:disable', { params: { path: { serviceAccountId: id } }, body: {} }));
          refresh();
        } catch (e) {
          void message.error(errorMessage(e));
        }
      },
    });
  return (
    <Card title="服务账号" size="small" extra={canWrite && <Button onClick={dialog.show}>新建服务账号</Button>}>
      <Table
        size="small"
        rowKey={(a) => a.id ?? ''}
        loading={accounts.isLoading}
        dataSource={accounts.data ?? []}
        pagination={false}
        columns={[
          { title: '名称', render: (_, a) => a.displayName },
          { title: 'Client ID', render: (_, a) => <Typography.Text copyable>{a.clientId}</Typography.Text> },
          { title: '角色', render: (_, a) => (a.roles ?? []).map((r) => roleLabel(r)).join('、') },
          { title: '创建时间', render: (_, a) => formatDateTime(a.createTime) },
          {
            title: '状态',
            render: (_, a) =>
              a.disabled ? <Tag>已停用</Tag> : canWrite ? <Button size="small" danger onClick={() => disable(a.id ?? '')}>停用</Button> : <Tag color="success">正常</Tag>,
          },
        ]}
      />
      <Modal {...dialog.modal} title="新建服务账号">
        <Form form={form} layout="vertical" initialValues={{ roles: ['ROLE_OFFICE_VIEWER'] }}>
          <Form.Item name="displayName" label="名称" rules={[{ required: true, whitespace: true }]}>
            <Input placeholder="如 省平台汇总拉取" />
          </Form.Item>
          <Form.Item name="roles" label="角色" rules={[{ required: true }]}>
            <Select mode="multiple" aria-label="服务账号角色" options={officeRoles} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={!!secret} title="服务账号已创建" onOk={() => setSecret(null)} onCancel={() => setSecret(null)} cancelButtonProps={{ style: { display: 'none' } }}>
        <Alert type="warning" showIcon title="密钥只显示这一次，请立即妥善保存。" style={{ marginBottom: 12 }} />
        <p>
          Client ID：<Typography.Text copyable>{secret?.clientId}</Typography.Text>
        </p>
        <p>
          Client Secret：<Typography.Text copyable code>{secret?.clientSecret}</Typography.Text>
        </p>
      </Modal>
    </Card>
  );
}

export default function UsersPage() {
  const { officeId, canWrite } = useOfficeCtx();
  const qc = useQueryClient();
  const users = useQuery({
    queryKey: ['office', 'users', officeId],
    enabled: !!officeId,
    queryFn: () =>
      listAll<User>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/offices/{officeId}/users', { params: { path: { officeId }, query: { pageSize: 500, pageToken } } }));
        return { items: r.users ?? [], next: r.nextPageToken };
      }),
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['office', 'users', officeId] });
  const toggle = async (u: User) => {
    try {
      const userId = u.id ?? '';
      if (u.disabled) unwrap(await api.POST('/v1/users/{userId}:enable', { params: { path: { userId } }, body: {} }));
      else unwrap(await api.POST('/v1/users/{userId}:disable', { params: { path: { userId } }, body: {} }));
      refresh();
    } catch (e) {
      void message.error(errorMessage(e));
    }
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Card title="文明办用户" size="small">
        {canWrite && (
          <UserForm
            roles={officeRoles}
            create={async (body, key) => unwrap(await api.POST('/v1/offices/{officeId}/users', { params: { path: { officeId } }, body, ...withIdempotency(key) }))}
            onDone={refresh}
          />
        )}
        <Table<User>
          size="small"
          rowKey={(u) => u.id ?? ''}
          loading={users.isLoading}
          dataSource={users.data ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          columns={[
            { title: '登录名', render: (_, u) => u.login },
            { title: '姓名', render: (_, u) => u.displayName },
            { title: '角色', render: (_, u) => (u.roles ?? []).map((r) => roleLabel(r)).join('、') },
            { title: '状态', render: (_, u) => (u.disabled ? <Tag>已停用</Tag> : <Tag color="success">正常</Tag>) },
            {
              title: '操作',
              render: (_, u) =>
                canWrite && (
                  <Space>
                    <Button size="small" onClick={() => toggle(u)}>
                      {u.disabled ? '启用' : '停用'}
                    </Button>
                    <ResetPassword user={u} />
                  </Space>
                ),
            },
          ]}
        />
      </Card>
      <ServiceAccounts officeId={officeId} canWrite={canWrite} />
    </Space>
  );
}
