import { describe, expect, it } from 'vitest';
import {
  fromScore, hasEntry, indicatorDepths, missingLeaves, orderedIndicators, parseHundredths, sameEntry, toScore, validateEntry,
  type Indicator,
} from './scoreRules';

const points: Indicator = { code: '1.1', kind: 'INDICATOR_KIND_POINTS', maxPoints: '4.00', step: '0.50' };
const bonus: Indicator = { code: '8.2', kind: 'INDICATOR_KIND_BONUS', maxPoints: '2.00' };
const steppedMax: Indicator = { code: '1.9', kind: 'INDICATOR_KIND_POINTS', maxPoints: '1.75', step: '0.50' };
const grade: Indicator = { code: '1.2', kind: 'INDICATOR_KIND_GRADE', maxPoints: '1.75' };
const threshold: Indicator = { code: '1.3', kind: 'INDICATOR_KIND_THRESHOLD', maxPoints: '3.00', target: '85.00' };
const linear: Indicator = { code: '1.4', kind: 'INDICATOR_KIND_LINEAR', maxPoints: '2.00', floor: '50.00', target: '90.00' };
const checklist: Indicator = {
  code: '1.5',
  kind: 'INDICATOR_KIND_CHECKLIST',
  maxPoints: '2.00',
  items: [{ code: 'a', points: '1.00' }, { code: 'b', points: '0.50' }, { code: 'c', points: '1.00' }],
};
const deduction: Indicator = { code: '2.3', kind: 'INDICATOR_KIND_DEDUCTION', maxPoints: '2.00', perItem: '0.50' };
const veto: Indicator = { code: '2.4', kind: 'INDICATOR_KIND_VETO' };

describe('parseHundredths', () => {
  it('reads decimals with at most two places exactly', () => {
    expect(parseHundredths('87.5')).toBe(8750);
    expect(parseHundredths('0.05')).toBe(5);
    expect(parseHundredths(' 3 ')).toBe(300);
    for (const bad of ['1.234', '-1', '1e2', '0x1F', '+7', '', '.5', 'abc']) expect(parseHundredths(bad)).toBeNull();
  });
});

describe('validateEntry per indicator kind', () => {
  it('takes POINTS and BONUS in steps from 0 to the max, the max always allowed', () => {
    expect(validateEntry(points, { points: '3.50' })).toBeNull();
    expect(validateEntry(points, { points: '0' })).toBeNull();
    expect(validateEntry(points, { points: '3.25' })).toBe('须按 0.50 分递增（或取满分）');
    expect(validateEntry(points, { points: '4.50' })).toBe('不能超过满分 4.00');
    expect(validateEntry(points, { points: '1.234' })).toBe('请输入最多两位小数的分值');
    expect(validateEntry(steppedMax, { points: '1.75' })).toBeNull();
    expect(validateEntry(steppedMax, { points: '1.25' })).toBe('须按 0.50 分递增（或取满分）');
    expect(validateEntry(bonus, { points: '1.50' })).toBeNull(); // default step 0.50
    expect(validateEntry(bonus, { points: '1.20' })).not.toBeNull();
  });

  it('takes a GRADE of the standard scale, A–D by default', () => {
    expect(validateEntry(grade, { grade: 'B' })).toBeNull();
    expect(validateEntry(grade, { grade: 'E' })).toBe('等次须为 A、B、C、D 之一');
    const scale = [{ grade: '优', percent: 100 }, { grade: '良', percent: 80 }];
    expect(validateEntry(grade, { grade: '良' }, scale)).toBeNull();
    expect(validateEntry(grade, { grade: 'A' }, scale)).toBe('等次须为 优、良 之一');
  });

  it('takes a measured value for THRESHOLD and LINEAR, up to 1 000 000', () => {
    expect(validateEntry(threshold, { value: '84.90' })).toBeNull();
    expect(validateEntry(linear, { value: '1000000' })).toBeNull();
    expect(validateEntry(linear, { value: '1000000.01' })).toBe('测量值不能超过 1000000');
    expect(validateEntry(threshold, { value: '8,5' })).toBe('请输入最多两位小数的测量值');
  });

  it('takes ticked sub-items of a CHECKLIST, none ticked being an entry too', () => {
    expect(validateEntry(checklist, { ticked: ['a', 'c'] })).toBeNull();
    expect(validateEntry(checklist, { ticked: ['a', 'z'] })).toBe('没有子项 z');
    expect(hasEntry(checklist, { ticked: [] })).toBe(true);
    expect(hasEntry(checklist, {})).toBe(false);
  });

  it('takes whole occurrences of a DEDUCTION', () => {
    expect(validateEntry(deduction, { occurrences: '2' })).toBeNull();
    expect(validateEntry(deduction, { occurrences: '1.5' })).toBe('次数须为 0 到 1000000 的整数');
    expect(validateEntry(deduction, { occurrences: '1000001' })).toBe('次数须为 0 到 1000000 的整数');
  });

  it('needs a reason to propose a VETO', () => {
    expect(validateEntry(veto, { veto: true, vetoReason: ' ' })).toBe('提议否决须填写理由');
    expect(validateEntry(veto, { veto: true, vetoReason: '发生重大安全事故' })).toBeNull();
    expect(validateEntry(veto, { veto: false })).toBeNull();
  });

  it('accepts an empty draft (nothing is sent) and refuses a long comment', () => {
    expect(validateEntry(points, undefined)).toBeNull();
    expect(validateEntry(points, { points: '' })).toBeNull();
    expect(validateEntry(points, { comment: 'x'.repeat(2001) })).toBe('备注不能超过 2000 字');
  });
});

describe('toScore and fromScore', () => {
  it('sends exactly the field the kind takes, normalised', () => {
    expect(toScore(points, { points: '3.5', grade: 'A', comment: ' 好 ' })).toEqual({ indicatorCode: '1.1', points: '3.50', comment: '好' });
    expect(toScore(grade, { grade: 'B', points: '1' })).toEqual({ indicatorCode: '1.2', grade: 'B' });
    expect(toScore(linear, { value: '70' })).toEqual({ indicatorCode: '1.4', value: '70.00' });
    expect(toScore(checklist, { ticked: [] })).toEqual({ indicatorCode: '1.5', ticked: [] });
    expect(toScore(deduction, { occurrences: '02' })).toEqual({ indicatorCode: '2.3', occurrences: '2' });
    expect(toScore(veto, { veto: true, vetoReason: ' 事故 ' })).toEqual({ indicatorCode: '2.4', veto: true, vetoReason: '事故' });
    expect(toScore(veto, { veto: false, vetoReason: 'x' })).toEqual({ indicatorCode: '2.4', veto: false });
  });

  it('reads saved entries back, zero values the gateway omitted included', () => {
    expect(fromScore(points, { indicatorCode: '1.1' }).points).toBe('0.00');
    expect(fromScore(checklist, { indicatorCode: '1.5' }).ticked).toEqual([]);
    expect(fromScore(deduction, { indicatorCode: '2.3' }).occurrences).toBe('0');
    expect(fromScore(veto, { indicatorCode: '2.4', veto: true, vetoReason: 'r' })).toMatchObject({ veto: true, vetoReason: 'r' });
    const d = fromScore(points, { indicatorCode: '1.1', points: '3.50' });
    expect(sameEntry(points, d, { points: '3.5' })).toBe(true);
    expect(sameEntry(points, d, { points: '3.00' })).toBe(false);
  });
});

describe('the sheet as a whole', () => {
  const list: Indicator[] = [
    { code: '2', kind: 'INDICATOR_KIND_GROUP', position: 2 },
    { code: '1', kind: 'INDICATOR_KIND_GROUP', position: 1 },
    { ...points, parentCode: '1', position: 2 },
    { ...grade, parentCode: '1', position: 1 },
    { ...veto, parentCode: '2', position: 2 },
    { ...checklist, parentCode: '2', position: 1 },
  ];
  it('orders the tree parents first, siblings by position', () => {
    expect(orderedIndicators(list).map((i) => i.code)).toEqual(['1', '1.2', '1.1', '2', '1.5', '2.4']);
    expect(indicatorDepths(list).get('1.5')).toBe(1);
    expect(indicatorDepths(list).get('2')).toBe(0);
  });
  it('lists the scored leaves still without an entry, never VETO leaves', () => {
    expect(missingLeaves(list, { '1.1': { points: '1' } })).toEqual(['1.2', '1.5']);
    expect(missingLeaves(list, { '1.1': { points: '1' }, '1.2': { grade: 'A' }, '1.5': { ticked: [] } })).toEqual([]);
  });
});
