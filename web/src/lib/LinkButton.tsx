// LinkButton looks like a link and is a button: an action in a table or breadcrumb that
// goes nowhere by URL, reachable by keyboard and named for screen readers.
import { Button } from 'antd';
import type { ReactNode } from 'react';

export function LinkButton({ onClick, children }: { onClick: () => void; children: ReactNode }) {
  return (
    <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} onClick={onClick}>
      {children}
    </Button>
  );
}
