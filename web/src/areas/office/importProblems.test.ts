import { describe, expect, it } from 'vitest';
import { parseRowProblem, parseRowProblems } from './importProblems';

describe('parseRowProblem', () => {
  it('places a Chinese problem by row and column', () => {
    expect(parseRowProblem('第 2 行，B 列（统一社会信用代码）：不是有效的统一社会信用代码')).toEqual({
      row: 2,
      column: 'B',
      header: '统一社会信用代码',
      message: '不是有效的统一社会信用代码',
    });
    expect(parseRowProblem('第 5 行：与第 3 行的统一社会信用代码相同')).toEqual({
      row: 5,
      column: undefined,
      header: undefined,
      message: '与第 3 行的统一社会信用代码相同',
    });
  });
  it('places an English problem the same way', () => {
    expect(parseRowProblem('row 12, column C (单位类别): unknown category')).toMatchObject({ row: 12, column: 'C', message: 'unknown category' });
  });
  it('keeps a problem of the whole file as it is', () => {
    expect(parseRowProblem('工作表 单位名单：表头下没有单位')).toEqual({ message: '工作表 单位名单：表头下没有单位' });
    expect(parseRowProblem('另有 20 个问题')).toEqual({ message: '另有 20 个问题' });
  });
  it('reads only the content violations', () => {
    expect(parseRowProblems([{ field: 'content', description: '第 2 行：x' }, { field: 'office_id', description: 'y' }])).toHaveLength(1);
  });
});
