// OfficesPage: the office tree below the caller's office (loaded a level at a time), the
// office picked for the other pages, child offices created, and the office's own settings.
import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Card, Col, Descriptions, Form, Input, Modal, Row, Select, Space, Tree } from 'antd';
import type { TreeDataNode } from 'antd';
import { api, unwrap, withIdempotency } from '../../api/client';
import { applyFieldErrors, errorMessage } from '../../api/errors';
import { formatDateTime } from '../../lib/format';
import { levelLabel } from '../../lib/labels';
import { levels, listAll, useOffice, useOfficeCtx, type Office } from './common';
import { message } from '../../lib/feedback';
import { useSubmitDialog } from '../../lib/submit';

interface Node extends TreeDataNode {
  key: string;
  children?: Node[];
}

async function childrenOf(parentId: string): Promise<Office[]> {
  return listAll(async (pageToken) => {
    const r = unwrap(await api.GET('/v1/offices', { params: { query: { parentId, pageSize: 500, pageToken } } }));
    return { items: r.offices ?? [], next: r.nextPageToken };
  });
}

function toNode(o: Office): Node {
  return { key: o.id ?? '', title: `${o.displayName ?? ''}（${levelLabel(o.level)}）`, isLeaf: o.level === 'LEVEL_DISTRICT' };
}

function setChildren(nodes: Node[], key: string, children: Node[]): Node[] {
  return nodes.map((n) =>
    n.key === key ? { ...n, children } : n.children ? { ...n, children: setChildren(n.children, key, children) } : n,
  );
}

function CreateOffice({ parent, onDone }: { parent: Office; onDone: () => void }) {
  const [form] = Form.useForm();
  const below = levels.filter((l) => levels.findIndex((x) => x.value === l.value) < levels.findIndex((x) => x.value === parent.level));
  const dialog = useSubmitDialog(
    form,
    async (v, key) => unwrap(await api.POST('/v1/offices', { body: { ...v, parentId: parent.id }, ...withIdempotency(key) })),
    { strip: ['office'], success: '已创建下级文明办', then: onDone },
  );
  return (
    <>
      <Button onClick={dialog.show} disabled={below.length === 0}>
        新建下级文明办
      </Button>
      <Modal {...dialog.modal} title={`在 ${parent.displayName ?? ''} 下新建`}>
        <Form form={form} layout="vertical" initialValues={{ level: below[below.length - 1]?.value, timeZone: parent.timeZone || 'Asia/Shanghai' }}>
          <Form.Item name="displayName" label="名称" rules={[{ required: true, whitespace: true }, { max: 200 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="level" label="级别" rules={[{ required: true }]}>
            <Select aria-label="级别" options={below} />
          </Form.Item>
          <Form.Item name="regionCode" label="行政区划代码" rules={[{ required: true, pattern: /^\d{6}$/, message: '6 位数字（GB/T 2260）' }]}>
            <Input maxLength={6} />
          </Form.Item>
          <Form.Item name="timeZone" label="时区">
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function EditOffice({ office, onDone }: { office: Office; onDone: () => void }) {
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  useEffect(() => form.setFieldsValue({ displayName: office.displayName, timeZone: office.timeZone }), [office, form]);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      unwrap(await api.PATCH('/v1/offices/{officeId}', {
        params: { path: { officeId: office.id ?? '' }, query: { updateMask: 'displayName,timeZone' } },
        body: { displayName: v.displayName, timeZone: v.timeZone, etag: office.etag },
      }));
      void message.success('已保存');
      onDone();
    } catch (e) {
      applyFieldErrors(form, e);
      void message.error(errorMessage(e));
      onDone();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="inline" onFinish={submit}>
      <Form.Item name="displayName" label="名称" rules={[{ required: true, whitespace: true }, { max: 200 }]}>
        <Input />
      </Form.Item>
      <Form.Item name="timeZone" label="时区">
        <Input placeholder="Asia/Shanghai" />
      </Form.Item>
      <Button htmlType="submit" loading={busy}>
        保存
      </Button>
    </Form>
  );
}

export default function OfficesPage() {
  const { officeId, adminOfficeIds, setOfficeId, canWrite } = useOfficeCtx();
  const qc = useQueryClient();
  const roots = useOffice(adminOfficeIds[0] ?? '');
  const current = useOffice(officeId);
  const [tree, setTree] = useState<Node[]>([]);
  useEffect(() => {
    if (roots.data) setTree([toNode(roots.data)]);
  }, [roots.data]);
  const load = async (node: Node) => {
    try {
      const kids = await childrenOf(node.key);
      setTree((t) => setChildren(t, node.key, kids.map(toNode)));
    } catch (e) {
      void message.error(errorMessage(e));
    }
  };
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['office'] });
    if (roots.data) setTree([toNode(roots.data)]);
  };
  const o = current.data;
  return (
    <Row gutter={16}>
      <Col xs={24} md={9}>
        <Card title="组织架构" size="small">
          <Tree<Node>
            treeData={tree}
            loadData={load}
            selectedKeys={[officeId]}
            onSelect={(keys) => keys[0] && setOfficeId(String(keys[0]))}
          />
        </Card>
      </Col>
      <Col xs={24} md={15}>
        {o && (
          <Card title={o.displayName} size="small" extra={canWrite && <CreateOffice parent={o} onDone={refresh} />}>
            <Descriptions size="small" column={1}>
              <Descriptions.Item label="级别">{levelLabel(o.level)}</Descriptions.Item>
              <Descriptions.Item label="行政区划代码">{o.regionCode}</Descriptions.Item>
              <Descriptions.Item label="时区">{o.timeZone || 'Asia/Shanghai'}</Descriptions.Item>
              <Descriptions.Item label="创建时间">{formatDateTime(o.createTime, o.timeZone)}</Descriptions.Item>
            </Descriptions>
            {canWrite && (
              <Space orientation="vertical" style={{ marginTop: 12 }}>
                <EditOffice office={o} onDone={refresh} />
              </Space>
            )}
          </Card>
        )}
      </Col>
    </Row>
  );
}
