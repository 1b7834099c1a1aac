import type { components } from '../../api/schema';

export type Indicator = components['schemas']['v1Indicator'];
export type Score = components['schemas']['v1Score'];
export type Grade = components['schemas']['v1Grade'];

// What the form holds for one leaf before it is sent. `undefined` fields mean "not
// entered": a CHECKLIST with `ticked: []` is an entry (nothing ticked), one without
// `ticked` is not.
export interface ScoreDraft {
  points?: string;
  grade?: string;
  value?: string;
  ticked?: string[];
  occurrences?: string;
  veto?: boolean;
  vetoReason?: string;
  comment?: string;
}

export const DEFAULT_GRADES: Grade[] = [
  { grade: 'A', percent: 100 },
  { grade: 'B', percent: 66 },
  { grade: 'C', percent: 33 },
  { grade: 'D', percent: 0 },
];

const MAX_MEASURE = 100_000_000; // 1 000 000.00 in hundredths
const MAX_OCCURRENCES = 1_000_000;
const DECIMAL = /^\d{1,7}(\.\d{1,2})?$/;

// parseHundredths reads a decimal with at most two places into whole hundredths, the
// unit the scoring engine works in, so steps and ranges compare exactly (no floats).
export function parseHundredths(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  if (!DECIMAL.test(t)) return null;
  const [whole, frac = ''] = t.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

export function formatHundredths(n: number): string {
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

export function isLeaf(ind: Indicator): boolean {
  return (ind.kind ?? 'INDICATOR_KIND_UNSPECIFIED') !== 'INDICATOR_KIND_GROUP';
}

// hasEntry says whether the draft holds the one field the indicator's kind takes.
export function hasEntry(ind: Indicator, d: ScoreDraft | undefined): boolean {
  if (!d) return false;
  switch (ind.kind) {
    case 'INDICATOR_KIND_POINTS':
    case 'INDICATOR_KIND_BONUS':
      return (d.points ?? '').trim() !== '';
    case 'INDICATOR_KIND_GRADE':
      return (d.grade ?? '') !== '';
    case 'INDICATOR_KIND_THRESHOLD':
    case 'INDICATOR_KIND_LINEAR':
      return (d.value ?? '').trim() !== '';
    case 'INDICATOR_KIND_CHECKLIST':
      return d.ticked !== undefined;
    case 'INDICATOR_KIND_DEDUCTION':
      return (d.occurrences ?? '').trim() !== '';
    case 'INDICATOR_KIND_VETO':
      return d.veto !== undefined;
    default:
      return false;
  }
}

// validateEntry checks one leaf's draft the way the scoring engine will (docs/review.md,
// docs/scoring.md) and returns the problem in Chinese, or null. An empty draft is valid:
// it is simply not sent.
export function validateEntry(ind: Indicator, d: ScoreDraft | undefined, scale: Grade[] = []): string | null {
  if (d && (d.comment ?? '').length > 2000) return '备注不能超过 2000 字';
  if (!hasEntry(ind, d) || !d) return null;
  switch (ind.kind) {
    case 'INDICATOR_KIND_POINTS':
    case 'INDICATOR_KIND_BONUS': {
      const v = parseHundredths(d.points);
      if (v === null) return '请输入最多两位小数的分值';
      const max = parseHundredths(ind.maxPoints) ?? 0;
      if (v > max) return `不能超过满分 ${formatHundredths(max)}`;
      const step = parseHundredths(ind.step || '0.50') || 50;
      if (v !== max && v % step !== 0) return `须按 ${formatHundredths(step)} 分递增（或取满分）`;
      return null;
    }
    case 'INDICATOR_KIND_GRADE': {
      const grades = (scale.length ? scale : DEFAULT_GRADES).map((g) => g.grade ?? '');
      return grades.includes(d.grade ?? '') ? null : `等次须为 ${grades.join('、')} 之一`;
    }
    case 'INDICATOR_KIND_THRESHOLD':
    case 'INDICATOR_KIND_LINEAR': {
      const v = parseHundredths(d.value);
      if (v === null) return '请输入最多两位小数的测量值';
      if (v > MAX_MEASURE) return '测量值不能超过 1000000';
      return null;
    }
    case 'INDICATOR_KIND_CHECKLIST': {
      const codes = new Set((ind.items ?? []).map((i) => i.code ?? ''));
      const bad = (d.ticked ?? []).filter((c) => !codes.has(c));
      return bad.length ? `没有子项 ${bad.join('、')}` : null;
    }
    case 'INDICATOR_KIND_DEDUCTION': {
      const t = (d.occurrences ?? '').trim();
      if (!/^\d{1,7}$/.test(t) || Number(t) > MAX_OCCURRENCES) return '次数须为 0 到 1000000 的整数';
      return null;
    }
    case 'INDICATOR_KIND_VETO':
      if (d.veto && (d.vetoReason ?? '').trim() === '') return '提议否决须填写理由';
      if ((d.vetoReason ?? '').length > 2000) return '理由不能超过 2000 字';
      return null;
    default:
      return null;
  }
}

// toScore turns a valid draft into the API's Score: exactly the field the kind takes, so
// the server never sees a GRADE with points.
export function toScore(ind: Indicator, d: ScoreDraft): Score {
  const s: Score = { indicatorCode: ind.code ?? '' };
  switch (ind.kind) {
    case 'INDICATOR_KIND_POINTS':
    case 'INDICATOR_KIND_BONUS':
      s.points = formatHundredths(parseHundredths(d.points) ?? 0);
      break;
    case 'INDICATOR_KIND_GRADE':
      s.grade = d.grade;
      break;
    case 'INDICATOR_KIND_THRESHOLD':
    case 'INDICATOR_KIND_LINEAR':
      s.value = formatHundredths(parseHundredths(d.value) ?? 0);
      break;
    case 'INDICATOR_KIND_CHECKLIST':
      s.ticked = [...(d.ticked ?? [])];
      break;
    case 'INDICATOR_KIND_DEDUCTION':
      s.occurrences = String(Number((d.occurrences ?? '0').trim()));
      break;
    case 'INDICATOR_KIND_VETO':
      s.veto = !!d.veto;
      if (d.veto) s.vetoReason = (d.vetoReason ?? '').trim();
      break;
  }
  const c = (d.comment ?? '').trim();
  if (c) s.comment = c;
  return s;
}

// fromScore reads a saved entry back into a draft. The gateway omits zero values, so a
// saved "0.00", no ticks or zero occurrences arrive as absent fields: an entry existing
// at all is what says it was entered.
export function fromScore(ind: Indicator, s: Score): ScoreDraft {
  const d: ScoreDraft = { comment: s.comment ?? '' };
  switch (ind.kind) {
    case 'INDICATOR_KIND_POINTS':
    case 'INDICATOR_KIND_BONUS':
      d.points = s.points || '0.00';
      break;
    case 'INDICATOR_KIND_GRADE':
      d.grade = s.grade ?? '';
      break;
    case 'INDICATOR_KIND_THRESHOLD':
    case 'INDICATOR_KIND_LINEAR':
      d.value = s.value || '0.00';
      break;
    case 'INDICATOR_KIND_CHECKLIST':
      d.ticked = s.ticked ?? [];
      break;
    case 'INDICATOR_KIND_DEDUCTION':
      d.occurrences = String(s.occurrences ?? '0');
      break;
    case 'INDICATOR_KIND_VETO':
      d.veto = !!s.veto;
      d.vetoReason = s.vetoReason ?? '';
      break;
  }
  return d;
}

// missingLeaves lists the leaves finalize will ask for: every scored leaf without an
// entry (VETO leaves never need one).
export function missingLeaves(indicators: Indicator[], drafts: Record<string, ScoreDraft>): string[] {
  return indicators
    .filter((i) => isLeaf(i) && i.kind !== 'INDICATOR_KIND_VETO' && !hasEntry(i, drafts[i.code ?? '']))
    .map((i) => i.code ?? '');
}

// draftsEqual compares what would be sent, to know which entries changed since the last save.
export function sameEntry(ind: Indicator, a: ScoreDraft | undefined, b: ScoreDraft | undefined): boolean {
  const ea = hasEntry(ind, a);
  if (ea !== hasEntry(ind, b)) return false;
  if (!ea) return (a?.comment ?? '') === (b?.comment ?? '');
  return JSON.stringify(toScore(ind, a!)) === JSON.stringify(toScore(ind, b!));
}

// orderedIndicators sorts a standard's flat indicator list into tree order (parents before
// children, siblings by position), the order reviewers read a score sheet in.
export function orderedIndicators(list: Indicator[]): Indicator[] {
  const byParent = new Map<string, Indicator[]>();
  for (const i of list) {
    const p = i.parentCode ?? '';
    if (!byParent.has(p)) byParent.set(p, []);
    byParent.get(p)!.push(i);
  }
  for (const v of byParent.values()) v.sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const out: Indicator[] = [];
  const walk = (p: string, depth: number) => {
    for (const i of byParent.get(p) ?? []) {
      out.push(i);
      if (depth < 64) walk(i.code ?? '', depth + 1);
    }
  };
  walk('', 0);
  return out;
}

// indicatorDepths gives each code its depth in the tree (0 for a top-level category).
export function indicatorDepths(list: Indicator[]): Map<string, number> {
  const parent = new Map(list.map((i) => [i.code ?? '', i.parentCode ?? '']));
  const depth = new Map<string, number>();
  for (const code of parent.keys()) {
    let d = 0;
    let p = parent.get(code) ?? '';
    while (p && d < 64) {
      d++;
      p = parent.get(p) ?? '';
    }
    depth.set(code, d);
  }
  return depth;
}
