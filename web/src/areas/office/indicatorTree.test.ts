import { describe, expect, it } from 'vitest';
import { buildTree, dropMove, type Indicator } from './indicatorTree';

const list: Indicator[] = [
  { code: '1', kind: 'INDICATOR_KIND_GROUP', position: 1 },
  { code: '1.1', parentCode: '1', kind: 'INDICATOR_KIND_POINTS', position: 2 },
  { code: '1.2', parentCode: '1', kind: 'INDICATOR_KIND_GRADE', position: 3 },
  { code: '1.3', parentCode: '1', kind: 'INDICATOR_KIND_POINTS', position: 4 },
  { code: '2', kind: 'INDICATOR_KIND_GROUP', position: 5 },
  { code: '2.1', parentCode: '2', kind: 'INDICATOR_KIND_POINTS', position: 6 },
];

describe('buildTree', () => {
  it('nests by parent code in position order', () => {
    const t = buildTree(list, (i) => i.code ?? '');
    expect(t.map((n) => n.key)).toEqual(['1', '2']);
    expect(t[0].children.map((n) => n.key)).toEqual(['1.1', '1.2', '1.3']);
    expect(t[0].children[0].isLeaf).toBe(true);
  });
});

describe('dropMove', () => {
  it('moves within the same parent, counting positions without the dragged one', () => {
    expect(dropMove(list, '1.1', '1.3', false, true)).toEqual({ parentCode: '1', position: 2 });
    expect(dropMove(list, '1.3', '1.1', false, false)).toEqual({ parentCode: '1', position: 0 });
  });
  it('moves into another group, first child when dropped onto it', () => {
    expect(dropMove(list, '1.2', '2', true, false)).toEqual({ parentCode: '2', position: 0 });
    expect(dropMove(list, '1.2', '2.1', false, true)).toEqual({ parentCode: '2', position: 1 });
  });
  it('moves a group to the top level', () => {
    expect(dropMove(list, '2', '1', false, false)).toEqual({ parentCode: '', position: 0 });
  });
  it('refuses drops that change nothing, go into a leaf or into the dragged subtree', () => {
    expect(dropMove(list, '1.2', '1.1', false, true)).toBeNull();
    expect(dropMove(list, '1.2', '1.1', true, false)).toBeNull();
    expect(dropMove(list, '1', '1.2', false, true)).toBeNull();
    expect(dropMove(list, '1', '1', true, false)).toBeNull();
  });
});
