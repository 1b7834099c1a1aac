// Toasts and confirmations, through antd's App context so they use the console's zh-CN
// locale and theme and live inside its React tree (antd's static message and
// Modal.confirm render in a root of their own, outside the ConfigProvider, which outlives
// the page and its tests). FeedbackBridge, rendered once by Providers, hands the context's
// instances over; before that the static ones answer.
import { App, Modal, message as staticMessage } from 'antd';
import type { ModalFuncProps } from 'antd';
import { useEffect, type ReactNode } from 'react';

type Ctx = ReturnType<typeof App.useApp>;
let ctx: Ctx | null = null;

export function FeedbackBridge() {
  const app = App.useApp();
  useEffect(() => {
    ctx = app;
    return () => {
      if (ctx === app) ctx = null;
    };
  }, [app]);
  return null;
}

function m() {
  return ctx?.message ?? staticMessage;
}

export const message = {
  success: (c: ReactNode) => m().success(c),
  error: (c: ReactNode) => m().error(c),
  info: (c: ReactNode) => m().info(c),
  warning: (c: ReactNode) => m().warning(c),
};

export function confirm(props: ModalFuncProps) {
  return (ctx?.modal ?? Modal).confirm({ okText: '确定', cancelText: '取消', ...props });
}
