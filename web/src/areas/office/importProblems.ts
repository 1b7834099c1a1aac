// A unit import refused with UNIT_FILE_INVALID lists each problem as a violation of
// "content" whose text places it: "第 2 行，B 列（统一社会信用代码）：…" (zh-CN) or
// "row 2, column B (统一社会信用代码): …" (en); see services/tenancy/unitimport.go.
export interface RowProblem {
  row?: number;
  column?: string;
  header?: string;
  message: string;
}

const ZH = /^第\s*(\d+)\s*行(?:，\s*([A-Z]+)\s*列（([^）]*)）)?：([\s\S]*)$/;
const EN = /^row (\d+)(?:, column ([A-Z]+) \(([^)]*)\))?: ([\s\S]*)$/;

export function parseRowProblem(text: string): RowProblem {
  const m = ZH.exec(text) ?? EN.exec(text);
  if (!m) return { message: text };
  return { row: Number(m[1]), column: m[2], header: m[3], message: m[4] };
}

export function parseRowProblems(violations: { field?: string; description?: string }[]): RowProblem[] {
  return violations.filter((v) => !v.field || v.field === 'content').map((v) => parseRowProblem(v.description ?? ''));
}
