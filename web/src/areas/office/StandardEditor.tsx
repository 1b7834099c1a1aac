// StandardEditor: a standard's settings and indicator tree. A DRAFT of the office's own is
// edited in place — drag to reorder or re-parent, add, change, delete — each write naming
// the standard's etag; validation lists what stops publishing. Any standard can be exported.
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert, Button, Card, Col, Descriptions, Dropdown, Empty, Form, Input, InputNumber, List, Row, Select, Space, Spin, Tag, Tree, Typography,
} from 'antd';
import type { TreeProps } from 'antd';
import { DownloadOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { api, unwrap } from '../../api/client';
import { ApiError, applyFieldErrors, errorMessage } from '../../api/errors';
import { formatPoints } from '../../lib/format';
import { indicatorKindLabel } from '../../lib/labels';
import { downloadFile } from '../../lib/files';
import { aggregations, assessmentMethods, cadences, indicatorKinds, standardStateLabel, useOfficeCtx, type S } from './common';
import { buildTree, dropMove, type Indicator, type TreeNode } from './indicatorTree';
import { message, confirm } from '../../lib/feedback';
import { LinkButton } from '../../lib/LinkButton';

type Standard = S['v1Standard'];

const decimal = { pattern: /^\d+(\.\d{1,2})?$/, message: '最多两位小数' };
const fileTypes = ['pdf', 'ofd', 'doc', 'docx', 'wps', 'xls', 'xlsx', 'et', 'ppt', 'pptx', 'dps', 'txt', 'csv', 'jpg', 'jpeg', 'png', 'gif', 'bmp', 'webp', 'heic', 'mp3', 'mp4', 'mov'];

// The fields an indicator form edits, as UpdateIndicator's update mask names them.
const indicatorMask = ['title', 'guidance', 'method', 'kind', 'maxPoints', 'step', 'target', 'floor', 'perItem', 'items', 'evidenceSpec'];

function IndicatorForm({ indicator, parentCode, editable, onSave, onCancel }: {
  indicator?: Indicator;
  parentCode?: string;
  editable: boolean;
  onSave: (ind: Indicator, form: ReturnType<typeof Form.useForm<Indicator>>[0]) => Promise<void>;
  onCancel?: () => void;
}) {
  const [form] = Form.useForm<Indicator>();
  const kind = Form.useWatch('kind', form);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    form.resetFields();
    form.setFieldsValue(indicator ?? { parentCode, kind: 'INDICATOR_KIND_POINTS', method: 'ASSESSMENT_METHOD_MATERIAL', step: '0.50' });
  }, [indicator, parentCode, form]);
  const isNew = !indicator;
  const leaf = kind && kind !== 'INDICATOR_KIND_GROUP';
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      await onSave({ ...v, parentCode: isNew ? (parentCode ?? '') : indicator?.parentCode }, form);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="vertical" disabled={!editable} size="small">
      <Row gutter={12}>
        <Col span={8}>
          <Form.Item name="code" label="编号" rules={[{ required: true, whitespace: true }, { max: 32 }]}>
            <Input disabled={!isNew || !editable} placeholder="如 1.2" />
          </Form.Item>
        </Col>
        <Col span={16}>
          <Form.Item name="kind" label="类型" rules={[{ required: true }]}>
            <Select aria-label="指标类型" options={indicatorKinds} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="title" label="测评内容" rules={[{ required: true, whitespace: true }, { max: 500 }]}>
        <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} />
      </Form.Item>
      <Form.Item name="guidance" label="测评标准" rules={[{ max: 5000 }]}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} />
      </Form.Item>
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item name="method" label="测评方法">
            <Select aria-label="测评方法" allowClear options={assessmentMethods} />
          </Form.Item>
        </Col>
        {kind !== 'INDICATOR_KIND_VETO' && (
          <Col span={12}>
            <Form.Item name="maxPoints" label="分值" rules={[decimal, { required: kind !== 'INDICATOR_KIND_GROUP', message: '请填写分值' }]}>
              <Input />
            </Form.Item>
          </Col>
        )}
        {(kind === 'INDICATOR_KIND_POINTS' || kind === 'INDICATOR_KIND_BONUS') && (
          <Col span={12}>
            <Form.Item name="step" label="步长" rules={[decimal]}>
              <Input placeholder="0.50" />
            </Form.Item>
          </Col>
        )}
        {(kind === 'INDICATOR_KIND_THRESHOLD' || kind === 'INDICATOR_KIND_LINEAR') && (
          <Col span={12}>
            <Form.Item name="target" label="目标值（得满分）" rules={[decimal, { required: true }]}>
              <Input />
            </Form.Item>
          </Col>
        )}
        {kind === 'INDICATOR_KIND_LINEAR' && (
          <Col span={12}>
            <Form.Item name="floor" label="起点值（得 0 分）" rules={[decimal, { required: true }]}>
              <Input />
            </Form.Item>
          </Col>
        )}
        {kind === 'INDICATOR_KIND_DEDUCTION' && (
          <Col span={12}>
            <Form.Item name="perItem" label="每次扣分" rules={[decimal, { required: true }]}>
              <Input />
            </Form.Item>
          </Col>
        )}
      </Row>
      {kind === 'INDICATOR_KIND_CHECKLIST' && (
        <Form.List name="items">
          {(fields, { add, remove }) => (
            <>
              <div>
                <Typography.Text>子项</Typography.Text>
              </div>
              {fields.map((f) => (
                <Space key={f.key} align="baseline">
                  <Form.Item name={[f.name, 'code']} rules={[{ required: true, message: '编号' }]}>
                    <Input placeholder="编号" style={{ width: 60 }} aria-label="子项编号" />
                  </Form.Item>
                  <Form.Item name={[f.name, 'title']} rules={[{ required: true, message: '内容' }]}>
                    <Input placeholder="内容" style={{ width: 220 }} aria-label="子项内容" />
                  </Form.Item>
                  <Form.Item name={[f.name, 'points']} rules={[decimal, { required: true, message: '分值' }]}>
                    <Input placeholder="分值" style={{ width: 80 }} aria-label="子项分值" />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} aria-label="删除子项" />
                </Space>
              ))}
              <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({})} style={{ marginBottom: 12 }}>
                添加子项
              </Button>
            </>
          )}
        </Form.List>
      )}
      {leaf && (
        <Card size="small" title="报送要求" style={{ marginBottom: 12 }}>
          <Row gutter={12}>
            <Col span={24}>
              <Form.Item name={['evidenceSpec', 'fileTypes']} label="接受的文件类型">
                <Select mode="multiple" aria-label="接受的文件类型" options={fileTypes.map((t) => ({ value: t, label: t }))} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name={['evidenceSpec', 'cadence']} label="报送周期">
                <Select aria-label="报送周期" allowClear options={cadences} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name={['evidenceSpec', 'minFiles']} label="最少文件数">
                <InputNumber aria-label="最少文件数" min={0} max={100} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name={['evidenceSpec', 'minPhotos']} label="最少照片数">
                <InputNumber aria-label="最少照片数" min={0} max={100} />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name={['evidenceSpec', 'narrativeMaxChars']} label="文字说明字数上限（0 为 500）">
                <InputNumber aria-label="文字说明字数上限" min={0} max={20000} />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name={['evidenceSpec', 'dueDay']} label="每期截止日（0 为月末）">
                <InputNumber aria-label="每期截止日" min={0} max={28} />
              </Form.Item>
            </Col>
          </Row>
        </Card>
      )}
      {editable && (
        <Space>
          <Button type="primary" loading={busy} onClick={submit}>
            {isNew ? '添加' : '保存指标'}
          </Button>
          {onCancel && <Button onClick={onCancel}>取消</Button>}
        </Space>
      )}
    </Form>
  );
}

function Settings({ standard, editable, onSaved }: { standard: Standard; editable: boolean; onSaved: (s: Standard) => void }) {
  const [form] = Form.useForm();
  // Zero values arrive omitted: grade D's 0 % is a 0, not a blank.
  useEffect(
    () => form.setFieldsValue({ ...standard, gradeScale: (standard.gradeScale ?? []).map((g) => ({ grade: g.grade ?? '', percent: g.percent ?? 0 })) }),
    [standard, form],
  );
  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      const r = unwrap(await api.PATCH('/v1/standards/{standardId}', {
        params: { path: { standardId: standard.id ?? '' }, query: { updateMask: 'displayName,basePoints,bonusCap,aggregation,gradeScale' } },
        body: { ...v, etag: standard.etag },
      }));
      onSaved(r);
      void message.success('已保存');
    } catch (e) {
      applyFieldErrors(form, e, { strip: ['standard'] });
      void message.error(errorMessage(e));
    }
  };
  return (
    <Form form={form} layout="vertical" size="small" disabled={!editable}>
      <Form.Item name="displayName" label="名称" rules={[{ required: true, whitespace: true }]}>
        <Input />
      </Form.Item>
      <Row gutter={12}>
        <Col span={8}>
          <Form.Item name="basePoints" label="基础分" rules={[decimal]}>
            <Input />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="bonusCap" label="加分上限" rules={[decimal]}>
            <Input />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="aggregation" label="汇总方式">
            <Select aria-label="汇总方式" options={aggregations} />
          </Form.Item>
        </Col>
      </Row>
      <Form.List name="gradeScale">
        {(fields, { add, remove }) => (
          <>
            <div>
              <Typography.Text>等次（不填为 A 100、B 66、C 33、D 0）</Typography.Text>
            </div>
            {fields.map((f) => (
              <Space key={f.key} align="baseline" style={{ marginRight: 16 }}>
                <Form.Item name={[f.name, 'grade']} rules={[{ required: true, message: '等次' }]}>
                  <Input style={{ width: 60 }} aria-label="等次" />
                </Form.Item>
                <Form.Item name={[f.name, 'percent']} rules={[{ required: true, message: '比例' }]}>
                  <InputNumber min={0} max={100} suffix="%" aria-label="得分比例" />
                </Form.Item>
                <MinusCircleOutlined onClick={() => remove(f.name)} aria-label="删除等次" />
              </Space>
            ))}
            <div>
              <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({ percent: 0 })} style={{ marginBottom: 12 }}>
                添加等次
              </Button>
            </div>
          </>
        )}
      </Form.List>
      {editable && (
        <Button type="primary" onClick={save}>
          保存设置
        </Button>
      )}
    </Form>
  );
}

export default function StandardEditor() {
  const { standardId = '' } = useParams();
  const { officeId, canWrite } = useOfficeCtx();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const key = ['office', 'standard', standardId];
  const standard = useQuery({
    queryKey: key,
    queryFn: async () => unwrap(await api.GET('/v1/standards/{standardId}', { params: { path: { standardId } } })),
  });
  const [selected, setSelected] = useState<string>('');
  const [adding, setAdding] = useState<{ parent: string } | null>(null);
  const [problems, setProblems] = useState<{ problems: S['v1Problem'][]; warnings: S['v1Problem'][] } | null>(null);
  const s = standard.data;
  const indicators = useMemo(() => s?.indicators ?? [], [s]);
  const tree = useMemo(
    () =>
      buildTree(indicators, (i) =>
        `${i.code} ${i.title ?? ''}（${indicatorKindLabel(i.kind)}${i.maxPoints ? ` ${formatPoints(i.maxPoints)}` : ''}）`,
      ),
    [indicators],
  );
  if (standard.isError) return <Alert type="error" showIcon title={errorMessage(standard.error)} />;
  if (!s) return <Spin />;
  const editable = canWrite && s.state === 'STANDARD_STATE_DRAFT' && s.officeId === officeId;
  const set = (r: Standard) => qc.setQueryData(key, r);
  const onError = (e: unknown) => {
    void message.error(errorMessage(e));
    if (e instanceof ApiError && e.isConflict) void standard.refetch();
  };
  const current = indicators.find((i) => i.code === selected);

  const onDrop: TreeProps<TreeNode>['onDrop'] = async (info) => {
    const rel = info.dropPosition - Number(String(info.node.pos).split('-').pop());
    const move = dropMove(indicators, String(info.dragNode.key), String(info.node.key), !info.dropToGap, rel > 0);
    if (!move) return;
    const drag = indicators.find((i) => i.code === info.dragNode.key);
    const mask = (drag?.parentCode ?? '') === move.parentCode ? 'position' : 'parentCode,position';
    try {
      set(unwrap(await api.PATCH('/v1/standards/{standardId}/indicators/{code}', {
        params: { path: { standardId, code: String(info.dragNode.key) }, query: { updateMask: mask, etag: s.etag ?? '', position: move.position } },
        body: { parentCode: move.parentCode },
      })));
    } catch (e) {
      onError(e);
    }
  };
  const saveIndicator = async (ind: Indicator, form: ReturnType<typeof Form.useForm<Indicator>>[0]) => {
    try {
      if (adding) {
        set(unwrap(await api.POST('/v1/standards/{standardId}/indicators', {
          params: { path: { standardId }, query: { etag: s.etag ?? '' } },
          body: ind,
        })));
        setAdding(null);
        setSelected(ind.code ?? '');
      } else {
        set(unwrap(await api.PATCH('/v1/standards/{standardId}/indicators/{code}', {
          params: { path: { standardId, code: selected }, query: { updateMask: indicatorMask.join(','), etag: s.etag ?? '' } },
          body: ind,
        })));
      }
      void message.success('已保存');
    } catch (e) {
      applyFieldErrors(form, e, { strip: ['indicator'] });
      onError(e);
    }
  };
  const remove = () =>
    confirm({
      title: `删除指标 ${selected}？`,
      content: current?.kind === 'INDICATOR_KIND_GROUP' ? '其下所有指标将一并删除。' : undefined,
      okButtonProps: { danger: true },
      onOk: async () => {
        try {
          set(unwrap(await api.DELETE('/v1/standards/{standardId}/indicators/{code}', {
            params: { path: { standardId, code: selected }, query: { etag: s.etag ?? '', cascade: true } },
          })));
          setSelected('');
        } catch (e) {
          onError(e);
        }
      },
    });
  const validate = async () => {
    try {
      const r = unwrap(await api.GET('/v1/standards/{standardId}:validate', { params: { path: { standardId } } }));
      setProblems({ problems: r.problems ?? [], warnings: r.warnings ?? [] });
    } catch (e) {
      onError(e);
    }
  };
  const action = async (what: 'publish' | 'retire' | 'newVersion') => {
    try {
      if (what === 'publish') set(unwrap(await api.POST('/v1/standards/{standardId}:publish', { params: { path: { standardId } }, body: { etag: s.etag } })));
      if (what === 'retire') set(unwrap(await api.POST('/v1/standards/{standardId}:retire', { params: { path: { standardId } }, body: { etag: s.etag } })));
      if (what === 'newVersion') {
        const r = unwrap(await api.POST('/v1/standards/{standardId}:newVersion', { params: { path: { standardId } }, body: {} }));
        navigate(`/office/standards/${encodeURIComponent(r.id ?? '')}`);
      }
      void qc.invalidateQueries({ queryKey: ['office', 'standards'] });
    } catch (e) {
      onError(e);
      if (e instanceof ApiError && e.fieldViolations.length) {
        setProblems({ problems: e.fieldViolations.map((v) => ({ field: v.field, message: v.description })), warnings: [] });
      }
    }
  };
  const exportAs = (format: 'STANDARD_FORMAT_YAML' | 'STANDARD_FORMAT_XLSX') =>
    downloadFile(`/v1/standards/${encodeURIComponent(standardId)}:export`, { format }, `${s.code ?? 'standard'}-v${s.version ?? 1}.${format === 'STANDARD_FORMAT_XLSX' ? 'xlsx' : 'yaml'}`).catch(onError);

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Link to="/office/standards">← 返回细则列表</Link>
      <Card
        size="small"
        title={
          <Space>
            {s.displayName}
            <Tag>v{s.version ?? 0}</Tag>
            <Tag color={s.state === 'STANDARD_STATE_PUBLISHED' ? 'success' : undefined}>{standardStateLabel(s.state)}</Tag>
          </Space>
        }
        extra={
          <Space wrap>
            <Dropdown
              menu={{
                items: [
                  { key: 'STANDARD_FORMAT_YAML', label: 'YAML' },
                  { key: 'STANDARD_FORMAT_XLSX', label: 'Excel' },
                ],
                onClick: ({ key }) => void exportAs(key as 'STANDARD_FORMAT_YAML' | 'STANDARD_FORMAT_XLSX'),
              }}
            >
              <Button icon={<DownloadOutlined />}>导出</Button>
            </Dropdown>
            {editable && <Button onClick={validate}>校验</Button>}
            {editable && (
              <Button type="primary" onClick={() => confirm({ title: '发布后不能再修改，确认发布？', onOk: () => action('publish') })}>
                发布
              </Button>
            )}
            {canWrite && s.officeId === officeId && s.state !== 'STANDARD_STATE_DRAFT' && <Button onClick={() => action('newVersion')}>新建版本</Button>}
            {canWrite && s.officeId === officeId && s.state === 'STANDARD_STATE_PUBLISHED' && (
              <Button danger onClick={() => confirm({ title: '停用后新的测评周期不能再选用，确认停用？', onOk: () => action('retire') })}>
                停用
              </Button>
            )}
          </Space>
        }
      >
        <Descriptions size="small" column={4}>
          <Descriptions.Item label="代码">{s.code}</Descriptions.Item>
          <Descriptions.Item label="基础分">{formatPoints(s.basePoints)}</Descriptions.Item>
          <Descriptions.Item label="加分上限">{formatPoints(s.bonusCap)}</Descriptions.Item>
          <Descriptions.Item label="指标数">{indicators.length}</Descriptions.Item>
        </Descriptions>
        {!editable && <Typography.Text type="secondary">只有本级文明办的草稿可以编辑；已发布的细则可“新建版本”后修改。</Typography.Text>}
      </Card>
      {problems && (
        <Alert
          type={problems.problems.length ? 'error' : 'success'}
          showIcon
          closable={{ onClose: () => setProblems(null) }}
          title={problems.problems.length ? `有 ${problems.problems.length} 个问题，不能发布` : '校验通过，可以发布'}
          description={
            <List
              size="small"
              dataSource={[...problems.problems.map((p) => ({ ...p, w: false })), ...problems.warnings.map((p) => ({ ...p, w: true }))]}
              renderItem={(p) => (
                <List.Item>
                  {p.w ? <Tag color="warning">提示</Tag> : <Tag color="error">问题</Tag>}
                  {p.indicatorCode && <LinkButton onClick={() => setSelected(p.indicatorCode ?? '')}>{p.indicatorCode}</LinkButton>} {p.message}
                </List.Item>
              )}
            />
          }
        />
      )}
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Card
            size="small"
            title="指标体系"
            extra={
              <Space>
                <Button size="small" onClick={() => { setAdding(null); setSelected(''); }}>
                  细则设置
                </Button>
                {editable && (
                  <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding({ parent: '' })}>
                    添加一级指标
                  </Button>
                )}
              </Space>
            }
          >
            {tree.length ? (
              <Tree<TreeNode>
                treeData={tree}
                draggable={editable ? { icon: false } : false}
                blockNode
                defaultExpandAll
                selectedKeys={selected ? [selected] : []}
                onSelect={(k) => {
                  setAdding(null);
                  setSelected(String(k[0] ?? ''));
                }}
                onDrop={onDrop}
                allowDrop={({ dropNode, dropPosition }) => dropPosition !== 0 || !dropNode.isLeaf}
                height={640}
              />
            ) : (
              <Empty description="还没有指标" />
            )}
            {editable && <Typography.Text type="secondary">拖动指标可调整顺序或上级。</Typography.Text>}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          {adding ? (
            <Card size="small" title={adding.parent ? `在 ${adding.parent} 下添加指标` : '添加一级指标'}>
              <IndicatorForm parentCode={adding.parent} editable onSave={saveIndicator} onCancel={() => setAdding(null)} />
            </Card>
          ) : current ? (
            <Card
              size="small"
              title={`指标 ${current.code}`}
              extra={
                editable && (
                  <Space>
                    {current.kind === 'INDICATOR_KIND_GROUP' && (
                      <Button size="small" onClick={() => setAdding({ parent: current.code ?? '' })}>
                        添加下级
                      </Button>
                    )}
                    <Button size="small" danger onClick={remove}>
                      删除
                    </Button>
                  </Space>
                )
              }
            >
              <IndicatorForm indicator={current} editable={editable} onSave={saveIndicator} />
            </Card>
          ) : (
            <Card size="small" title="设置">
              <Settings standard={s} editable={editable} onSaved={set} />
            </Card>
          )}
        </Col>
      </Row>
    </Space>
  );
}
