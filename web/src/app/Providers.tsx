import { useState, type ReactNode } from 'react';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { makeQueryClient } from './queryClient';
import { makeTheme } from './theme';
import { FeedbackBridge } from '../lib/feedback';

/** Providers wraps the console (and tests) in the locale, theme and query client. */
export function Providers({ children, client }: { children: ReactNode; client?: QueryClient }) {
  const [qc] = useState(() => client ?? makeQueryClient());
  const [theme] = useState(makeTheme);
  return (
    <ConfigProvider locale={zhCN} theme={theme} button={{ autoInsertSpace: false }}>
      <AntApp>
        <FeedbackBridge />
        <QueryClientProvider client={qc}>{children}</QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
