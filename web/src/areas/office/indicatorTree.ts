// The standard editor's tree logic: the flat indicator list as a tree, and where a dragged
// indicator lands (its new parent and index among that parent's children), which is what
// UpdateIndicator takes (update_mask "parentCode,position").
import type { S } from './common';

export type Indicator = S['v1Indicator'];

export interface TreeNode {
  key: string;
  title: string;
  isLeaf: boolean;
  children: TreeNode[];
  indicator: Indicator;
}

function siblingsOf(list: Indicator[], parent: string): Indicator[] {
  return list.filter((i) => (i.parentCode ?? '') === parent).sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
}

export function buildTree(list: Indicator[], label: (i: Indicator) => string): TreeNode[] {
  const walk = (parent: string, depth: number): TreeNode[] =>
    depth > 64
      ? []
      : siblingsOf(list, parent).map((i) => ({
          key: i.code ?? '',
          title: label(i),
          isLeaf: i.kind !== 'INDICATOR_KIND_GROUP',
          children: walk(i.code ?? '', depth + 1),
          indicator: i,
        }));
  return walk('', 0);
}

export function isDescendant(list: Indicator[], code: string, ancestor: string): boolean {
  const parent = new Map(list.map((i) => [i.code ?? '', i.parentCode ?? '']));
  let p = parent.get(code) ?? '';
  for (let n = 0; p && n < 64; n++) {
    if (p === ancestor) return true;
    p = parent.get(p) ?? '';
  }
  return false;
}

export interface Move {
  parentCode: string;
  position: number;
}

// dropMove turns an antd Tree drop into a move. `into` is a drop onto the target (it
// becomes the target's first child; only a GROUP takes children); otherwise `after` says
// whether it lands after the target or before it. Null when the drop is not allowed or
// changes nothing.
export function dropMove(list: Indicator[], drag: string, target: string, into: boolean, after: boolean): Move | null {
  if (drag === target) return null;
  const byCode = new Map(list.map((i) => [i.code ?? '', i]));
  const t = byCode.get(target);
  const d = byCode.get(drag);
  if (!t || !d) return null;
  let move: Move;
  if (into) {
    if (t.kind !== 'INDICATOR_KIND_GROUP' || isDescendant(list, target, drag)) return null;
    move = { parentCode: target, position: 0 };
  } else {
    const parent = t.parentCode ?? '';
    if (parent === drag || isDescendant(list, parent, drag)) return null;
    const sibs = siblingsOf(list, parent).filter((i) => i.code !== drag);
    const idx = sibs.findIndex((i) => i.code === target);
    move = { parentCode: parent, position: after ? idx + 1 : idx };
  }
  const now = siblingsOf(list, d.parentCode ?? '').findIndex((i) => i.code === drag);
  if ((d.parentCode ?? '') === move.parentCode && now === move.position) return null;
  return move;
}
