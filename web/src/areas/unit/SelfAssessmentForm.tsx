import { useEffect, useMemo } from 'react';
import { App, Alert, Button, Form, Input, Space, Table, Typography } from 'antd';
import { api, unwrap } from '../../api/client';
import { ApiError, errorMessage } from '../../api/errors';
import { formatPoints, isDecimal2 } from '../../lib/format';
import { indicatorKindLabel } from '../../lib/labels';
import type { Application, Indicator } from './api';

/** Leaves a unit may assess itself on: every leaf but deductions and vetoes. */
export function assessable(indicators: Indicator[]): Indicator[] {
  const parents = new Set(indicators.map((i) => i.parentCode).filter(Boolean));
  return indicators.filter(
    (i) =>
      !parents.has(i.code) &&
      i.kind !== 'INDICATOR_KIND_GROUP' &&
      i.kind !== 'INDICATOR_KIND_DEDUCTION' &&
      i.kind !== 'INDICATOR_KIND_VETO',
  );
}

/** Points as hundredths, for exact sums. */
function cents(s: string): bigint {
  const [i, f = ''] = s.split('.');
  return BigInt(i || '0') * 100n + BigInt((f + '00').slice(0, 2));
}

export function pointsRule(max: string | undefined) {
  return {
    validator: async (_: unknown, v: string | undefined) => {
      const s = (v ?? '').trim();
      if (!s) return;
      if (!isDecimal2(s)) throw new Error('请输入不超过两位小数的数');
      if (max && cents(s) > cents(formatPoints(max))) throw new Error(`不能超过满分 ${formatPoints(max)}`);
    },
  };
}

interface Row {
  points?: string;
  comment?: string;
}

/** SelfAssessmentForm edits the unit's own points per indicator (自评) while a draft. */
export function SelfAssessmentForm({
  application,
  indicators,
  editable,
  onSaved,
}: {
  application: Application;
  indicators: Indicator[];
  editable: boolean;
  onSaved: (a: Application) => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ rows: Row[] }>();
  const leaves = useMemo(() => assessable(indicators), [indicators]);
  useEffect(() => {
    const byCode = new Map((application.selfAssessment ?? []).map((s) => [s.indicatorCode, s]));
    form.setFieldsValue({
      rows: leaves.map((i) => {
        const s = byCode.get(i.code);
        return { points: s ? formatPoints(s.points) : '', comment: s?.comment ?? '' };
      }),
    });
  }, [application, leaves, form]);
  const rows = Form.useWatch('rows', form) ?? [];
  const total = rows.reduce((sum, r) => (r?.points && isDecimal2(r.points) ? sum + cents(r.points.trim()) : sum), 0n);

  const save = async () => {
    const v = await form.validateFields();
    const list = leaves
      .map((ind, i) => ({ ind, r: v.rows[i] ?? {} }))
      .filter(({ r }) => (r.points ?? '').trim() !== '')
      .map(({ ind, r }) => ({ indicatorCode: ind.code, points: r.points!.trim(), comment: (r.comment ?? '').trim() }));
    try {
      const a = unwrap(
        await api.PATCH('/v1/applications/{applicationId}', {
          params: { path: { applicationId: application.id ?? '' }, query: { updateMask: 'selfAssessment' } },
          body: { selfAssessment: list, etag: application.etag },
        }),
      );
      message.success('自评已保存');
      onSaved(a);
    } catch (e) {
      if (e instanceof ApiError && e.isConflict) {
        // Someone else saved meanwhile: show theirs, then the caller saves again.
        message.warning('自评已被他人修改，已刷新为最新内容，请核对后再保存');
        onSaved(application);
        return;
      }
      if (e instanceof ApiError) {
        // Violations name application.self_assessment[i].points: i counts the rows sent.
        const fields = e.fieldViolations.flatMap((f) => {
          const m = /self_assessment\[(\d+)\]\.(points|comment|indicator_code)/.exec(f.field);
          if (!m) return [];
          const code = list[Number(m[1])]?.indicatorCode;
          const row = leaves.findIndex((l) => l.code === code);
          const name: ['rows', number, 'comment' | 'points'] = ['rows', row, m[2] === 'comment' ? 'comment' : 'points'];
          return row < 0 ? [] : [{ name, errors: [f.description] }];
        });
        if (fields.length) form.setFields(fields);
      }
      message.error(errorMessage(e));
    }
  };

  return (
    <Form form={form} component={false} disabled={!editable}>
      {!editable && <Alert type="info" showIcon style={{ marginBottom: 12 }} title="申报提交后自评不能再修改。" />}
      <Table<Indicator>
        size="small"
        rowKey={(i) => i.code ?? ''}
        dataSource={leaves}
        pagination={false}
        columns={[
          {
            title: '指标',
            render: (_, i) => (
              <span>
                <Typography.Text strong>{i.code}</Typography.Text> {i.title}
              </span>
            ),
          },
          { title: '类型', width: 90, render: (_, i) => indicatorKindLabel(i.kind) },
          { title: '满分', width: 80, render: (_, i) => formatPoints(i.maxPoints) },
          {
            title: '自评分',
            width: 140,
            render: (_, i, idx) => (
              <Form.Item name={['rows', idx, 'points']} rules={[pointsRule(i.maxPoints)]} style={{ margin: 0 }}>
                <Input
                  aria-label={`${i.code} 自评分`}
                  placeholder={editable ? '0.00' : '未自评'}
                  inputMode="decimal"
                  maxLength={16}
                />
              </Form.Item>
            ),
          },
          {
            title: '说明',
            render: (_, i, idx) => (
              <Form.Item name={['rows', idx, 'comment']} style={{ margin: 0 }}>
                <Input aria-label={`${i.code} 自评说明`} maxLength={500} />
              </Form.Item>
            ),
          },
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Typography.Text>
          自评合计：{formatPoints(`${total / 100n}.${String(total % 100n).padStart(2, '0')}`)}
        </Typography.Text>
        {editable && (
          <Button type="primary" onClick={() => void save().catch(() => undefined)}>
            保存自评
          </Button>
        )}
      </Space>
    </Form>
  );
}
