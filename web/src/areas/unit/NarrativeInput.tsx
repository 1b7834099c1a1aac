import { Input } from 'antd';
import type { TextAreaProps } from 'antd/es/input';
import { charCount } from '../../lib/format';

/**
 * NarrativeInput is a text area with a live count in characters as the API counts them
 * (code points: 500 Chinese characters fit a limit of 500), red once over the limit.
 */
export function NarrativeInput({ max, ...rest }: TextAreaProps & { max: number }) {
  return (
    <Input.TextArea autoSize={{ minRows: 4, maxRows: 16 }} count={{ show: true, max, strategy: charCount }} {...rest} />
  );
}

/** The form rule that goes with it. */
export function narrativeRule(max: number, required = false) {
  return {
    validator: async (_: unknown, v: string | undefined) => {
      if (required && !(v ?? '').trim()) throw new Error('请填写文字说明');
      if (charCount(v) > max) throw new Error(`文字说明最多 ${max} 字，当前 ${charCount(v)} 字`);
    },
  };
}
