// ScoreInput is the one control an indicator's kind takes (docs/review.md): points for
// POINTS and BONUS, a grade, a measured value, ticked sub-items, occurrences, or a veto
// proposal with its reason. The rules are in scoreRules.ts; this only draws them.
import { Checkbox, Input, InputNumber, Radio, Space, Switch, Typography } from 'antd';
import { formatPoints } from '../../lib/format';
import { DEFAULT_GRADES, type Grade, type Indicator, type ScoreDraft } from './scoreRules';
import { LinkButton } from '../../lib/LinkButton';

export function kindHint(ind: Indicator, scale: Grade[]): string {
  const max = formatPoints(ind.maxPoints);
  switch (ind.kind) {
    case 'INDICATOR_KIND_POINTS':
      return `0 – ${max} 分，步长 ${formatPoints(ind.step || '0.50')}`;
    case 'INDICATOR_KIND_BONUS':
      return `加分 0 – ${max} 分，步长 ${formatPoints(ind.step || '0.50')}`;
    case 'INDICATOR_KIND_GRADE':
      return `满分 ${max}：` + (scale.length ? scale : DEFAULT_GRADES).map((g) => `${g.grade} ${g.percent ?? 0}%`).join(' / ');
    case 'INDICATOR_KIND_THRESHOLD':
      return `测量值 ≥ ${formatPoints(ind.target)} 得 ${max} 分，否则 0 分`;
    case 'INDICATOR_KIND_LINEAR':
      return `测量值 ${formatPoints(ind.floor)} 得 0 分，${formatPoints(ind.target)} 得满分 ${max}，其间按比例`;
    case 'INDICATOR_KIND_CHECKLIST':
      return `勾选达标的子项，合计不超过 ${max} 分`;
    case 'INDICATOR_KIND_DEDUCTION':
      return `每次扣 ${formatPoints(ind.perItem)} 分，最多扣 ${max} 分`;
    case 'INDICATOR_KIND_VETO':
      return '如发现否决情形，提议一票否决并说明理由（由文明办确认）';
    default:
      return '';
  }
}

export function ScoreInput({ ind, value, onChange, scale, disabled }: {
  ind: Indicator;
  value: ScoreDraft | undefined;
  onChange: (d: ScoreDraft) => void;
  scale: Grade[];
  disabled?: boolean;
}) {
  const d = value ?? {};
  const set = (patch: Partial<ScoreDraft>) => onChange({ ...d, ...patch });
  const label = `${ind.code} ${ind.title ?? ''}`;
  switch (ind.kind) {
    case 'INDICATOR_KIND_POINTS':
    case 'INDICATOR_KIND_BONUS':
      return (
        <Input
          aria-label={`${label} 得分`}
          value={d.points ?? ''}
          disabled={disabled}
          inputMode="decimal"
          placeholder="得分"
          style={{ width: 140 }}
          suffix="分"
          onChange={(e) => set({ points: e.target.value })}
        />
      );
    case 'INDICATOR_KIND_GRADE':
      return (
        <Radio.Group
          aria-label={`${label} 等次`}
          value={d.grade || undefined}
          disabled={disabled}
          onChange={(e) => set({ grade: e.target.value as string })}
          optionType="button"
          options={(scale.length ? scale : DEFAULT_GRADES).map((g) => ({ label: g.grade ?? '', value: g.grade ?? '' }))}
        />
      );
    case 'INDICATOR_KIND_THRESHOLD':
    case 'INDICATOR_KIND_LINEAR':
      return (
        <Input
          aria-label={`${label} 测量值`}
          value={d.value ?? ''}
          disabled={disabled}
          inputMode="decimal"
          placeholder="测量值"
          style={{ width: 160 }}
          onChange={(e) => set({ value: e.target.value })}
        />
      );
    case 'INDICATOR_KIND_CHECKLIST':
      return (
        <Space orientation="vertical" size={2}>
          <Checkbox.Group
            aria-label={`${label} 子项`}
            value={d.ticked ?? []}
            disabled={disabled}
            onChange={(v) => set({ ticked: v as string[] })}
          >
            <Space orientation="vertical" size={2}>
              {(ind.items ?? []).map((it) => (
                <Checkbox key={it.code} value={it.code ?? ''}>
                  {it.code}. {it.title}（{formatPoints(it.points)} 分）
                </Checkbox>
              ))}
            </Space>
          </Checkbox.Group>
          {d.ticked === undefined && !disabled && (
            <LinkButton onClick={() => set({ ticked: [] })}>
              均未达标（记为已评）
            </LinkButton>
          )}
        </Space>
      );
    case 'INDICATOR_KIND_DEDUCTION':
      return (
        <InputNumber
          aria-label={`${label} 次数`}
          value={d.occurrences === undefined || d.occurrences === '' ? null : Number(d.occurrences)}
          disabled={disabled}
          min={0}
          max={1_000_000}
          precision={0}
          placeholder="次数"
          suffix="次"
          onChange={(v) => set({ occurrences: v === null || v === undefined ? '' : String(v) })}
        />
      );
    case 'INDICATOR_KIND_VETO':
      return (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Space>
            <Switch
              aria-label={`${label} 提议否决`}
              checked={!!d.veto}
              disabled={disabled}
              onChange={(v) => set({ veto: v })}
            />
            <Typography.Text type={d.veto ? 'danger' : 'secondary'}>{d.veto ? '提议一票否决' : '不否决'}</Typography.Text>
          </Space>
          {d.veto && (
            <Input.TextArea
              aria-label={`${label} 否决理由`}
              value={d.vetoReason ?? ''}
              disabled={disabled}
              maxLength={2000}
              placeholder="否决理由（必填）"
              autoSize={{ minRows: 2 }}
              onChange={(e) => set({ vetoReason: e.target.value })}
            />
          )}
        </Space>
      );
    default:
      return null;
  }
}
