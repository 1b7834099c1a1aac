import { useState } from 'react';
import { Alert, Button, Form, Input, Result, Select, Typography } from 'antd';
import { ApiError, applyFieldErrors, errorMessage } from '../../api/errors';
import { formatDateTime } from '../../lib/format';
import { fileObjection, type ObjectionReceipt, type PublicityLine } from './api';

export const CONTENT_MAX = 2000;
export const NAME_MAX = 100;
export const CONTACT_MAX = 200;

interface Values {
  unitId: string;
  content: string;
  name: string;
  contact: string;
}

// Control characters are refused by the server in every field (docs/publicity.md); tabs
// and line breaks in the content are ordinary text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const noControl = {
  validator: async (_: unknown, v: string | undefined) => {
    if (v && CONTROL.test(v)) throw new Error('含有不可见的控制字符，请删除后重试');
  },
};

/**
 * ObjectionForm files a public objection against a unit on the list. It checks what the
 * server checks (a unit from the list, content required, the lengths) before sending, and
 * shows the receipt's reference, which the objector quotes when calling the office.
 */
export function ObjectionForm({
  campaignId,
  lines,
  unitId,
}: {
  campaignId: string;
  lines: PublicityLine[];
  unitId?: string;
}) {
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [receipt, setReceipt] = useState<ObjectionReceipt | null>(null);

  if (receipt) {
    return (
      <Result
        status="success"
        title="异议已提交"
        subTitle={
          <span>
            受理编号：
            <Typography.Text strong copyable style={{ fontSize: 18 }}>
              {receipt.reference}
            </Typography.Text>
            <br />
            提交时间：{formatDateTime(receipt.createTime)}。请记下受理编号，向文明办查询处理情况时需提供。
          </span>
        }
      />
    );
  }

  const onFinish = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      setReceipt(
        await fileObjection(campaignId, {
          unitId: v.unitId,
          content: v.content.trim(),
          name: (v.name ?? '').trim(),
          contact: (v.contact ?? '').trim(),
        }),
      );
    } catch (e) {
      const rest = applyFieldErrors(form, e, { strip: ['objection'] });
      if (!(e instanceof ApiError) || e.fieldViolations.length === 0 || rest.length > 0) setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      onFinish={onFinish}
      initialValues={{ unitId, content: '', name: '', contact: '' }}
      disabled={busy}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" />}
      <Form.Item name="unitId" label="异议对象" rules={[{ required: true, message: '请选择公示名单中的单位' }]}>
        <Select
          aria-label="异议对象"
          placeholder="请选择单位"
          showSearch={{ optionFilterProp: 'label' }}
          options={lines.map((l) => ({
            value: l.unitId ?? '',
            label: `${l.number ?? ''}. ${l.unitDisplayName ?? ''}`,
          }))}
        />
      </Form.Item>
      <Form.Item
        name="content"
        label="异议内容"
        rules={[
          { required: true, whitespace: true, message: '请填写异议内容' },
          { max: CONTENT_MAX, message: `异议内容最多 ${CONTENT_MAX} 字` },
          noControl,
        ]}
        extra="请写明具体事实（时间、地点、经过），以便核查。"
      >
        <Input.TextArea autoSize={{ minRows: 5, maxRows: 12 }} showCount maxLength={CONTENT_MAX} />
      </Form.Item>
      <Form.Item name="name" label="姓名（选填）" rules={[{ max: NAME_MAX }, noControl]}>
        <Input maxLength={NAME_MAX} autoComplete="name" />
      </Form.Item>
      <Form.Item
        name="contact"
        label="联系方式（选填）"
        rules={[{ max: CONTACT_MAX }, noControl]}
        extra="电话、电子邮箱或通信地址，仅文明办工作人员可见，用于核实和反馈。"
      >
        <Input maxLength={CONTACT_MAX} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy}>
        提交异议
      </Button>
    </Form>
  );
}
