// StandardsPage: the standards the office can use (its own, and the published ones above
// it), a new DRAFT from scratch or from its YAML/XLSX file (standard-formats.md).
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { api, idempotencyKey, unwrap, withIdempotency } from '../../api/client';
import { ApiError, errorMessage } from '../../api/errors';
import { formatDateTime } from '../../lib/format';
import { aggregations, listAll, standardStateLabel, useOfficeCtx, type S } from './common';
import { toBase64 } from './ImportUnits';
import { useSubmitDialog } from '../../lib/submit';

type Standard = S['v1Standard'];

function ImportStandard({ officeId, onDone }: { officeId: string; onDone: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [failure, setFailure] = useState('');
  const submit = async () => {
    if (!file) return;
    setBusy(true);
    setProblems([]);
    setFailure('');
    try {
      const format: S['v1StandardFormat'] = /\.xlsx$/i.test(file.name) ? 'STANDARD_FORMAT_XLSX' : 'STANDARD_FORMAT_YAML';
      const r = unwrap(await api.POST('/v1/offices/{officeId}/standards:import', {
        params: { path: { officeId } },
        body: { format, content: toBase64(await file.arrayBuffer()) },
        ...withIdempotency(idempotencyKey()),
      }));
      setOpen(false);
      setFile(null);
      onDone(r.id ?? '');
    } catch (e) {
      setFailure(errorMessage(e));
      if (e instanceof ApiError) setProblems(e.fieldViolations.map((v) => v.description));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button icon={<UploadOutlined />} onClick={() => setOpen(true)}>
        导入细则
      </Button>
      <Modal open={open} title="从 YAML 或 Excel 导入测评细则" okText="导入" okButtonProps={{ disabled: !file }} confirmLoading={busy} onOk={submit} onCancel={() => setOpen(false)} destroyOnHidden>
        <Upload
          accept=".yaml,.yml,.xlsx"
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            setProblems([]);
            setFailure('');
            return false;
          }}
          onRemove={() => setFile(null)}
          fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}
        >
          <Button icon={<UploadOutlined />}>选择文件</Button>
        </Upload>
        {failure && <Alert style={{ marginTop: 12 }} type="error" showIcon title={failure} />}
        {problems.length > 0 && (
          <ul style={{ marginTop: 8, maxHeight: 300, overflow: 'auto' }}>
            {problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        )}
      </Modal>
    </>
  );
}

function CreateStandard({ officeId, onDone }: { officeId: string; onDone: (id: string) => void }) {
  const [form] = Form.useForm();
  const dialog = useSubmitDialog(
    form,
    async (v, key) => unwrap(await api.POST('/v1/offices/{officeId}/standards', { params: { path: { officeId } }, body: v, ...withIdempotency(key) })),
    { strip: ['standard'], then: (r) => onDone(r.id ?? '') },
  );
  return (
    <>
      <Button type="primary" onClick={dialog.show}>
        新建细则
      </Button>
      <Modal {...dialog.modal} title="新建测评细则（草稿）">
        <Form form={form} layout="vertical" initialValues={{ basePoints: '100.00', bonusCap: '5.00', aggregation: 'AGGREGATION_TRIMMED_MEAN' }}>
          <Form.Item name="code" label="代码（各版本相同）" rules={[{ required: true, whitespace: true }, { max: 64 }]}>
            <Input placeholder="如 HZ-WMDW" />
          </Form.Item>
          <Form.Item name="displayName" label="名称" rules={[{ required: true, whitespace: true }, { max: 200 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="basePoints" label="基础分" rules={[{ required: true, pattern: /^\d+(\.\d{1,2})?$/, message: '最多两位小数' }]}>
            <Input />
          </Form.Item>
          <Form.Item name="bonusCap" label="加分上限" rules={[{ pattern: /^\d+(\.\d{1,2})?$/, message: '最多两位小数' }]}>
            <Input />
          </Form.Item>
          <Form.Item name="aggregation" label="多名测评员得分汇总方式">
            <Select aria-label="汇总方式" options={aggregations} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

export default function StandardsPage() {
  const { officeId, canWrite } = useOfficeCtx();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [state, setState] = useState<S['v1StandardState'] | undefined>();
  const standards = useQuery({
    queryKey: ['office', 'standards', officeId, state],
    enabled: !!officeId,
    queryFn: () =>
      listAll<Standard>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/offices/{officeId}/standards', { params: { path: { officeId }, query: { state, pageSize: 500, pageToken } } }));
        return { items: r.standards ?? [], next: r.nextPageToken };
      }),
  });
  const opened = (id: string) => {
    void qc.invalidateQueries({ queryKey: ['office', 'standards'] });
    navigate(`/office/standards/${encodeURIComponent(id)}`);
  };
  return (
    <Card
      title="测评细则"
      size="small"
      extra={
        canWrite && (
          <Space>
            <ImportStandard officeId={officeId} onDone={opened} />
            <CreateStandard officeId={officeId} onDone={opened} />
          </Space>
        )
      }
    >
      <Select
        aria-label="细则状态"
        placeholder="全部状态"
        allowClear
        style={{ width: 160, marginBottom: 8 }}
        value={state}
        onChange={setState}
        options={[
          { value: 'STANDARD_STATE_DRAFT', label: '草稿' },
          { value: 'STANDARD_STATE_PUBLISHED', label: '已发布' },
          { value: 'STANDARD_STATE_RETIRED', label: '已停用' },
        ]}
      />
      <Table<Standard>
        size="small"
        rowKey={(s) => s.id ?? ''}
        loading={standards.isLoading}
        dataSource={standards.data ?? []}
        pagination={false}
        columns={[
          { title: '名称', render: (_, s) => <Link to={`/office/standards/${encodeURIComponent(s.id ?? '')}`}>{s.displayName}</Link> },
          { title: '代码', render: (_, s) => s.code },
          { title: '版本', render: (_, s) => `v${s.version ?? 0}` },
          { title: '状态', render: (_, s) => <Tag color={s.state === 'STANDARD_STATE_PUBLISHED' ? 'success' : undefined}>{standardStateLabel(s.state)}</Tag> },
          { title: '制定', render: (_, s) => (s.officeId === officeId ? '本级' : '上级') },
          { title: '更新时间', render: (_, s) => formatDateTime(s.updateTime) },
        ]}
      />
    </Card>
  );
}
