import type { CSSProperties, Key, ReactNode } from 'react';
import { theme } from 'antd';

/**
 * ItemList is a plain list of rows with actions on the right: antd 6.6 deprecates List
 * (its successor, Listy, is a virtual scroller for long feeds, not a layout).
 */
export function ItemList<T>({
  items,
  rowKey,
  render,
  actions,
  header,
  style,
  'aria-label': ariaLabel,
}: {
  items: T[];
  rowKey: (item: T, index: number) => Key;
  render: (item: T) => ReactNode;
  actions?: (item: T) => ReactNode[];
  header?: ReactNode;
  style?: CSSProperties;
  'aria-label'?: string;
}) {
  const { token } = theme.useToken();
  return (
    <div style={style}>
      {header && <div style={{ padding: '8px 0', borderBottom: `1px solid ${token.colorSplit}` }}>{header}</div>}
      <ul aria-label={ariaLabel} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {items.map((it, i) => {
          const acts = actions?.(it) ?? [];
          return (
            <li
              key={rowKey(it, i)}
              style={{
                display: 'flex',
                alignItems: 'center',
                gap: 12,
                padding: '8px 0',
                borderBottom: i < items.length - 1 ? `1px solid ${token.colorSplit}` : undefined,
              }}
            >
              <div style={{ flex: 1, minWidth: 0 }}>{render(it)}</div>
              {acts.length > 0 && <div style={{ display: 'flex', gap: 4, flexShrink: 0 }}>{acts}</div>}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
