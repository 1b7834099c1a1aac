// The console's one way to send a dialog's form (docs/console.md "Forms").
import type { FormInstance } from 'antd';
import { useRef, useState } from 'react';
import { idempotencyKey } from '../api/client';
import { ApiError, applyFieldErrors, errorMessage } from '../api/errors';
import { message } from './feedback';

export interface SubmitOptions<R> {
  /** Leading resource names of the server's field paths ("unit" of "unit.credit_code"). */
  strip?: string[];
  /** A toast once it succeeded. */
  success?: string;
  /** What follows a success (refetch, navigate, close). */
  then?: (result: R) => void;
}

/**
 * useSubmit validates the form and sends it once at a time. The Idempotency-Key stays the
 * same for every retry of one submission, so a timeout retried never creates twice, and is
 * renewed after it succeeded. A refused create wrote nothing (the server claims the key in
 * the create's own transaction), so its retry may change the form and keep the key. The
 * server's field violations land on the form's fields. submit resolves to whether it
 * succeeded.
 */
export function useSubmit<V, R>(form: FormInstance<V>, send: (values: V, key: string) => Promise<R>, opts: SubmitOptions<R>) {
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);
  const [key, setKey] = useState(idempotencyKey);
  const submit = async (): Promise<boolean> => {
    const values = await form.validateFields().catch(() => null);
    if (!values || sending.current) return false;
    sending.current = true;
    setBusy(true);
    let result: R;
    try {
      result = await send(values, key);
    } catch (e) {
      if (e instanceof ApiError && (e.reason === 'IDEMPOTENCY_KEY_REUSED' || e.reason === 'IDEMPOTENT_REQUEST_DONE')) {
        // An earlier attempt whose answer was lost did create it, and the form has changed
        // since: say so, and let a deliberate second submission be a new one.
        setKey(idempotencyKey());
        void message.warning('上一次提交可能已经成功（当时未收到答复）：请先在列表中核对；确需再建时再次提交。');
      } else {
        applyFieldErrors(form, e, { strip: opts.strip });
        void message.error(errorMessage(e));
      }
      return false;
    } finally {
      sending.current = false;
      setBusy(false);
    }
    if (opts.success) void message.success(opts.success);
    form.resetFields();
    setKey(idempotencyKey());
    opts.then?.(result);
    return true;
  };
  return { submit, busy };
}

/** useSubmitDialog is useSubmit in a Modal that closes when it succeeded: spread modal on it. */
export function useSubmitDialog<V, R>(form: FormInstance<V>, send: (values: V, key: string) => Promise<R>, opts: SubmitOptions<R>) {
  const [open, setOpen] = useState(false);
  const { submit, busy } = useSubmit(form, send, opts);
  return {
    show: () => setOpen(true),
    modal: {
      open,
      confirmLoading: busy,
      destroyOnHidden: true,
      onCancel: () => setOpen(false),
      onOk: async () => {
        if (await submit()) setOpen(false);
      },
    },
  };
}
