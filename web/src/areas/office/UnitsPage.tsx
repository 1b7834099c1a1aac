// UnitsPage: the units registered with the office (filters by name and category), one at a
// time or from the XLSX template, and per unit its titles (命名, 动态管理), negative list
// (负面清单) and users.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Button, Card, Checkbox, DatePicker, Descriptions, Drawer, Form, Input, InputNumber, Modal, Select, Space, Table, Tabs, Tag, Timeline, Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { api, unwrap, withIdempotency } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { dayjs, formatDate, formatDateTime } from '../../lib/format';
import { levelLabel, roleLabel, titleStateLabel, unitCategoryLabel } from '../../lib/labels';
import { fromWall } from '../review/tz';
import { levels, listAll, negativeCategories, negativeCategoryLabel, unitCategories, useOffice, useOfficeCtx, type S } from './common';
import ImportUnits from './ImportUnits';
import { UserForm } from './UsersPage';
import { message, confirm } from '../../lib/feedback';
import { LinkButton } from '../../lib/LinkButton';
import { useSubmitDialog } from '../../lib/submit';

type Unit = S['v1Unit'];
type TitleRecord = S['v1TitleRecord'];
type Entry = S['v1NegativeListEntry'];

function CreateUnit({ officeId, onDone }: { officeId: string; onDone: () => void }) {
  const [form] = Form.useForm();
  const dialog = useSubmitDialog(
    form,
    async (v, key) => unwrap(await api.POST('/v1/offices/{officeId}/units', { params: { path: { officeId } }, body: v, ...withIdempotency(key) })),
    { strip: ['unit'], success: '已登记单位', then: onDone },
  );
  return (
    <>
      <Button type="primary" onClick={dialog.show}>
        登记单位
      </Button>
      <Modal {...dialog.modal} title="登记单位">
        <Form form={form} layout="vertical">
          <Form.Item name="displayName" label="单位名称" rules={[{ required: true, whitespace: true }, { max: 200 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="creditCode" label="统一社会信用代码" rules={[{ required: true, len: 18, message: '18 位统一社会信用代码' }]}>
            <Input maxLength={18} />
          </Form.Item>
          <Form.Item name="category" label="单位类别" rules={[{ required: true }]}>
            <Select aria-label="单位类别" options={unitCategories} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

const titleMoves: Record<string, { value: S['v1TitleState']; label: string }[]> = {
  TITLE_STATE_NAMED: [
    { value: 'TITLE_STATE_WARNED', label: '警示（黄牌）' },
    { value: 'TITLE_STATE_REVOKED', label: '撤销（摘牌）' },
  ],
  TITLE_STATE_RESTORED: [
    { value: 'TITLE_STATE_WARNED', label: '警示（黄牌）' },
    { value: 'TITLE_STATE_REVOKED', label: '撤销（摘牌）' },
  ],
  TITLE_STATE_WARNED: [
    { value: 'TITLE_STATE_RECTIFYING', label: '进入整改' },
    { value: 'TITLE_STATE_REVOKED', label: '撤销（摘牌）' },
  ],
  TITLE_STATE_RECTIFYING: [
    { value: 'TITLE_STATE_RESTORED', label: '恢复' },
    { value: 'TITLE_STATE_REVOKED', label: '撤销（摘牌）' },
  ],
};

function TitleMove({ title, entries, onDone }: { title: TitleRecord; entries: Entry[]; onDone: () => void }) {
  const tz = useOffice(useOfficeCtx().officeId).data?.timeZone;
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ to: S['v1TitleState']; reason: string; documentNumber: string; deadline?: Dayjs; entry?: string }>();
  const to = Form.useWatch('to', form);
  const [busy, setBusy] = useState(false);
  const moves = titleMoves[title.state ?? ''] ?? [];
  const needsEntry = to === 'TITLE_STATE_REVOKED' && (title.state === 'TITLE_STATE_NAMED' || title.state === 'TITLE_STATE_RESTORED');
  const disqualifying = entries.filter((e) => e.effect === 'NEGATIVE_LIST_EFFECT_DISQUALIFY' && !e.annulled);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      unwrap(await api.POST('/v1/titles/{titleId}:transition', {
        params: { path: { titleId: title.id ?? '' } },
        body: {
          to: v.to,
          reason: v.reason.trim(),
          documentNumber: v.documentNumber.trim(),
          rectificationDeadline: v.to === 'TITLE_STATE_WARNED' && v.deadline ? fromWall(v.deadline.endOf('day'), tz) : undefined,
          negativeListEntryId: needsEntry ? v.entry : undefined,
          etag: title.etag,
        },
      }));
      void message.success('称号状态已变更');
      setOpen(false);
      onDone();
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  if (moves.length === 0 || !title.inForce && title.state !== 'TITLE_STATE_RECTIFYING') return null;
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)}>
        变更状态
      </Button>
      <Modal open={open} title="称号动态管理" onOk={submit} confirmLoading={busy} onCancel={() => setOpen(false)} destroyOnHidden>
        <Form form={form} layout="vertical" initialValues={{ entry: title.proposedRevocationEntryId }}>
          <Form.Item name="to" label="变更为" rules={[{ required: true }]}>
            <Select aria-label="变更为" options={moves} />
          </Form.Item>
          {to === 'TITLE_STATE_WARNED' && (
            <Form.Item name="deadline" label="整改期限" rules={[{ required: true, message: '警示须设整改期限' }]}>
              <DatePicker aria-label="整改期限" disabledDate={(d) => d.isBefore(dayjs(), 'day')} />
            </Form.Item>
          )}
          {needsEntry && (
            <Form.Item name="entry" label="依据的负面清单事项" rules={[{ required: true, message: '直接撤销须依据一项否决类负面清单事项' }]}>
              <Select
                aria-label="依据的负面清单事项"
                options={disqualifying.map((e) => ({ value: e.id, label: `${e.occurredOn} ${negativeCategoryLabel(e.category)}：${e.description ?? ''}` }))}
              />
            </Form.Item>
          )}
          <Form.Item name="reason" label="理由" rules={[{ required: true, whitespace: true }]}>
            <Input.TextArea autoSize={{ minRows: 2 }} />
          </Form.Item>
          <Form.Item name="documentNumber" label="文件文号" rules={[{ required: true, whitespace: true }]}>
            <Input placeholder="如 拱文明委〔2027〕2号" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function Titles({ unit, entries }: { unit: Unit; entries: Entry[] }) {
  const qc = useQueryClient();
  const unitId = unit.id ?? '';
  const titles = useQuery({
    queryKey: ['office', 'titles', unitId],
    queryFn: async () => unwrap(await api.GET('/v1/units/{unitId}/titles', { params: { path: { unitId } } })).titles ?? [],
  });
  const [form] = Form.useForm();
  const refresh = () => void qc.invalidateQueries({ queryKey: ['office', 'titles', unitId] });
  const dialog = useSubmitDialog(
    form,
    async (v, key) =>
      unwrap(await api.POST('/v1/units/{unitId}/titles', {
        params: { path: { unitId } },
        body: {
          level: v.level,
          model: !!v.model,
          termStart: (v.term[0] as Dayjs).startOf('day').toISOString(),
          termEnd: v.term[1] ? (v.term[1] as Dayjs).endOf('day').toISOString() : undefined,
          documentNumber: v.documentNumber,
        },
        ...withIdempotency(key),
      })),
    { strip: ['title'], then: refresh },
  );
  const dismiss = (t: TitleRecord) => {
    let reason = '';
    confirm({
      title: '驳回撤销提议',
      content: <Input.TextArea aria-label="驳回理由" placeholder="理由（必填）" onChange={(e) => (reason = e.target.value)} />,
      onOk: async () => {
        if (!reason.trim()) {
          void message.error('请填写理由');
          throw new Error('reason');
        }
        try {
          unwrap(await api.POST('/v1/titles/{titleId}:dismissRevocation', { params: { path: { titleId: t.id ?? '' } }, body: { reason, etag: t.etag } }));
          refresh();
        } catch (e) {
          void message.error(errorMessage(e));
        }
      },
    });
  };
  return (
    <div>
      <Button onClick={dialog.show} style={{ marginBottom: 8 }}>
        补录历史称号
      </Button>
      <Table<TitleRecord>
        size="small"
        rowKey={(t) => t.id ?? ''}
        loading={titles.isLoading}
        dataSource={titles.data ?? []}
        pagination={false}
        expandable={{
          expandedRowRender: (t) => (
            <Timeline
              items={(t.history ?? []).map((h) => ({
                children: `${formatDateTime(h.time)} ${titleStateLabel(h.state)}：${h.reason ?? ''}${h.documentNumber ? `（${h.documentNumber}）` : ''}`,
              }))}
            />
          ),
        }}
        columns={[
          { title: '级别', render: (_, t) => `${levelLabel(t.level)}${t.model ? '标兵' : ''}` },
          { title: '状态', render: (_, t) => <Tag>{titleStateLabel(t.state)}</Tag> },
          { title: '有效', render: (_, t) => (t.inForce ? '是' : '否') },
          { title: '期限', render: (_, t) => `${formatDate(t.termStart)} – ${formatDate(t.termEnd) || '长期'}` },
          { title: '文号', render: (_, t) => t.documentNumber },
          {
            title: '操作',
            render: (_, t) => (
              <Space>
                {t.proposedRevocationEntryId && <Tag color="error">负面清单提议撤销</Tag>}
                <TitleMove title={t} entries={entries} onDone={refresh} />
                {t.proposedRevocationEntryId && (
                  <Button size="small" onClick={() => dismiss(t)}>
                    驳回提议
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal {...dialog.modal} title="补录历史称号">
        <Form form={form} layout="vertical">
          <Form.Item name="level" label="级别" rules={[{ required: true }]}>
            <Select aria-label="称号级别" options={levels} />
          </Form.Item>
          <Form.Item name="model" valuePropName="checked">
            <Checkbox>标兵</Checkbox>
          </Form.Item>
          <Form.Item name="term" label="期限" rules={[{ required: true }]}>
            <DatePicker.RangePicker allowEmpty={[false, true]} aria-label="期限" />
          </Form.Item>
          <Form.Item name="documentNumber" label="命名文号" rules={[{ required: true, whitespace: true }]}>
            <Input placeholder="如 浙文明委〔2023〕5号" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}

function NegativeList({ unit, entries, loading, onChange }: { unit: Unit; entries: Entry[]; loading: boolean; onChange: () => void }) {
  const [form] = Form.useForm();
  const effect = Form.useWatch('effect', form);
  const dialog = useSubmitDialog(
    form,
    async (v, key) =>
      unwrap(await api.POST('/v1/units/{unitId}/negative-list-entries', {
        params: { path: { unitId: unit.id ?? '' } },
        body: {
          category: v.category,
          description: v.description,
          occurredOn: (v.occurredOn as Dayjs).format('YYYY-MM-DD'),
          effect: v.effect,
          points: v.effect === 'NEGATIVE_LIST_EFFECT_DEDUCT' ? Number(v.points).toFixed(2) : undefined,
          sourceDocument: v.sourceDocument,
        },
        ...withIdempotency(key),
      })),
    { strip: ['entry'], then: onChange },
  );
  const annul = (e: Entry) => {
    let reason = '';
    confirm({
      title: '撤销此事项',
      content: <Input.TextArea aria-label="撤销理由" placeholder="理由（必填）" onChange={(ev) => (reason = ev.target.value)} />,
      onOk: async () => {
        if (!reason.trim()) {
          void message.error('请填写理由');
          throw new Error('reason');
        }
        try {
          unwrap(await api.POST('/v1/negative-list-entries/{entryId}:annul', { params: { path: { entryId: e.id ?? '' } }, body: { reason, etag: e.etag } }));
          onChange();
        } catch (err) {
          void message.error(errorMessage(err));
        }
      },
    });
  };
  return (
    <div>
      <Button onClick={dialog.show} style={{ marginBottom: 8 }}>
        记录负面清单事项
      </Button>
      <Table<Entry>
        size="small"
        rowKey={(e) => e.id ?? ''}
        loading={loading}
        dataSource={entries}
        pagination={false}
        columns={[
          { title: '日期', render: (_, e) => e.occurredOn },
          { title: '类别', render: (_, e) => negativeCategoryLabel(e.category) },
          { title: '情况', render: (_, e) => e.description },
          { title: '后果', render: (_, e) => (e.effect === 'NEGATIVE_LIST_EFFECT_DISQUALIFY' ? <Tag color="error">一票否决</Tag> : `扣 ${e.points ?? ''} 分`) },
          { title: '依据', render: (_, e) => e.sourceDocument },
          {
            title: '状态',
            render: (_, e) =>
              e.annulled ? <Typography.Text type="secondary">已撤销：{e.annulReason}</Typography.Text> : <Button size="small" onClick={() => annul(e)}>撤销</Button>,
          },
        ]}
      />
      <Modal {...dialog.modal} title="记录负面清单事项">
        <Form form={form} layout="vertical" initialValues={{ effect: 'NEGATIVE_LIST_EFFECT_DEDUCT' }}>
          <Form.Item name="category" label="类别" rules={[{ required: true }]}>
            <Select aria-label="负面清单类别" options={negativeCategories} />
          </Form.Item>
          <Form.Item name="description" label="情况" rules={[{ required: true, whitespace: true }]}>
            <Input.TextArea autoSize={{ minRows: 2 }} />
          </Form.Item>
          <Form.Item name="occurredOn" label="发生日期" rules={[{ required: true }]}>
            <DatePicker aria-label="发生日期" disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
          </Form.Item>
          <Form.Item name="effect" label="后果" rules={[{ required: true }]}>
            <Select
              aria-label="后果"
              options={[
                { value: 'NEGATIVE_LIST_EFFECT_DEDUCT', label: '扣分' },
                { value: 'NEGATIVE_LIST_EFFECT_DISQUALIFY', label: '一票否决' },
              ]}
            />
          </Form.Item>
          {effect === 'NEGATIVE_LIST_EFFECT_DEDUCT' && (
            <Form.Item name="points" label="扣分" rules={[{ required: true }]}>
              <InputNumber aria-label="扣分" min={0.01} max={100} precision={2} step={0.5} />
            </Form.Item>
          )}
          <Form.Item name="sourceDocument" label="依据文件" rules={[{ required: true, whitespace: true }]}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}

function UnitUsers({ unit }: { unit: Unit }) {
  const unitId = unit.id ?? '';
  const qc = useQueryClient();
  const users = useQuery({
    queryKey: ['office', 'unit-users', unitId],
    queryFn: async () => unwrap(await api.GET('/v1/units/{unitId}/users', { params: { path: { unitId }, query: { pageSize: 500 } } })).users ?? [],
  });
  return (
    <div>
      <UserForm
        roles={[
          { value: 'ROLE_UNIT_ADMIN', label: '单位管理员' },
          { value: 'ROLE_UNIT_SUBMITTER', label: '单位填报员' },
        ]}
        create={async (body, key) =>
          unwrap(await api.POST('/v1/units/{unitId}/users', { params: { path: { unitId } }, body, ...withIdempotency(key) }))
        }
        onDone={() => void qc.invalidateQueries({ queryKey: ['office', 'unit-users', unitId] })}
      />
      <Table
        size="small"
        rowKey={(u) => u.id ?? ''}
        loading={users.isLoading}
        dataSource={users.data ?? []}
        pagination={false}
        columns={[
          { title: '登录名', render: (_, u) => u.login },
          { title: '姓名', render: (_, u) => u.displayName },
          { title: '角色', render: (_, u) => (u.roles ?? []).map((r) => roleLabel(r)).join('、') },
          { title: '状态', render: (_, u) => (u.disabled ? <Tag>已停用</Tag> : <Tag color="success">正常</Tag>) },
        ]}
      />
    </div>
  );
}

function UnitDrawer({ unit, onClose }: { unit: Unit | null; onClose: () => void }) {
  const unitId = unit?.id ?? '';
  const qc = useQueryClient();
  const entries = useQuery({
    queryKey: ['office', 'negative', unitId],
    enabled: !!unitId,
    queryFn: () =>
      listAll<Entry>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/units/{unitId}/negative-list-entries', { params: { path: { unitId }, query: { pageSize: 500, pageToken } } }));
        return { items: r.entries ?? [], next: r.nextPageToken };
      }),
  });
  return (
    <Drawer open={!!unit} size={900} title={unit?.displayName} onClose={onClose} destroyOnHidden>
      {unit && (
        <>
          <Descriptions size="small" column={2}>
            <Descriptions.Item label="统一社会信用代码">{unit.creditCode}</Descriptions.Item>
            <Descriptions.Item label="类别">{unitCategoryLabel(unit.category)}</Descriptions.Item>
            <Descriptions.Item label="当前称号">
              {unit.title?.level ? `${levelLabel(unit.title.level)}${unit.title.model ? '标兵' : ''}（${titleStateLabel(unit.title.state)}${unit.title.inForce ? '' : '，不在有效期'}）` : '无'}
            </Descriptions.Item>
          </Descriptions>
          <Tabs
            items={[
              { key: 'titles', label: '称号', children: <Titles unit={unit} entries={entries.data ?? []} /> },
              {
                key: 'negative',
                label: '负面清单',
                children: (
                  <NegativeList
                    unit={unit}
                    entries={entries.data ?? []}
                    loading={entries.isLoading}
                    onChange={() => {
                      void qc.invalidateQueries({ queryKey: ['office', 'negative', unitId] });
                      void qc.invalidateQueries({ queryKey: ['office', 'titles', unitId] });
                    }}
                  />
                ),
              },
              { key: 'users', label: '单位用户', children: <UnitUsers unit={unit} /> },
            ]}
          />
        </>
      )}
    </Drawer>
  );
}

export default function UnitsPage() {
  const { officeId, canWrite } = useOfficeCtx();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [category, setCategory] = useState<S['v1UnitCategory'] | undefined>();
  const [open, setOpen] = useState<Unit | null>(null);
  const units = useQuery({
    queryKey: ['office', 'units', officeId, name, category],
    enabled: !!officeId,
    queryFn: () =>
      listAll<Unit>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/offices/{officeId}/units', {
          params: { path: { officeId }, query: { name: name || undefined, category, pageSize: 500, pageToken } },
        }));
        return { items: r.units ?? [], next: r.nextPageToken };
      }, 20),
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['office', 'units', officeId] });
  return (
    <Card
      title="本级登记的单位"
      size="small"
      extra={
        canWrite && (
          <Space>
            <ImportUnits officeId={officeId} onDone={refresh} />
            <CreateUnit officeId={officeId} onDone={refresh} />
          </Space>
        )
      }
    >
      <Space style={{ marginBottom: 8 }} wrap>
        <Input.Search aria-label="按名称查找" placeholder="按名称查找" allowClear onSearch={setName} style={{ width: 220 }} />
        <Select aria-label="单位类别" placeholder="全部类别" allowClear style={{ width: 160 }} value={category} onChange={setCategory} options={unitCategories} />
      </Space>
      <Table<Unit>
        size="small"
        rowKey={(u) => u.id ?? ''}
        loading={units.isLoading}
        dataSource={units.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: '单位名称', render: (_, u) => <LinkButton onClick={() => setOpen(u)}>{u.displayName}</LinkButton> },
          { title: '统一社会信用代码', render: (_, u) => u.creditCode },
          { title: '类别', render: (_, u) => unitCategoryLabel(u.category) },
          {
            title: '称号',
            render: (_, u) => (u.title?.level ? <Tag color={u.title.inForce ? 'warning' : 'default'}>{`${levelLabel(u.title.level)}${u.title.model ? '标兵' : ''} · ${titleStateLabel(u.title.state)}`}</Tag> : '—'),
          },
        ]}
      />
      <UnitDrawer unit={open} onClose={() => setOpen(null)} />
    </Card>
  );
}
